"""This app's resources in the API URL tree (see ``config.api_router``)."""

from vouchers.api.views.vouchers import VoucherViewSet


def register(organizer_router, event_router) -> list:
    """Register viewsets on the organizer/event routers; return any further nested routers created."""
    event_router.register(r"vouchers", VoucherViewSet, basename="voucher")
    return []

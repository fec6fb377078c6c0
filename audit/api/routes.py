"""This app's resources in the API URL tree (see ``config.api_router``)."""

from audit.api.views import AuditEntryViewSet


def register(organizer_router, event_router) -> list:
    """Register viewsets on the organizer/event routers; return any further nested routers created."""
    organizer_router.register(r"logs", AuditEntryViewSet, basename="log")
    return []

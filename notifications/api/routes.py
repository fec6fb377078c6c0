"""This app's resources in the API URL tree (see ``config.api_router``)."""

from notifications.api.views import NotificationViewSet


def register(organizer_router, event_router) -> list:
    """Register viewsets on the organizer/event routers; return any further nested routers created."""
    organizer_router.register(r"notifications", NotificationViewSet, basename="notification")
    return []

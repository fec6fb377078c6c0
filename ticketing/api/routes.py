"""Ticketing resources in the API URL tree (see ``config.api_router``)."""

from ticketing.api import views


def register_root(root) -> None:
    root.register(r"organizers", views.OrganizerViewSet, basename="organizer")


def register_organizer(organizer_router) -> None:
    organizer_router.register(r"events", views.EventViewSet, basename="event")
    organizer_router.register(r"saleschannels", views.SalesChannelViewSet, basename="saleschannel")


def register(organizer_router, event_router) -> list:
    """Event resources; returns any further nested routers it created."""
    return []

"""Ticketing resources in the API URL tree (see ``config.api_router``)."""

from rest_framework.routers import Route
from rest_framework_nested.routers import NestedSimpleRouter

from ticketing.api import views
from ticketing.api.categories import ItemCategoryViewSet
from ticketing.api.event_settings import EventSettingsViewSet
from ticketing.api.item_parts import ItemAddOnViewSet, ItemBundleViewSet, ItemVariationViewSet
from ticketing.api.items import ItemViewSet
from ticketing.api.quotas import QuotaViewSet
from ticketing.api.subevents import SubEventViewSet


class EventObjectRouter(NestedSimpleRouter):
    """The one object of an event at ``events/<event>/<prefix>/`` (no id): GET reads it, PATCH changes it."""

    routes = [
        Route(
            url=r"^{prefix}{trailing_slash}$",
            mapping={"get": "retrieve", "patch": "partial_update"},
            name="{basename}-detail",
            detail=True,
            initkwargs={"suffix": "Instance"},
        )
    ]


def register_root(root) -> None:
    root.register(r"organizers", views.OrganizerViewSet, basename="organizer")


def register_organizer(organizer_router) -> None:
    organizer_router.register(r"events", views.EventViewSet, basename="event")
    organizer_router.register(r"saleschannels", views.SalesChannelViewSet, basename="saleschannel")


def register(organizer_router, event_router) -> list:
    """Event resources; returns any further nested routers it created."""
    event_router.register(r"subevents", SubEventViewSet, basename="subevent")
    event_router.register(r"categories", ItemCategoryViewSet, basename="itemcategory")
    event_router.register(r"items", ItemViewSet, basename="item")
    event_router.register(r"quotas", QuotaViewSet, basename="quota")
    item_router = NestedSimpleRouter(event_router, r"items", lookup="item")
    item_router.register(r"variations", ItemVariationViewSet, basename="itemvariation")
    item_router.register(r"addons", ItemAddOnViewSet, basename="itemaddon")
    item_router.register(r"bundles", ItemBundleViewSet, basename="itembundle")
    event_objects = EventObjectRouter(organizer_router, r"events", lookup="event")
    event_objects.register(r"settings", EventSettingsViewSet, basename="event-settings")
    return [item_router, event_objects]

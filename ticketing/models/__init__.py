from ticketing.models.event_settings import EventSettings
from ticketing.models.events import Event, SubEvent, SubEventItem, SubEventItemVariation
from ticketing.models.items import Item, ItemAddOn, ItemBundle, ItemCategory, ItemVariation
from ticketing.models.organizers import Organizer, SalesChannel, Team, TeamAPIToken
from ticketing.models.quotas import Quota

__all__ = [
    "Event",
    "EventSettings",
    "Item",
    "ItemAddOn",
    "ItemBundle",
    "ItemCategory",
    "ItemVariation",
    "Organizer",
    "Quota",
    "SalesChannel",
    "SubEvent",
    "SubEventItem",
    "SubEventItemVariation",
    "Team",
    "TeamAPIToken",
]

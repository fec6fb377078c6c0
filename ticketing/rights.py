"""What a team needs to read and to change each kind of resource, and which rows that lets it reach.

One table for the API and the back office: an API view and the model admin of the same resource name the
same ``Rights``, and both ask ``ticketing.selectors.OrganizerAccess`` (the caller's teams in one organizer)
whether they hold them. A permission counts team by team: a team gives its permissions on its own events
(all of them, or its ``limit_events``), never on another team's. docs/api.md, "Who may do what".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from ticketing.models import Team
from ticketing.selectors import OrganizerAccess

ORGANIZER_SETTINGS = "can_change_organizer_settings"
EVENT_SETTINGS = "can_change_event_settings"
CHANGE_ITEMS = "can_change_items"
VIEW_ORDERS = "can_view_orders"
CHANGE_ORDERS = "can_change_orders"
VIEW_VOUCHERS = "can_view_vouchers"
CHANGE_VOUCHERS = "can_change_vouchers"


@dataclass(frozen=True)
class Rights:
    """The team permission needed to read, to change and to create one kind of resource (None: being in
    the organizer, or seeing the event, is enough). ``all_events``: organizer-wide rows that only a team
    with all events reaches, with the permission itself (gift cards)."""

    read: str | None
    write: str | None
    create_permission: str | None = None  # None: as ``write``
    all_events: bool = False

    @property
    def create(self) -> str | None:
        return self.create_permission or self.write

    def needed(self, *, write: bool) -> str | None:
        return self.write if write else self.read


#: What any member reads (the organizer's jobs and audit log narrow it further by kind).
VISIBLE = Rights(read=None, write=None)
#: The organizer and its sales channels.
ORGANIZER = Rights(read=None, write=ORGANIZER_SETTINGS)
#: Teams and their API tokens: who may do what is an organizer setting.
TEAMS = Rights(read=ORGANIZER_SETTINGS, write=ORGANIZER_SETTINGS)
#: Events: a new one is an organizer setting, an existing one's settings the event's.
EVENTS = Rights(read=None, write=EVENT_SETTINGS, create_permission=ORGANIZER_SETTINGS)
#: What is sold: dates, categories, items and their parts, quotas, automatic discount rules.
ITEMS = Rights(read=None, write=CHANGE_ITEMS)
#: An event's vouchers and designated discount code; coupon series, coupons and promo codes (which a team
#: limited to some events reaches through ``vouchers.scope``).
VOUCHERS = Rights(read=VIEW_VOUCHERS, write=CHANGE_VOUCHERS)
#: Gift cards: organizer-wide money, for teams with all events.
GIFT_CARDS = Rights(read=VIEW_VOUCHERS, write=CHANGE_VOUCHERS, all_events=True)
ORDERS = Rights(read=VIEW_ORDERS, write=CHANGE_ORDERS)
#: A cart holds quota and codes for a sale to come: the order clerks'.
CARTS = Rights(read=CHANGE_ORDERS, write=CHANGE_ORDERS)

NOTHING = Q(pk__in=[])


def reach_q(
    access: OrganizerAccess,
    permission: str | None,
    *,
    organizer_path: str,
    event_path: str | None,
    all_events: bool = False,
) -> Q:
    """The rows of ``access.organizer`` the caller reaches with ``permission``, as a condition on a queryset
    whose ``organizer_path`` ("pk" for organizers) leads to the organizer and ``event_path`` ("pk" for events;
    None: organizer-wide rows) to the event: those of the events a team with the permission has, all rows
    of the organizer for a team with all events (``all_events``: only that)."""
    own = Q(**{organizer_path: access.organizer.pk})
    if access.is_superuser:
        return own
    if event_path is None or all_events:
        return own if access.holds(permission, all_events=all_events) else NOTHING
    events = access.events_with(permission)
    if events is None:
        return own
    return own & Q(**{f"{event_path}__in": sorted(events)}) if events else NOTHING


def rights_beyond(
    access: OrganizerAccess | None,
    *,
    permissions: frozenset[str],
    all_events: bool,
    event_ids: frozenset[int],
) -> list[str]:
    """What a team with these permissions and events would give that the caller does not hold already,
    in words (``["all events", "can_view_orders on event 12"]``); empty when nothing. A caller may not
    raise their own rights: not through a team they are (or become) a member of, nor through a token."""
    if access is not None and access.is_superuser:
        return []
    beyond: list[str] = []
    held_events = access.events_with(None) if access is not None else frozenset()
    if all_events and held_events is not None:
        beyond.append("all events")
    elif not all_events and held_events is not None and event_ids - held_events:
        beyond.append("events " + ", ".join(str(pk) for pk in sorted(event_ids - held_events)))
    for permission in sorted(permissions, key=Team.PERMISSIONS.index):
        if access is None or not access.holds(permission):
            beyond.append(permission)  # held nowhere: even on no event it counts where the organizer's do
            continue
        held = access.events_with(permission)
        if held is not None and (all_events or event_ids - held):
            beyond.append(permission)
    return beyond

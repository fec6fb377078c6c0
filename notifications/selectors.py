"""Reads of the notifications: which ones a caller may read (the API's ``notifications/`` and the back
office's list share ``readable_notifications_q``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from notifications.models import Notification
from ticketing.models import Organizer
from ticketing.rights import GIFT_CARDS, ORDERS, reach_q
from ticketing.selectors import OrganizerAccess


def readable_notifications_q(access: OrganizerAccess, *, path: str = "") -> Q:
    """The notifications of ``access.organizer`` the caller may read: those of an event where a team of
    theirs reads orders (``can_view_orders``), and the organizer-wide ones (gift cards) if a team with all
    events reads gift cards (``can_view_vouchers``), as ``ticketing.rights`` says for those resources.
    ``path`` leads from the queried model to the notification (``"notification__"`` for deliveries)."""
    organizer, event = f"{path}organizer_id", f"{path}event_id"
    of_events = reach_q(access, ORDERS.read, organizer_path=organizer, event_path=event)
    organizer_wide = reach_q(
        access, GIFT_CARDS.read, organizer_path=organizer, event_path=None, all_events=GIFT_CARDS.all_events
    )
    no_event = Q(**{f"{path}event__isnull": True})
    return (~no_event & of_events) | (no_event & organizer_wide)


def may_read_notifications(access: OrganizerAccess) -> bool:
    """Whether the caller may read some notifications of the organizer (before looking at rows)."""
    return access.holds(ORDERS.read) or access.holds(GIFT_CARDS.read, all_events=GIFT_CARDS.all_events)


def organizer_notifications(*, organizer: Organizer, access: OrganizerAccess) -> QuerySet[Notification]:
    """The organizer's notifications the caller may read, with their events, by id."""
    notifications = Notification.objects.filter(organizer=organizer).filter(readable_notifications_q(access))
    return notifications.select_related("event").order_by("id")

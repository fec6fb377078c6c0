"""Reads of the audit log."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from audit.models import AuditEntry
from ticketing.models import Organizer
from ticketing.selectors import OrganizerAccess

#: What a team needs, beside seeing the event, to read the entries of an object type.
READ_PERMISSIONS: dict[str, str | None] = {
    "event": None,
    "item": None,
    "quota": None,
    "discount": None,
    "voucher": "can_view_vouchers",
    "coupon_series": "can_view_vouchers",
    "coupon": "can_view_vouchers",
    "promo_code": "can_view_vouchers",
    "gift_card": "can_view_vouchers",
    "event_discount_code": "can_view_vouchers",
    "order": "can_view_orders",
}


def organizer_entries(*, organizer: Organizer, access: OrganizerAccess) -> QuerySet[AuditEntry]:
    """The organizer's entries the caller may read: each team its events' entries (all events: also
    those of the organizer's codes, which belong to no event) of the object types its permissions
    cover (orders need ``can_view_orders``, codes ``can_view_vouchers``)."""
    entries = AuditEntry.objects.filter(organizer=organizer).select_related("user", "token", "event")
    if access.is_superuser:
        return entries
    readable = Q(pk__in=[])
    for team in access.teams:
        granted = team.permission_set()
        types = [t for t, needed in READ_PERMISSIONS.items() if needed is None or needed in granted]
        scope = Q(object_type__in=types)
        if not team.all_events:
            scope &= Q(event_id__in=[event.pk for event in team.limit_events.all()])
        readable |= scope
    return entries.filter(readable)


def object_entries(*, object_type: str, object_id) -> QuerySet[AuditEntry]:
    """One object's history, newest first (the admin's history page)."""
    entries = AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id))
    return entries.select_related("user", "token").order_by("-created", "-id")

"""Reads of the audit log."""

from __future__ import annotations

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from audit.models import AuditEntry
from ticketing.models import Organizer
from ticketing.rights import EVENTS, GIFT_CARDS, ITEMS, ORDERS, VOUCHERS
from ticketing.selectors import OrganizerAccess
from vouchers.models import Coupon
from vouchers.scope import readable_series

#: What a team needs, beside seeing the event, to read the entries of an object type: what it needs to read
#: the object itself (``ticketing.rights``).
READ_PERMISSIONS: dict[str, str | None] = {
    "event": EVENTS.read,
    "event_settings": EVENTS.read,
    "item": ITEMS.read,
    "quota": ITEMS.read,
    "discount": ITEMS.read,
    "voucher": VOUCHERS.read,
    "coupon_series": VOUCHERS.read,
    "coupon": VOUCHERS.read,
    "promo_code": VOUCHERS.read,
    "gift_card": GIFT_CARDS.read,
    "event_discount_code": VOUCHERS.read,
    "order": ORDERS.read,
}


def organizer_entries(*, organizer: Organizer, access: OrganizerAccess) -> QuerySet[AuditEntry]:
    """The organizer's entries the caller may read (``readable_entries_q``)."""
    entries = AuditEntry.objects.filter(organizer=organizer).select_related("user", "token", "event")
    return entries.filter(readable_entries_q(access))


def readable_entries_q(access: OrganizerAccess) -> Q:
    """The entries of ``access.organizer`` the caller may read: each team its events' entries (all events:
    also those of the organizer's codes, which belong to no event) of the object types its permissions
    cover (orders need ``can_view_orders``, codes ``can_view_vouchers``). A team limited to some events
    also reads the entries of the coupon series it reaches (``vouchers.scope``), of their coupons and of
    its promo codes: they belong to the organizer, not to an event. The API's ``logs/`` and the back
    office's audit log both read through it."""
    own = Q(organizer_id=access.organizer.pk)
    if access.is_superuser:
        return own
    readable = Q(pk__in=[])
    for team in access.teams:
        granted = team.permission_set()
        types = [t for t, needed in READ_PERMISSIONS.items() if needed is None or needed in granted]
        scope = Q(object_type__in=types)
        if not team.all_events:
            scope &= Q(event_id__in=[event.pk for event in team.limit_events.all()])
        readable |= scope
    if not access.has_all_events:
        readable |= scoped_series_entries(access)
    return own & readable


def scoped_series_entries(access: OrganizerAccess) -> Q:
    """The entries of the series a caller limited to some events may read, and of their coupons (promo
    codes are coupons of a series of their own)."""
    series = readable_series(access)
    coupons = Coupon.objects.filter(series__in=series)
    return Q(object_type="coupon_series", object_id__in=as_text_ids(series)) | Q(
        object_type__in=("coupon", "promo_code"), object_id__in=as_text_ids(coupons)
    )


def as_text_ids(queryset: QuerySet) -> QuerySet:
    """The primary keys as the text ``object_id`` holds, for a subquery."""
    return queryset.annotate(text_id=Cast("pk", CharField())).values("text_id")


def object_entries(*, object_type: str, object_id) -> QuerySet[AuditEntry]:
    """One object's history, newest first (the admin's history page)."""
    entries = AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id))
    return entries.select_related("user", "token").order_by("-created", "-id")

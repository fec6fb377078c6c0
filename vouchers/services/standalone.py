"""Stand-alone coupons (vivenu's coupons without a series): a private series of kind ``standalone``
holding exactly that one coupon, so code resolution and the checkout treat them as any coupon.

``settings`` are the fields of a coupon series (``vouchers.models.CouponSeries``), its related lists
(``allowed_events``, ``allowed_items``, ``unlocks``) included.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.errors import ConflictError
from ticketing.models import Organizer
from vouchers.models import Coupon, CouponSeries, SeriesKind
from vouchers.services.coupons import coupon_create, coupon_series_create, coupon_series_update, coupon_update

#: The series' plain fields a stand-alone coupon's settings hold (``decouple`` copies them).
SETTINGS_FIELDS = (
    "name", "active", "single_usage", "max_usage", "max_usage_per_event", "max_tickets", "can_be_combined",
    "discount_type", "discount_value", "discount_max_value", "allow_all_events", "allow_all_items",
    "valid_from", "valid_until", "min_tickets_in_cart", "max_tickets_in_cart", "tags",
    "reveal_allowed_items", "note",
)  # fmt: skip
SETTINGS_RELATIONS = ("allowed_events", "allowed_items", "unlocks")


def is_standalone(coupon: Coupon) -> bool:
    return coupon.series.kind == SeriesKind.STANDALONE


@transaction.atomic
def standalone_coupon_create(
    *, organizer: Organizer, settings: dict[str, Any], code: str = "", **fields: Any
) -> Coupon:
    """Create a stand-alone coupon (``fields``: ``customer_email``, ``active``) with its private series;
    an empty code is generated."""
    series = coupon_series_create(organizer=organizer, kind=SeriesKind.STANDALONE, **settings)
    return coupon_create(organizer=organizer, series=series, code=code, **fields)


@transaction.atomic
def standalone_coupon_update(
    *, coupon: Coupon, settings: dict[str, Any] | None = None, **fields: Any
) -> Coupon:
    """Change a stand-alone coupon and, when given, its settings (only the settings named change)."""
    if settings:
        coupon.series = coupon_series_update(series=coupon.series, **settings)
    return coupon_update(coupon=coupon, **fields) if fields else coupon


@transaction.atomic
def coupon_decouple(*, coupon: Coupon) -> Coupon:
    """Take a coupon out of its series: it becomes stand-alone with a copy of the series' settings
    (related lists included). Its code, customer, ``active`` flag and usage (orders, tickets, per event)
    stay; the series keeps its other coupons, and changing it no longer changes this coupon.
    409 ``already_standalone`` for a stand-alone coupon (a promo code is not a coupon: not offered)."""
    coupon = Coupon.objects.select_for_update().select_related("series").get(pk=coupon.pk)
    series = coupon.series
    if series.kind != SeriesKind.COUPON:
        raise ConflictError("This coupon is already stand-alone.", code="already_standalone")
    private = CouponSeries(organizer_id=series.organizer_id, kind=SeriesKind.STANDALONE)
    for name in SETTINGS_FIELDS:
        value = getattr(series, name)
        setattr(private, name, list(value) if isinstance(value, list) else value)
    private.save()
    for name in SETTINGS_RELATIONS:
        getattr(private, name).set(getattr(series, name).all())
    coupon.series = private
    coupon.save(update_fields=["series", "updated_at"])
    return coupon

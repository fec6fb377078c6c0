"""Promo codes: one shareable code, stored as a promo-code series holding exactly one coupon."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from core.errors import ConflictError
from ticketing.models import Event, Item, Organizer
from vouchers.codes import normalise_code
from vouchers.models import CodeHolder, CouponSeries, DiscountType, PromoCode, SeriesKind
from vouchers.services.checks import USED_PROMO_CODE
from vouchers.services.code_texts import code_texts_claim
from vouchers.services.coupons import coupon_code_or_series_change, coupons_delete, duplicate_coupon_code_or

#: Promo-code field → (series field, how to store it).
SERIES_FIELDS = {
    "name": ("name", lambda v: v),
    "value": ("discount_value", lambda v: v),
    "percentage": ("discount_type", lambda v: DiscountType.PERCENT if v else DiscountType.FIX),
    "start_date": ("valid_from", lambda v: v),
    "end_date": ("valid_until", lambda v: v),
    "one_time_use": ("single_usage", lambda v: v),
}


@transaction.atomic
def promo_code_create(
    *,
    organizer: Organizer,
    code: str,
    value: Decimal,
    percentage: bool = False,
    name: str = "",
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    active: bool = True,
    one_time_use: bool = False,
    allowed_events: Iterable[Event] = (),
    unlocks: Iterable[Item] = (),
) -> PromoCode:
    """Valid for every item of ``allowed_events`` (none: of every event of the organizer), and never
    combined with other codes; ``unlocks``: hidden items a cart holding it may buy."""
    events = list(allowed_events)
    series = CouponSeries.objects.create(
        organizer=organizer,
        kind=SeriesKind.PROMO_CODE,
        name=name,
        discount_type=DiscountType.PERCENT if percentage else DiscountType.FIX,
        discount_value=value,
        valid_from=start_date,
        valid_until=end_date,
        single_usage=one_time_use,
        can_be_combined=False,
        allow_all_events=not events,
    )
    series.unlocks.set(unlocks)
    if events:
        series.allowed_events.set(events)
    try:
        with transaction.atomic():
            # Created as a PromoCode (its proxy), so the audit log records a promo_code, as for its changes.
            promo = PromoCode.objects.create(
                organizer=organizer, series=series, code=normalise_code(code), active=active
            )
            code_texts_claim(
                organizer_id=organizer.pk, holder=CodeHolder.COUPON, codes={promo.code: promo.pk}
            )
    except IntegrityError as exc:
        raise duplicate_coupon_code_or(exc) from exc
    return PromoCode.objects.get(pk=promo.pk)


@transaction.atomic
def promo_code_update(*, promo: PromoCode, **fields: Any) -> PromoCode:
    """Change a promo code; its code only while no order has used it (409 ``promo_code_in_use``
    naming ``code``)."""
    series = promo.series
    for name, value in fields.items():
        if name in SERIES_FIELDS:
            series_field, convert = SERIES_FIELDS[name]
            setattr(series, series_field, convert(value))
        elif name == "code":
            promo.code = normalise_code(value)
        elif name == "active":
            promo.active = value
    events = fields.get("allowed_events")
    if events is not None:
        series.allow_all_events = not events
    series.save()
    if "unlocks" in fields:
        series.unlocks.set(fields["unlocks"])
    if events is not None:
        series.allowed_events.set(events)
    try:
        with transaction.atomic():
            if "code" in fields:
                refusals = ("promo_code_in_use", USED_PROMO_CODE)
                coupon_code_or_series_change(coupon=promo, code=promo.code, series=None, refusals=refusals)
            promo.save()
    except IntegrityError as exc:
        raise duplicate_coupon_code_or(exc) from exc
    return promo


def promo_code_delete(*, promo: PromoCode) -> None:
    if promo.used_orders > 0:
        raise ConflictError("This promo code has been used; deactivate it instead.", code="promo_code_in_use")
    coupons_delete(coupons=[promo])  # recorded as a promo_code; its private series goes with it

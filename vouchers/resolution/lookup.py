"""Finding a typed code and loading its scope: the resolution service's reads."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from vouchers.models import Coupon, CouponEventUsage, Voucher
from vouchers.selectors import with_code, with_codes


@dataclass(frozen=True)
class FoundCode:
    """The rows a normalised code matched. A voucher of the event wins over a coupon with the same text."""

    voucher: Voucher | None
    coupon: Coupon | None  # annotated with ``event_orders`` (its uses in the event asked about)
    voucher_elsewhere: bool  # a voucher of another event of the organizer has this code


def find_code(*, organizer_id: int, event_id: int | None, code: str) -> FoundCode:
    """Always the same three index lookups, whether the code exists or not (no timing shortcut)."""
    event_id = event_id or 0
    voucher = with_code(Voucher.objects.filter(event_id=event_id), code).first()
    event_orders = CouponEventUsage.objects.filter(coupon=OuterRef("pk"), event_id=event_id).values("orders")[
        :1
    ]
    coupon = (
        with_code(Coupon.objects.filter(organizer_id=organizer_id), code)
        .select_related("series")
        .annotate(event_orders=Coalesce(Subquery(event_orders, output_field=IntegerField()), Value(0)))
        .first()
    )
    elsewhere = (
        with_code(Voucher.objects.filter(event__organizer_id=organizer_id), code)
        .exclude(event_id=event_id)
        .exists()
    )
    return FoundCode(voucher=voucher, coupon=coupon, voucher_elsewhere=elsewhere)


@dataclass(frozen=True)
class Scope:
    event_ids: frozenset[int] | None = None
    item_ids: frozenset[int] | None = None
    variation_ids: frozenset[int] | None = None


def voucher_scope(voucher: Voucher) -> Scope:
    """A quota scope becomes its items and variations; an item scope that item (and variation)."""
    event_ids = frozenset({voucher.event_id})
    if voucher.quota_id is not None:
        quota = voucher.quota
        return Scope(
            event_ids=event_ids,
            item_ids=frozenset(quota.items.values_list("id", flat=True)),
            variation_ids=frozenset(quota.variations.values_list("id", flat=True)),
        )
    if voucher.item_id is not None:
        variations = None if voucher.variation_id is None else frozenset({voucher.variation_id})
        return Scope(event_ids=event_ids, item_ids=frozenset({voucher.item_id}), variation_ids=variations)
    return Scope(event_ids=event_ids)


def coupon_scope(coupon: Coupon) -> Scope:
    series = coupon.series
    event_ids = (
        None if series.allow_all_events else frozenset(series.allowed_events.values_list("id", flat=True))
    )
    item_ids = (
        None if series.allow_all_items else frozenset(series.allowed_items.values_list("id", flat=True))
    )
    return Scope(event_ids=event_ids, item_ids=item_ids)


def uncombinable_among(*, organizer_id: int, event_id: int | None, codes: set[str]) -> bool:
    """Whether one of these other codes may not share a cart (vouchers always may; unknown codes: ignored)."""
    if not codes:
        return False
    vouchers = set(
        with_codes(Voucher.objects.filter(event_id=event_id or 0), codes).values_list("code", flat=True)
    )
    others = {code for code in codes if code not in {v.upper() for v in vouchers}}
    if not others:
        return False
    return (
        with_codes(Coupon.objects.filter(organizer_id=organizer_id), others)
        .filter(series__can_be_combined=False)
        .exists()
    )

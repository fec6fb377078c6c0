"""Finding a typed code and loading its scope: the resolution service's reads."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db import connection
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from core import rawsql
from vouchers.models import Coupon, CouponEventUsage, CouponSeries, Voucher
from vouchers.selectors import with_code, with_codes


@dataclass(frozen=True)
class FoundCode:
    """The rows a normalised code matched. A voucher of the event wins over a coupon with the same text."""

    voucher: Voucher | None
    coupon: Coupon | None  # annotated with ``event_orders`` (its uses in the event asked about)
    voucher_elsewhere: bool  # a voucher of another live event of the organizer has this code (an event
    # that is not live is not told about)

    @property
    def row(self) -> Voucher | Coupon | None:
        return self.voucher if self.voucher is not None else self.coupon


NOT_FOUND = FoundCode(voucher=None, coupon=None, voucher_elsewhere=False)


def organizer_coupons(*, organizer_id: int, event_id: int) -> QuerySet[Coupon]:
    """The organizer's coupons with their series and ``event_orders``, their uses in this event."""
    event_orders = CouponEventUsage.objects.filter(coupon=OuterRef("pk"), event_id=event_id).values("orders")
    return (
        Coupon.objects.filter(organizer_id=organizer_id)
        .select_related("series")
        .annotate(event_orders=Coalesce(Subquery(event_orders[:1], output_field=IntegerField()), Value(0)))
    )


def vouchers_elsewhere(*, organizer_id: int, event_id: int) -> QuerySet[Voucher]:
    """Vouchers of the organizer's other live events (an event that is not live is not told about)."""
    return Voucher.objects.filter(event__organizer_id=organizer_id, event__live=True).exclude(
        event_id=event_id
    )


def find_code(*, organizer_id: int, event_id: int | None, code: str) -> FoundCode:
    """Always the same three index lookups, whether the code exists or not (no timing shortcut)."""
    event_id = event_id or 0
    voucher = with_code(Voucher.objects.filter(event_id=event_id), code).first()
    coupon = with_code(organizer_coupons(organizer_id=organizer_id, event_id=event_id), code).first()
    elsewhere = with_code(vouchers_elsewhere(organizer_id=organizer_id, event_id=event_id), code).exists()
    return FoundCode(voucher=voucher, coupon=coupon, voucher_elsewhere=elsewhere)


def find_codes(
    *, organizer_id: int, event_id: int, codes: Collection[str], lock: bool = False
) -> dict[str, FoundCode]:
    """The rows of several normalised codes at once, with the precedence of :func:`find_code`.

    ``lock``: ``SELECT … FOR UPDATE`` the rows, vouchers first, then coupons, each in
    primary-key order (the lock order of every workflow: ``vouchers.services.usage``).
    At most three queries whatever the number of codes: the event's vouchers, the
    organizer's coupons for the texts no voucher has, and, only when some text matched
    neither, whether another event's voucher has it.
    """
    if not codes:
        return {}
    texts = sorted(set(codes))
    # Plain SQL (``core.rawsql``) for the vouchers: every checkout with a code runs this under
    # its locks; the same condition as ``with_codes`` (the ``UPPER(code)`` index).
    suffix = "FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    where = f"event_id = %s AND UPPER(code) IN ({rawsql.placeholders(texts)})"
    vouchers = rawsql.select(Voucher, where, [event_id, *texts], order_by="id", suffix=suffix)
    found = {v.code.upper(): FoundCode(voucher=v, coupon=None, voucher_elsewhere=False) for v in vouchers}
    rest = [text for text in texts if text not in found]
    if rest:
        coupons = with_codes(organizer_coupons(organizer_id=organizer_id, event_id=event_id), rest).order_by(
            "pk"
        )
        if lock:
            coupons = coupons.select_for_update(of=("self",))
        for coupon in coupons:
            found[coupon.code.upper()] = FoundCode(voucher=None, coupon=coupon, voucher_elsewhere=False)
    unknown = [text for text in texts if text not in found]
    if unknown:
        others = with_codes(vouchers_elsewhere(organizer_id=organizer_id, event_id=event_id), unknown)
        elsewhere = {code.upper() for code in others.values_list("code", flat=True)}
        for text in unknown:
            found[text] = FoundCode(voucher=None, coupon=None, voucher_elsewhere=text in elsewhere)
    return found


@dataclass(frozen=True)
class CodeTargets:
    event_ids: frozenset[int] | None = None
    item_ids: frozenset[int] | None = None
    variation_ids: frozenset[int] | None = None


def voucher_scope(voucher: Voucher) -> CodeTargets:
    """A quota scope becomes its items and variations; an item scope that item (and variation)."""
    event_ids = frozenset({voucher.event_id})
    if voucher.quota_id is not None:
        quota = voucher.quota
        return CodeTargets(
            event_ids=event_ids,
            item_ids=frozenset(quota.items.values_list("id", flat=True)),
            variation_ids=frozenset(quota.variations.values_list("id", flat=True)),
        )
    if voucher.item_id is not None:
        variations = None if voucher.variation_id is None else frozenset({voucher.variation_id})
        item_ids = frozenset({voucher.item_id})
        return CodeTargets(event_ids=event_ids, item_ids=item_ids, variation_ids=variations)
    return CodeTargets(event_ids=event_ids)


def coupon_scope(coupon: Coupon) -> CodeTargets:
    series = coupon.series
    event_ids = (
        None if series.allow_all_events else frozenset(series.allowed_events.values_list("id", flat=True))
    )
    item_ids = (
        None if series.allow_all_items else frozenset(series.allowed_items.values_list("id", flat=True))
    )
    return CodeTargets(event_ids=event_ids, item_ids=item_ids)


def coupon_unlocks(coupon: Coupon | None) -> frozenset[int]:
    """The hidden items the coupon's series unlocks (ids): one query, or none when prefetched
    (``series__unlocks``, as the admin's lists do). ``None`` (no coupon found) runs the same query for
    nothing, so a lookup that found no coupon costs what one that found it does."""
    series = coupon.series if coupon is not None else None
    if series is not None and "unlocks" in getattr(series, "_prefetched_objects_cache", {}):
        return frozenset(item.pk for item in series.unlocks.all())
    rows = CouponSeries.unlocks.through.objects.filter(couponseries_id=series.pk if series else 0)
    return frozenset(rows.values_list("item_id", flat=True))


def refuses_company(found: FoundCode) -> bool:
    """Whether this code may not share a cart with other codes (vouchers always may; unknown: no)."""
    return found.coupon is not None and not found.coupon.series.can_be_combined

"""Every code usable in one event — its vouchers, coupons whose series allow it, promo codes — as one list.

The three kinds live in two tables, so the list is two ordered querysets
chained: vouchers (by id), then the event's coupons and promo codes (coupons
first, each by id). Only the rows of the requested page are fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from ticketing.models import Event, Item, Quota
from vouchers.choices import CodeKind
from vouchers.models import Coupon, CouponEventUsage, CouponSeries, EventDiscountCode, SeriesKind, Voucher
from vouchers.selectors import series_allows_event_q, usable_in_event


def voucher_active_q(now: datetime) -> Q:
    """Vouchers usable at ``now``: inside their dates, with uses and budget left."""
    return (
        (Q(valid_from__isnull=True) | Q(valid_from__lte=now))
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=now))
        & Q(redeemed__lt=F("max_usages"))
        & (Q(budget__isnull=True) | Q(budget_used__lt=F("budget")))
    )


def coupon_active_q(now: datetime) -> Q:
    """Coupons usable at ``now`` (needs the ``event_orders`` annotation of :func:`event_coupons`)."""
    return (
        Q(active=True, series__active=True)
        & (Q(series__valid_from__isnull=True) | Q(series__valid_from__lte=now))
        & (Q(series__valid_until__isnull=True) | Q(series__valid_until__gte=now))
        & ~Q(series__single_usage=True, used_orders__gte=1)
        & (Q(series__max_usage__isnull=True) | Q(used_orders__lt=F("series__max_usage")))
        & (Q(series__max_usage_per_event__isnull=True) | Q(event_orders__lt=F("series__max_usage_per_event")))
        & (Q(series__max_tickets__isnull=True) | Q(used_tickets__lt=F("series__max_tickets")))
    )


def with_event_orders(coupons: QuerySet[Coupon], event: Event) -> QuerySet[Coupon]:
    """``event_orders``: how many orders used each coupon in ``event`` (for :func:`coupon_active_q`)."""
    orders = CouponEventUsage.objects.filter(coupon=OuterRef("pk"), event=event).values("orders")[:1]
    return coupons.annotate(event_orders=Coalesce(Subquery(orders, output_field=IntegerField()), Value(0)))


def event_coupons(event: Event) -> QuerySet[Coupon]:
    return with_event_orders(
        usable_in_event(Coupon.objects.filter(organizer_id=event.organizer_id), event), event
    )


def vouchers_for_item_q(item: Item) -> Q:
    """Vouchers that apply to ``item``: without an item or quota, with it (or a variation of it), or
    with a quota holding it (or a variation of it)."""
    quota_items = Quota.items.through.objects.filter(quota_id=OuterRef("quota_id"), item_id=item.pk)
    quota_variations = Quota.variations.through.objects.filter(
        quota_id=OuterRef("quota_id"), itemvariation__item_id=item.pk
    )
    return (
        Q(item__isnull=True, variation__isnull=True, quota__isnull=True)
        | Q(item_id=item.pk)
        | Q(variation__item_id=item.pk)
        | Q(Exists(quota_items))
        | Q(Exists(quota_variations))
    )


def coupons_for_item_q(item: Item) -> Q:
    """Coupons and promo codes whose series allows every item or this one."""
    allowed = CouponSeries.allowed_items.through.objects.filter(
        couponseries_id=OuterRef("series_id"), item_id=item.pk
    )
    return Q(series__allow_all_items=True) | Q(Exists(allowed))


class ChainedQuerySets:
    """Two ordered querysets read as one list, for Django's paginator (count, then one slice)."""

    ordered = True  # each part is ordered; tells the paginator not to warn

    def __init__(self, *parts: QuerySet) -> None:
        self.parts = parts
        self._counts: list[int] | None = None

    def counts(self) -> list[int]:
        if self._counts is None:
            self._counts = [part.count() for part in self.parts]
        return self._counts

    def count(self) -> int:
        return sum(self.counts())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list:
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        rows: list = []
        offset = 0
        for part, size in zip(self.parts, self.counts(), strict=True):
            low, high = max(start - offset, 0), min(stop - offset, size)
            if low < high:
                rows.extend(part[low:high])
            offset += size
        return rows


@dataclass(frozen=True)
class EventCodesQuery:
    kind: CodeKind | None = None
    active: bool | None = None
    #: Which of the organizer's coupons and promo codes are listed: None every one usable in the event;
    #: a condition (a team limited to some events: the series it reaches, ``vouchers.scope``) those only.
    coupons: Q | None = None
    #: Only the codes that apply to this item of the event.
    item: Item | None = None


def event_codes(*, event: Event, query: EventCodesQuery, now: datetime) -> ChainedQuerySets:
    vouchers = Voucher.objects.filter(event=event).order_by("id")
    # Coupons (of a series or stand-alone) before promo codes, each by id.
    promo_last = Case(When(series__kind=SeriesKind.PROMO_CODE, then=Value(1)), default=Value(0))
    coupons = event_coupons(event).select_related("series").order_by(promo_last, "id")
    if query.active is not None:
        vouchers = (
            vouchers.filter(voucher_active_q(now))
            if query.active
            else vouchers.exclude(voucher_active_q(now))
        )
        coupons = (
            coupons.filter(coupon_active_q(now)) if query.active else coupons.exclude(coupon_active_q(now))
        )
    if query.coupons is not None:
        coupons = coupons.filter(query.coupons)
    if query.item is not None:
        vouchers = vouchers.filter(vouchers_for_item_q(query.item))
        coupons = coupons.filter(coupons_for_item_q(query.item))
    if query.kind == CodeKind.VOUCHER:
        coupons = coupons.none()
    elif query.kind is not None:
        vouchers = vouchers.none()
        promo = Q(series__kind=SeriesKind.PROMO_CODE)
        coupons = coupons.filter(promo) if query.kind == CodeKind.PROMO_CODE else coupons.exclude(promo)
    return ChainedQuerySets(
        flag_active(vouchers, voucher_active_q(now)), flag_active(coupons, coupon_active_q(now))
    )


def flag_active(queryset: QuerySet, condition: Q) -> QuerySet:
    return queryset.annotate(
        is_active=Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def designated_code(designation: EventDiscountCode, *, now: datetime) -> Voucher | Coupon:
    """The event's designated code as a row of :func:`event_codes` (with ``is_active``). A coupon whose
    series no longer allows the event (it stays designated) is not active: it is refused there."""
    if designation.voucher_id is not None:
        rows = Voucher.objects.filter(pk=designation.voucher_id)
        return flag_active(rows, voucher_active_q(now)).get()
    event = designation.event
    rows = with_event_orders(Coupon.objects.filter(pk=designation.coupon_id), event)
    usable = coupon_active_q(now) & series_allows_event_q(event)
    return flag_active(rows.select_related("series"), usable).get()

"""What orders and carts take from quotas (the counters registered with ``ticketing.quota_usage``),
and the checks that a cart or order fits into its quotas.

A position draws from a quota when the quota lists its item, lists its
variation (for a position with a variation), and is of the position's date
(both without a date outside a series). Each counter is one query whatever the
number of quotas: a sum per (quota, item) row of the quota's item list, added
up per quota. Orders are counted from the running ``ProductSales`` counts (not
by counting positions, which would slow every checkout down as sales grow);
carts by counting the positions of unexpired carts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from config.errors import ConflictError
from orders.catalog import Catalog, quota_membership
from orders.drafts import PositionSpec
from orders.models import CartPosition, OrderStatus, ProductSales
from ticketing.models import Quota
from ticketing.selectors import quota_availabilities
from vouchers.resolution import ResolvedCode


def listed_variation(variation_field: str) -> Exists:
    """The quota row ``OuterRef(OuterRef("quota_id"))`` lists the variation in ``variation_field``."""
    return Exists(
        Quota.variations.through.objects.filter(
            quota_id=OuterRef(OuterRef("quota_id")), itemvariation_id=OuterRef(variation_field)
        )
    )


def per_quota(quotas: Sequence[Quota], matching: QuerySet) -> dict[int, int]:
    """Sum ``matching`` (a one-value subquery per row of the quota-items table) per quota."""
    rows = (
        Quota.items.through.objects.filter(quota_id__in=[q.pk for q in quotas])
        .annotate(quota_date=Coalesce("quota__subevent_id", Value(0)))
        .annotate(n=Coalesce(Subquery(matching, output_field=IntegerField()), 0))
        .values_list("quota_id", "n")
    )
    counts: dict[int, int] = {}
    for quota_id, n in rows:
        counts[quota_id] = counts.get(quota_id, 0) + n
    return counts


def count_sold(quotas: Sequence[Quota], status: str) -> dict[int, int]:
    """From the running ``ProductSales`` counts: as fast with a million orders as with one."""
    matching = (
        ProductSales.objects.filter(status=status, item_id=OuterRef("item_id"))
        .filter(subevent_key=OuterRef("quota_date"))
        .filter(Q(variation_key=0) | Q(listed_variation("variation_key")))
        .order_by()
        .values("item_id")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    return per_quota(quotas, matching)


def count_pending_positions(quotas: Sequence[Quota]) -> dict[int, int]:
    return count_sold(quotas, OrderStatus.PENDING)


def count_paid_positions(quotas: Sequence[Quota]) -> dict[int, int]:
    return count_sold(quotas, OrderStatus.PAID)


def count_cart_positions(quotas: Sequence[Quota]) -> dict[int, int]:
    """Positions of unexpired carts. A position carrying a voucher that blocks quota is left out:
    the voucher already holds its place (``BLOCKING_VOUCHERS``)."""
    matching = (
        CartPosition.objects.filter(cart__expires__gt=timezone.now(), item_id=OuterRef("item_id"))
        .exclude(voucher__block_quota=True)
        .filter(Q(variation__isnull=True) | Q(listed_variation("variation_id")))
        .alias(date=Coalesce("subevent_id", Value(0)))
        .filter(date=OuterRef("quota_date"))
        .order_by()
        .values("item_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return per_quota(quotas, matching)


@dataclass(frozen=True)
class QuotaNeeds:
    """How many places each limited quota must have for the positions, and how many they already hold."""

    need: Counter[int]
    held: Counter[int]


def quota_needs(
    *,
    positions: Sequence[PositionSpec],
    quotas: dict[int, Quota],
    membership: list[list[int]],
    codes: dict[str, ResolvedCode],
    counted: Collection[int] | None = None,
    own_held: bool = False,
) -> QuotaNeeds:
    """``counted``: the indices that need room (None: all). ``own_held``: the positions with a
    ``ref`` are held by their unexpired cart and counted as used, so they are given back first.
    A position carrying a voucher that blocks quota or may ignore it needs no room; a position
    in no quota of its date cannot be sold (409 ``no_quota``)."""
    need: Counter[int] = Counter()
    held: Counter[int] = Counter()
    for index, (spec, quota_ids) in enumerate(zip(positions, membership, strict=True)):
        asked = counted is None or index in counted
        if not quota_ids:
            if asked:
                raise ConflictError(
                    "This item is not available: it is in no quota of its date.",
                    code="no_quota", position=index, item=spec.item,
                )  # fmt: skip
            continue
        voucher = codes.get(spec.voucher) if spec.voucher else None
        if voucher is not None and (voucher.block_quota or voucher.allow_ignore_quota):
            continue
        for quota_id in quota_ids:
            if quotas[quota_id].size is None:
                continue
            if asked:
                need[quota_id] += 1
            if own_held and spec.ref is not None:
                held[quota_id] += 1
    return QuotaNeeds(need=need, held=held)


def limited_quotas(quota_ids: Collection[int], *, lock: bool) -> list[Quota]:
    """The quotas with a size, fresh from the database; ``lock``: ``select_for_update`` in id order."""
    rows = Quota.objects.filter(pk__in=list(quota_ids), size__isnull=False).order_by("pk")
    if lock:
        rows = rows.select_for_update()
    return list(rows.only("id", "size", "name", "subevent_id"))


def verify_quotas(rows: Sequence[Quota], needs: QuotaNeeds) -> None:
    """409 ``quota_exceeded`` naming the first quota (by id) without room for what is needed."""
    rows = [q for q in rows if needs.need[q.pk]]
    if not rows:
        return
    availability = quota_availabilities(rows)
    for quota in rows:
        left = availability[quota.pk].available_number
        if left is None:
            continue
        room = left + needs.held[quota.pk]
        if needs.need[quota.pk] > room:
            raise ConflictError(
                f"Quota '{quota.name}' has not enough left for this order.",
                code="quota_exceeded", quota=quota.pk, available=max(room, 0),
            )  # fmt: skip


def check_quotas(
    *,
    catalog: Catalog,
    positions: Sequence[PositionSpec],
    codes: dict[str, ResolvedCode],
    counted: Collection[int] | None = None,
    own_held: bool = False,
) -> None:
    """Without locks (carts, previews): whether the quotas have room for the positions now."""
    quotas, membership = quota_membership(catalog.event, positions)
    needs = quota_needs(
        positions=positions, quotas=quotas, membership=membership, codes=codes,
        counted=counted, own_held=own_held,
    )  # fmt: skip
    if needs.need:
        verify_quotas(limited_quotas(needs.need, lock=False), needs)

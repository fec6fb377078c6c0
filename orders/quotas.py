"""What orders and carts take from quotas: the counters registered with ``ticketing.quota_usage``.

A position draws from a quota when the quota lists its item, lists its
variation (for a position with a variation), and is of the position's date
(both without a date outside a series). Each counter is one query whatever the
number of quotas: a count per (quota, item) row of the quota's item list,
summed per quota.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from orders.models import CartPosition, OrderPosition, OrderStatus
from ticketing.models import Quota


def drawing_from_quota(positions: QuerySet) -> QuerySet:
    """``positions`` (order or cart positions) that draw from the quota row ``OuterRef`` of the
    quota-items table: its item, a listed variation (if any), the same date."""
    listed_variation = Quota.variations.through.objects.filter(
        quota_id=OuterRef(OuterRef("quota_id")), itemvariation_id=OuterRef("variation_id")
    )
    return (
        positions.filter(item_id=OuterRef("item_id"))
        .filter(Q(variation__isnull=True) | Q(Exists(listed_variation)))
        .alias(date=Coalesce("subevent_id", Value(0)))
        .filter(date=OuterRef("quota_date"))
    )


def count_per_quota(quotas: Sequence[Quota], positions: QuerySet) -> dict[int, int]:
    matching = drawing_from_quota(positions).order_by().values("item_id").annotate(n=Count("pk")).values("n")
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


def count_pending_positions(quotas: Sequence[Quota]) -> dict[int, int]:
    return count_per_quota(quotas, OrderPosition.objects.filter(order__status=OrderStatus.PENDING))


def count_paid_positions(quotas: Sequence[Quota]) -> dict[int, int]:
    return count_per_quota(quotas, OrderPosition.objects.filter(order__status=OrderStatus.PAID))


def count_cart_positions(quotas: Sequence[Quota]) -> dict[int, int]:
    """Positions of unexpired carts. A position carrying a voucher that blocks quota is left out:
    the voucher already holds its place (``BLOCKING_VOUCHERS``)."""
    positions = CartPosition.objects.filter(cart__expires__gt=timezone.now()).exclude(
        voucher__block_quota=True
    )
    return count_per_quota(quotas, positions)

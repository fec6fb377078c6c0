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

from django.db import connection
from django.utils import timezone

from config.errors import ConflictError
from orders.catalog import Catalog, quota_membership
from orders.drafts import PositionSpec
from orders.models import Cart, CartPosition, OrderStatus, ProductSales
from ticketing import rawsql
from ticketing.models import Quota
from ticketing.selectors import quota_availabilities
from vouchers.models import Voucher
from vouchers.quotas import count_blocking_vouchers
from vouchers.resolution import ResolvedCode


def _tables() -> dict[str, str]:
    items, variations = Quota.items, Quota.variations
    return {
        "quota": Quota._meta.db_table,
        "qi": items.through._meta.db_table,
        "qi_quota": items.field.m2m_column_name(),
        "qi_item": items.field.m2m_reverse_name(),
        "qv": variations.through._meta.db_table,
        "qv_quota": variations.field.m2m_column_name(),
        "qv_variation": variations.field.m2m_reverse_name(),
        "sales": ProductSales._meta.db_table,
        "cartpos": CartPosition._meta.db_table,
        "cart": Cart._meta.db_table,
        "voucher": Voucher._meta.db_table,
    }


# Plain SQL (the same on PostgreSQL and SQLite): these run in every checkout, and building the
# equivalent ORM expressions costs more than running them. One row per (quota, item) of the
# quota's item list joined with what draws from it, summed per quota.
SOLD_SQL = """
SELECT qi.{qi_quota}, s.status, SUM(s.quantity)
FROM {qi} qi
JOIN {quota} q ON q.id = qi.{qi_quota}
JOIN {sales} s ON s.item_id = qi.{qi_item} AND s.subevent_key = COALESCE(q.subevent_id, 0)
WHERE qi.{qi_quota} IN ({quota_ids}) AND s.status IN (%s, %s) AND (
    s.variation_key = 0 OR EXISTS (
        SELECT 1 FROM {qv} qv WHERE qv.{qv_quota} = qi.{qi_quota} AND qv.{qv_variation} = s.variation_key
    )
)
GROUP BY qi.{qi_quota}, s.status
"""

CART_SQL = """
SELECT qi.{qi_quota}, COUNT(p.id)
FROM {qi} qi
JOIN {quota} q ON q.id = qi.{qi_quota}
JOIN {cartpos} p ON p.item_id = qi.{qi_item} AND COALESCE(p.subevent_id, 0) = COALESCE(q.subevent_id, 0)
JOIN {cart} c ON c.id = p.cart_id
LEFT JOIN {voucher} v ON v.id = p.voucher_id
WHERE qi.{qi_quota} IN ({quota_ids}) AND c.expires > %s AND (v.id IS NULL OR NOT v.block_quota) AND (
    p.variation_id IS NULL OR EXISTS (
        SELECT 1 FROM {qv} qv WHERE qv.{qv_quota} = qi.{qi_quota} AND qv.{qv_variation} = p.variation_id
    )
)
GROUP BY qi.{qi_quota}
"""


def _run(sql: str, quotas: Sequence[Quota], params: list) -> list[tuple]:
    ids = [int(q.pk) for q in quotas]
    if not ids:
        return []
    query = sql.format(**_tables(), quota_ids=", ".join(["%s"] * len(ids)))
    with connection.cursor() as cursor:
        cursor.execute(query, ids + params)
        return cursor.fetchall()


def count_sold(quotas: Sequence[Quota]) -> dict[str, dict[int, int]]:
    """``{status: {quota_id: positions}}`` of pending and paid orders, from ``ProductSales``:
    as fast with a million orders as with one."""
    counts: dict[str, dict[int, int]] = {OrderStatus.PENDING: {}, OrderStatus.PAID: {}}
    for quota_id, status, total in _run(SOLD_SQL, quotas, [OrderStatus.PENDING, OrderStatus.PAID]):
        counts[status][quota_id] = int(total or 0)
    return counts


def count_pending_positions(quotas: Sequence[Quota]) -> dict[int, int]:
    return count_sold(quotas)[OrderStatus.PENDING]


def count_paid_positions(quotas: Sequence[Quota]) -> dict[int, int]:
    return count_sold(quotas)[OrderStatus.PAID]


def count_cart_positions(quotas: Sequence[Quota]) -> dict[int, int]:
    """Positions of unexpired carts. A position carrying a voucher that blocks quota is left out:
    the voucher already holds its place (``BLOCKING_VOUCHERS``)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return {quota_id: int(n) for quota_id, n in _run(CART_SQL, quotas, [now])}


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
    ids = sorted(quota_ids)
    if not ids:
        return []
    # Plain SQL (``ticketing.rawsql``): this runs under the locks of every checkout.
    suffix = "FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    where = f"id IN ({rawsql.placeholders(ids)}) AND size IS NOT NULL"
    return rawsql.select(Quota, where, ids, order_by="id", suffix=suffix)


def usage_besides_orders(quotas: Sequence[Quota], *, event) -> dict[int, int]:
    """What unexpired carts and vouchers that block quota hold of each quota (read before the
    checkout's locks: neither is changed by a checkout, and neither is ordered by the quota lock).

    The same counters quota availability uses; the blocking vouchers' one only runs when the
    event has a blocking voucher with uses left (otherwise it counts 0 by definition).
    """
    if not quotas:
        return {}
    held = Counter(count_cart_positions(quotas))
    sql = (
        f"SELECT 1 FROM {Voucher._meta.db_table} "
        "WHERE event_id = %s AND block_quota AND redeemed < max_usages LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
        blocking = cursor.fetchone() is not None
    if blocking:
        held.update(count_blocking_vouchers(quotas))
    return dict(held)


def verify_quotas(
    rows: Sequence[Quota], needs: QuotaNeeds, *, besides_orders: dict[int, int] | None = None
) -> None:
    """409 ``quota_exceeded`` naming the first quota (by id) without room for what is needed.

    Without ``besides_orders`` every kind of usage is counted now (``quota_availabilities``).
    With it (what carts and blocking vouchers hold, from :func:`usage_besides_orders`) only
    the orders are counted here, from the running sales counts: that is what concurrent
    checkouts change, and they cannot while the quota rows are locked. (A blocking voucher
    redeemed meanwhile moves a use from "blocking" to "pending": the count can only be
    larger than the truth, never smaller.)
    """
    rows = [q for q in rows if needs.need[q.pk]]
    if not rows:
        return
    if besides_orders is None:
        left_of = {pk: a.available_number for pk, a in quota_availabilities(rows).items()}
    else:
        sold = count_sold(rows)
        left_of = {}
        for quota in rows:
            used = (
                sold[OrderStatus.PENDING].get(quota.pk, 0) + sold[OrderStatus.PAID].get(quota.pk, 0)
                + besides_orders.get(quota.pk, 0)
            )  # fmt: skip
            left_of[quota.pk] = None if quota.size is None else max(quota.size - used, 0)
    for quota in rows:
        left = left_of[quota.pk]
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

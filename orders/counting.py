"""What orders and carts take: positions sold per quota, places and code uses held by unexpired carts.

The quota counters are registered with ``ticketing.quota_usage`` and the code-hold
counter with ``vouchers.cart_holds`` (``OrdersConfig.ready()``), so quota
availability and the public code lookup count what this app holds. The checkout
pipeline reads all of its counts in one statement under its locks
(:func:`count_taken`).

A position draws from a quota when the quota lists its item, lists its variation
(for a position with a variation), and is of the position's date (both without a
date outside a series). Orders are counted from the running ``ProductSales``
counts (not by counting positions, which would slow every checkout down as sales
grow); carts by counting the positions of unexpired carts. A cart position
carrying a voucher that blocks quota is not counted: the voucher holds its place.
A voucher's uses are held per position carrying it, a coupon's per cart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.db import connection
from django.utils import timezone

from core import rawsql
from orders.models import Cart, CartCode, CartPosition, OrderStatus, ProductSales
from ticketing.models import Quota
from vouchers.models import Coupon, Voucher
from vouchers.quotas import blocking_voucher_ids


def _tables() -> dict[str, str]:
    items, variations = Quota.items, Quota.variations
    return {
        "quota": rawsql.table(Quota),
        "qi": rawsql.table(items.through),
        "qi_quota": items.field.m2m_column_name(),
        "qi_item": items.field.m2m_reverse_name(),
        "qv": rawsql.table(variations.through),
        "qv_quota": variations.field.m2m_column_name(),
        "qv_variation": variations.field.m2m_reverse_name(),
        "sales": rawsql.table(ProductSales),
        "cartpos": rawsql.table(CartPosition),
        "cart": rawsql.table(Cart),
        "cartcode": rawsql.table(CartCode),
    }


# Plain SQL (the same on PostgreSQL and SQLite): these run under the locks of every checkout, and
# building the equivalent ORM expressions costs more than running them. Each part gives rows of
# (what, id, status, count); ``{other_cart}`` leaves the cart being changed or checked out aside,
# ``{not_blocking}`` the positions carrying a voucher that holds their place itself. Only this app's
# tables and ticketing's quota tables are read; every name comes from the models.
SOLD_SQL = """
SELECT 'sold', qi.{qi_quota}, s.status, SUM(s.quantity)
FROM {qi} qi
JOIN {quota} q ON q.id = qi.{qi_quota}
JOIN {sales} s ON s.item_id = qi.{qi_item} AND s.subevent_key = COALESCE(q.subevent_id, 0)
WHERE qi.{qi_quota} IN ({ids}) AND s.status IN (%s, %s) AND (
    s.variation_key = 0 OR EXISTS (
        SELECT 1 FROM {qv} qv WHERE qv.{qv_quota} = qi.{qi_quota} AND qv.{qv_variation} = s.variation_key
    )
)
GROUP BY qi.{qi_quota}, s.status
"""

CART_SQL = """
SELECT 'cart', qi.{qi_quota}, '', COUNT(p.id)
FROM {qi} qi
JOIN {quota} q ON q.id = qi.{qi_quota}
JOIN {cartpos} p ON p.item_id = qi.{qi_item} AND COALESCE(p.subevent_id, 0) = COALESCE(q.subevent_id, 0)
JOIN {cart} c ON c.id = p.cart_id
WHERE qi.{qi_quota} IN ({ids}) AND c.expires > %s{other_cart}{not_blocking} AND (
    p.variation_id IS NULL OR EXISTS (
        SELECT 1 FROM {qv} qv WHERE qv.{qv_quota} = qi.{qi_quota} AND qv.{qv_variation} = p.variation_id
    )
)
GROUP BY qi.{qi_quota}
"""

VOUCHER_HELD_SQL = """
SELECT 'voucher', p.voucher_id, '', COUNT(*)
FROM {cartpos} p JOIN {cart} c ON c.id = p.cart_id
WHERE p.voucher_id IN ({ids}) AND c.expires > %s{other_cart}
GROUP BY p.voucher_id
"""

COUPON_HELD_SQL = """
SELECT 'coupon', k.coupon_id, '', COUNT(DISTINCT k.cart_id)
FROM {cartcode} k JOIN {cart} c ON c.id = k.cart_id
WHERE k.coupon_id IN ({ids}) AND c.expires > %s{other_cart}
GROUP BY k.coupon_id
"""


@dataclass(frozen=True)
class Counts:
    """What is taken, by quota and by code. ``held_*`` leave one cart aside (the one being changed)."""

    sold: dict[int, int] = field(default_factory=dict)  # quota id → positions of pending and paid orders
    held_places: dict[int, int] = field(default_factory=dict)  # quota id → positions of other carts
    held_vouchers: dict[int, int] = field(default_factory=dict)  # voucher id → positions of other carts
    held_coupons: dict[int, int] = field(default_factory=dict)  # coupon id → other carts


def count_taken(
    *,
    quota_ids: Sequence[int] = (),
    voucher_ids: Sequence[int] = (),
    coupon_ids: Sequence[int] = (),
    now: datetime,
    sold: bool = True,
    exclude_cart: UUID | None = None,
    blocking_vouchers: Sequence[int] = (),
    exclude_carts: Sequence[UUID] = (),
) -> Counts:
    """Every count asked for, in one statement (a ``UNION ALL`` of the parts needed).

    ``blocking_vouchers``: the vouchers that hold quota now (``vouchers.quotas.blocking_voucher_ids``):
    cart positions carrying one take no place of their own. ``exclude_cart`` and ``exclude_carts``:
    carts whose holds are the operation's own (not counted)."""
    moment = connection.ops.adapt_datetimefield_value(now)
    other_cart, other_params = "", []
    excluded = [*([exclude_cart] if exclude_cart is not None else []), *exclude_carts]
    if excluded:
        other_cart = f" AND c.id NOT IN ({rawsql.placeholders(excluded)})"
        other_params = [Cart._meta.pk.get_db_prep_value(cart_id, connection) for cart_id in excluded]
    tables = _tables()
    parts: list[str] = []
    params: list = []

    not_blocking, blocking_params = "", []
    if blocking_vouchers:
        not_blocking = (
            f" AND (p.voucher_id IS NULL OR p.voucher_id NOT IN ({rawsql.placeholders(blocking_vouchers)}))"
        )
        blocking_params = [int(i) for i in blocking_vouchers]

    def part(sql: str, ids: Sequence[int], extra: list) -> None:
        sql = sql.format(
            **tables, ids=rawsql.placeholders(ids), other_cart=other_cart, not_blocking=not_blocking
        )
        parts.append(sql.strip())
        params.extend([*(int(i) for i in ids), *extra])

    if quota_ids and sold:
        part(SOLD_SQL, quota_ids, [OrderStatus.PENDING, OrderStatus.PAID])
    if quota_ids:
        part(CART_SQL, quota_ids, [moment, *other_params, *blocking_params])
    if voucher_ids:
        part(VOUCHER_HELD_SQL, voucher_ids, [moment, *other_params])
    if coupon_ids:
        part(COUPON_HELD_SQL, coupon_ids, [moment, *other_params])
    found: dict[str, Counter[int]] = {
        "sold": Counter(),
        "cart": Counter(),
        "voucher": Counter(),
        "coupon": Counter(),
    }
    if parts:
        for what, key, _status, n in rawsql.fetch(" UNION ALL ".join(parts), params):
            found[what][key] += int(n or 0)
    return Counts(
        sold=dict(found["sold"]),
        held_places=dict(found["cart"]),
        held_vouchers=dict(found["voucher"]),
        held_coupons=dict(found["coupon"]),
    )


def count_sold(quotas: Sequence[Quota]) -> dict[str, dict[int, int]]:
    """``{status: {quota_id: positions}}`` of pending and paid orders, from ``ProductSales``:
    as fast with a million orders as with one."""
    counts: dict[str, dict[int, int]] = {OrderStatus.PENDING: {}, OrderStatus.PAID: {}}
    ids = [int(q.pk) for q in quotas]
    if not ids:
        return counts
    sql = SOLD_SQL.format(**_tables(), ids=rawsql.placeholders(ids))
    for _what, quota_id, status, total in rawsql.fetch(sql, [*ids, OrderStatus.PENDING, OrderStatus.PAID]):
        counts[status][quota_id] = int(total or 0)
    return counts


def count_pending_positions(quotas: Sequence[Quota]) -> dict[int, int]:
    return count_sold(quotas)[OrderStatus.PENDING]


def count_paid_positions(quotas: Sequence[Quota]) -> dict[int, int]:
    return count_sold(quotas)[OrderStatus.PAID]


def count_cart_positions(quotas: Sequence[Quota]) -> dict[int, int]:
    """Positions of unexpired carts (the ``CART_POSITIONS`` quota counter): two queries, the
    blocking vouchers of the quotas' events, then the count."""
    blocking = blocking_voucher_ids({q.event_id for q in quotas})
    counts = count_taken(
        quota_ids=[q.pk for q in quotas], now=timezone.now(), sold=False, blocking_vouchers=blocking
    )
    return counts.held_places


def count_code_holds(row: Voucher | Coupon | None, now: datetime) -> int:
    """Uses of one code held by unexpired carts (the ``vouchers.cart_holds`` counter; no row: the
    same query, finding nothing)."""
    if row is None:
        return count_taken(coupon_ids=[0], now=now).held_coupons.get(0, 0)
    if isinstance(row, Voucher):
        return count_taken(voucher_ids=[row.pk], now=now).held_vouchers.get(row.pk, 0)
    return count_taken(coupon_ids=[row.pk], now=now).held_coupons.get(row.pk, 0)

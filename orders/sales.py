"""Keeping ``ProductSales`` in step with orders, in the transaction that changes them.

One statement per change, whatever the number of positions: an upsert that adds
``delta`` to each (item, variation, date, status) row, rows in key order so that two
transactions touching the same products lock them in the same order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection
from django.db.models import Count

from orders.models import LIVE_STATUSES, Order, OrderPosition, ProductSales

ProductKey = tuple[int, int, int, str]  # item, variation or 0, date or 0, status


def product_key(item: int, variation: int | None, subevent: int | None, status: str) -> ProductKey:
    return (item, variation or 0, subevent or 0, str(status))


def record_sales(changes: Counter[ProductKey]) -> None:
    """Add each delta to its product's count (rows are created as needed)."""
    rows = sorted((key, delta) for key, delta in changes.items() if delta)
    if not rows:
        return
    table = ProductSales._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params: list = []
    for (item, variation, subevent, status), delta in rows:
        params += [item, variation, subevent, status, delta]
    sql = (
        f"INSERT INTO {table} (item_id, variation_key, subevent_key, status, quantity) VALUES {values} "
        f"ON CONFLICT (item_id, variation_key, subevent_key, status) "
        f"DO UPDATE SET quantity = {table}.quantity + excluded.quantity"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


Product = tuple[int, int | None, int | None]  # item, variation, date


def positions_sold(positions: Iterable[Product], status: str) -> Counter[ProductKey]:
    """``+1`` per (item, variation, date) position in ``status``."""
    return Counter(product_key(item, variation, subevent, status) for item, variation, subevent in positions)


def order_status_moved(order: Order, old: str, new: str | None) -> None:
    """The order's positions leave ``old`` and join ``new`` (None: canceled orders are not counted)."""
    changes: Counter[ProductKey] = Counter()
    rows = (
        order.positions.filter(canceled=False)
        .values("item_id", "variation_id", "subevent_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        changes[product_key(row["item_id"], row["variation_id"], row["subevent_id"], old)] -= row["n"]
        if new is not None:
            changes[product_key(row["item_id"], row["variation_id"], row["subevent_id"], new)] += row["n"]
    record_sales(changes)



def sales_recount() -> int:
    """Rebuild every ``ProductSales`` row from the positions of pending and paid orders (a repair
    tool, e.g. after editing orders in the database by hand); returns the number of rows."""
    rows = (
        OrderPosition.objects.filter(order__status__in=LIVE_STATUSES, canceled=False)
        .values("item_id", "variation_id", "subevent_id", "order__status")
        .annotate(n=Count("id"))
        .order_by()
    )
    fresh = [
        ProductSales(
            item_id=row["item_id"], variation_key=row["variation_id"] or 0,
            subevent_key=row["subevent_id"] or 0, status=row["order__status"], quantity=row["n"],
        )  # fmt: skip
        for row in rows
    ]
    ProductSales.objects.all().delete()
    ProductSales.objects.bulk_create(fresh)
    return len(fresh)

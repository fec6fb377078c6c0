"""Transactions that lock rows with a time limit, and the locks the checkout takes.

On PostgreSQL every locking transaction starts with ``SET LOCAL lock_timeout``;
a lock (or a unique-index wait) not obtained in time ends the transaction and
becomes 409 ``{"code": "busy"}`` with ``Retry-After``, never a 500. On SQLite
``select_for_update()`` does nothing and writers are serialised by the database.

Lock order, the same in every workflow so that two of them never wait on each
other: quotas, then vouchers, then coupons (promo codes are coupon rows), each
by primary key.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from config.errors import ConflictError
from ticketing import rawsql
from vouchers.models import Coupon, CouponEventUsage, Voucher
from vouchers.selectors import with_codes

#: SQLSTATEs of "could not obtain the lock in time" and "deadlock detected".
LOCK_FAILURES = {"55P03", "40P01"}
RETRY_AFTER_SECONDS = 1


def lock_timeout_ms() -> int:
    return int(getattr(settings, "ORDERS_LOCK_TIMEOUT_MS", 5000))


class Busy(ConflictError):
    code = "busy"
    default_detail = "Too many people are buying the same thing right now; try again in a moment."


def is_lock_failure(exc: BaseException) -> bool:
    if connection.vendor == "sqlite":
        return "locked" in str(exc)  # waited longer than the database's timeout for a writer
    return getattr(exc.__cause__, "sqlstate", None) in LOCK_FAILURES


@contextmanager
def locking_transaction() -> Iterator[None]:
    """An atomic block with a lock timeout (set once, by the outermost block)."""
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{lock_timeout_ms():d}ms'")
            yield
    except OperationalError as exc:
        if is_lock_failure(exc):
            raise Busy(retry_after=RETRY_AFTER_SECONDS) from exc
        raise


def lock_codes(*, event, codes: Collection[str]) -> dict[str, Voucher | Coupon]:
    """Lock the event's vouchers and the organizer's coupons carrying ``codes`` (normalised),
    vouchers first, then coupons, each in primary-key order; return the fresh rows by code.

    A voucher of the event wins over a coupon with the same text, as in code lookup. Coupons
    come with their series (not locked) and ``event_orders``, their uses in this event.
    """
    if not codes:
        return {}
    codes = sorted(codes)
    # Plain SQL (``ticketing.rawsql``) for the vouchers, the common case of every checkout with a
    # code; the same condition as ``vouchers.selectors.with_codes`` (the ``UPPER(code)`` index).
    suffix = "FOR UPDATE" if connection.features.has_select_for_update else ""
    where = f"event_id = %s AND UPPER(code) IN ({rawsql.placeholders(codes)})"
    vouchers = rawsql.select(Voucher, where, [event.pk, *codes], order_by="id", suffix=suffix)
    rows: dict[str, Voucher | Coupon] = {voucher.code.upper(): voucher for voucher in vouchers}
    rest = [code for code in codes if code not in rows]
    if not rest:
        return rows
    event_orders = CouponEventUsage.objects.filter(coupon=OuterRef("pk"), event_id=event.pk).values("orders")
    coupons = (
        with_codes(Coupon.objects.filter(organizer_id=event.organizer_id), rest)
        .select_related("series")
        .select_for_update(of=("self",))
        .annotate(event_orders=Coalesce(Subquery(event_orders[:1], output_field=IntegerField()), Value(0)))
        .order_by("pk")
    )
    rows.update({coupon.code.upper(): coupon for coupon in coupons})
    return rows

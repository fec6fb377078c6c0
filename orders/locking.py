"""Transactions that lock rows with a time limit.

On PostgreSQL every locking transaction starts with ``SET LOCAL lock_timeout``;
a lock (or a unique-index wait) not obtained in time ends the transaction and
becomes 409 ``{"code": "busy"}`` with ``Retry-After``, never a 500. On SQLite
``select_for_update()`` does nothing and writers are serialised by the database.

Lock order, the same in every workflow so that two of them never wait on each
other in a cycle: the cart, then quotas, then vouchers, then coupons (promo codes
are coupon rows), then gift cards, each by primary key (``orders.checkout.gather``,
``vouchers.services.usage``, ``vouchers.services.giftcards``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.db import OperationalError, connection, transaction

from core.errors import ConflictError
from core.metrics import count_busy, lock_statement_timer

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
            with connection.execute_wrapper(lock_statement_timer) if outermost else nullcontext():
                yield
    except OperationalError as exc:
        if is_lock_failure(exc):
            count_busy()
            raise Busy(retry_after=RETRY_AFTER_SECONDS) from exc
        raise

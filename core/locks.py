"""Row locks: the one order they are taken in, and transactions that wait for them with a time limit.

**The lock order.** Every write that limits something (a checkout, a cart change, an order's cancel, a
voucher's create or change, a quota's edit) locks the rows it counts on in this order, each kind by primary
key, so that two of them never wait on each other in a cycle:

1. carts (``orders``: a cart's change or checkout, the carts an order consumes),
2. orders (``orders``: a status change),
3. quotas (``ticketing``: a checkout, a blocking voucher's create or change, a quota's edit),
4. codes: vouchers, then coupons (promo codes are coupon rows), each by primary key (``vouchers``),
5. gift cards (``vouchers``).

:func:`lock_in_order` is the only way in: each app hands it the lock of its own rows (a function that
takes the locks and returns the rows it read) under the kind's name, and it calls them in this order.
Within one operation (one atomic block) it also refuses (``LockOrderError``, a programming error) a call
that would lock a kind earlier in the order than one already locked, so a path that takes its locks in
several steps (the checkout locks the cart before it knows the quotas) cannot get the order wrong unnoticed.

**Waiting.** On PostgreSQL every locking transaction starts with ``SET LOCAL lock_timeout``; a lock (or a
unique-index wait) not obtained in time ends the transaction and becomes 409 ``{"code": "busy"}`` with
``Retry-After``, never a 500. On SQLite ``select_for_update()`` does nothing and writers are serialised by
the database.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction

from core.errors import ConflictError
from core.metrics import count_busy, lock_statement_timer

#: SQLSTATEs of "could not obtain the lock in time" and "deadlock detected".
LOCK_FAILURES = {"55P03", "40P01"}
RETRY_AFTER_SECONDS = 1


class LockKind(enum.IntEnum):
    """The kinds of rows that are locked, in the order they are locked."""

    CART = 1
    ORDER = 2
    QUOTA = 3
    CODE = 4
    GIFT_CARD = 5


class LockOrderError(RuntimeError):
    """A path tried to lock rows of a kind that comes before one it already locked."""


def lock_timeout_ms() -> int:
    return int(getattr(settings, "ORDERS_LOCK_TIMEOUT_MS", 5000))


class Busy(ConflictError):
    code = "busy"
    default_detail = "Too many people are buying the same thing right now; try again in a moment."


def is_lock_failure(exc: BaseException) -> bool:
    if connection.vendor == "sqlite":
        return "locked" in str(exc)  # waited longer than the database's timeout for a writer
    return getattr(exc.__cause__, "sqlstate", None) in LOCK_FAILURES


def operation_block():
    """The atomic block of the operation under way: the innermost one, or None when only a test case's own
    blocks are open (a stage of a workflow called alone in a test)."""
    block = connection.atomic_blocks[-1]
    return None if block._from_testcase else block


def lock_in_order(**lockers: Callable[[], Any] | None) -> dict[LockKind, Any]:
    """Call each given locker in the lock order and return what each returned, by kind.

    The keywords are the kinds' names in lower case (``cart``, ``order``, ``quota``, ``code``,
    ``gift_card``); a locker left out or ``None`` locks nothing. Must run inside a transaction.
    """
    kinds = {LockKind[name.upper()]: fn for name, fn in lockers.items() if fn is not None}
    if not kinds:
        return {}
    if not connection.in_atomic_block:
        raise LockOrderError("Row locks are taken inside a transaction.")
    block = operation_block()
    # (the operation's block, the last kind locked in it), kept on the connection; the block itself, not
    # its id(), so that a later operation's block can never be taken for it. An operation that calls
    # another in an atomic block of its own (cancel several orders in one transaction) is checked per block.
    last_block, last_kind = getattr(connection, "_ticketshop_last_lock", (None, None))
    first = min(kinds)
    if block is not None and last_block is block and first < last_kind:
        raise LockOrderError(
            f"{first.name.lower()} rows are locked before {last_kind.name.lower()} rows, not after."
        )
    locked = {}
    for kind in sorted(kinds):
        locked[kind] = kinds[kind]()
        connection._ticketshop_last_lock = (block, kind)
    return locked


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

"""Uses of codes that unexpired carts hold, counted by the app that owns carts.

Carts live in ``orders``, which depends on ``vouchers``, so ``vouchers`` cannot
count them itself. ``orders`` registers the counter from ``OrdersConfig.ready()``
(as it registers its quota counters with ``ticketing.quota_usage``); the public
code lookup asks it, so that a code whose last use is held in a cart reads
``held_in_other_cart`` there just as a second cart is told. Without a registered
counter nothing is held.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from vouchers.models import Coupon, Voucher

#: ``counter(row, now)``: uses of this voucher (positions) or coupon (carts) held by unexpired carts;
#: for no row (an unknown code) it runs the same query and finds 0, so that a lookup of an unknown
#: code takes as long as one of a known code.
HoldsCounter = Callable[[Voucher | Coupon | None, datetime], int]

_counters: list[HoldsCounter] = []


def register_code_holds(fn: HoldsCounter) -> None:
    """Make ``fn`` the counter of code holds (registering the same function again is harmless)."""
    if _counters and _counters[0] is not fn:
        raise ValueError(f"A counter of code holds is already registered: {_counters[0]!r}.")
    _counters[:] = [fn]


def code_holds(row: Voucher | Coupon | None, *, now: datetime) -> int:
    if not _counters:
        return 0
    return _counters[0](row, now)

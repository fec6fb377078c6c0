"""What uses up a quota, contributed by the apps that own it.

Orders, carts and vouchers live in apps that depend on ``ticketing``, so
``ticketing`` cannot import them to count what they hold. Instead each of those
apps registers one counting function per kind of usage from its
``AppConfig.ready()``::

    register_quota_usage(QuotaUsage.PAID_ORDERS, count_paid_positions)

A counting function takes a list of quotas and returns ``{quota_id: count}`` in
ONE query, whatever the number of quotas (quotas it leaves out count 0). Kinds
nobody registered count 0, so availability works before those apps exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from ticketing.models import Quota


class QuotaUsage(models.TextChoices):
    PENDING_ORDERS = "pending_orders", "Positions of pending orders"
    PAID_ORDERS = "paid_orders", "Positions of paid orders"
    CART_POSITIONS = "cart_positions", "Positions in unexpired carts"
    BLOCKING_VOUCHERS = "blocking_vouchers", "Uses held back by vouchers that block quota"


UsageCounter = Callable[[Sequence["Quota"]], dict[int, int]]

_counters: dict[QuotaUsage, UsageCounter] = {}


def register_quota_usage(name: QuotaUsage | str, fn: UsageCounter) -> None:
    """Make ``fn`` the counter of one kind of usage.

    One counter per kind: a second, different counter for the same kind is a
    programming error (it would count the same positions twice), so it raises.
    Registering the same function again is harmless (``ready()`` may run twice).
    """
    kind = QuotaUsage(name)  # ValueError for an unknown kind
    current = _counters.get(kind)
    if current is not None and current is not fn:
        raise ValueError(f"A counter for quota usage '{kind}' is already registered: {current!r}.")
    _counters[kind] = fn


@contextmanager
def override_quota_usage(counters: dict[QuotaUsage | str, UsageCounter]) -> Iterator[None]:
    """Temporarily replace some kinds' counters (for tests); the registered ones come back afterwards."""
    saved = dict(_counters)
    try:
        for name, fn in counters.items():
            _counters[QuotaUsage(name)] = fn
        yield
    finally:
        _counters.clear()
        _counters.update(saved)


def quota_usage_counts(quotas: Sequence[Quota]) -> dict[QuotaUsage, dict[int, int]]:
    """Every kind's ``{quota_id: count}`` for the quotas: one query per registered kind."""
    quotas = list(quotas)
    counts: dict[QuotaUsage, dict[int, int]] = {kind: {} for kind in QuotaUsage}
    if not quotas:
        return counts
    for kind, counter in _counters.items():
        counts[kind] = dict(counter(quotas))
    return counts

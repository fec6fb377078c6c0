"""Quota rows: their lock, and their writes, which never leave a quota smaller than what is committed.

**Committed** to a quota: the positions of pending and paid orders and the uses blocking vouchers hold
back (``ticketing.quota_usage``: counted by the apps that own them). A quota created, resized or given
other items, variations or a date must still hold what is committed to it, or the change is refused with
409 ``quota_too_small`` naming the figures; a quota with sales (or vouchers scoped to it) cannot be deleted
(409 ``quota_in_use``). Carts are not commitments: they expire within minutes, and a checkout refuses what
no longer fits (``orders.checkout.check``), so a quota may be cut below what carts hold.

Every write takes the quota's row lock first, in the one lock order (``core.locks``): a checkout or a
blocking voucher's create counting the same quota waits for the change, then sees it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction

from core import rawsql
from core.errors import ConflictError
from core.locks import LockKind, lock_in_order, locking_transaction
from ticketing.models import Event, Item, ItemVariation, Quota
from ticketing.selectors import quota_availabilities


class QuotaTooSmall(ConflictError):
    code = "quota_too_small"


class QuotaInUse(ConflictError):
    code = "quota_in_use"


def limited_quotas(quota_ids: Iterable[int], *, lock: bool) -> list[Quota]:
    """The quotas with a size among ``quota_ids``, fresh; ``lock``: ``FOR UPDATE`` in id order (call it
    through :func:`core.locks.lock_in_order`)."""
    ids = sorted(set(quota_ids))
    if not ids:
        return []
    # Plain SQL (``core.rawsql``): this runs under the locks of every checkout.
    suffix = "FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    where = f"id IN ({rawsql.placeholders(ids)}) AND size IS NOT NULL"
    return rawsql.select(Quota, where, ids, order_by="id", suffix=suffix)


def quotas_lock(quota_ids: Iterable[int]) -> list[Quota]:
    """Lock these quotas' rows (those with a size, the only ones anything counts against), in the lock
    order; their fresh rows, by id."""
    ids = sorted(set(quota_ids))
    if not ids:
        return []
    return lock_in_order(quota=lambda: limited_quotas(ids, lock=True))[LockKind.QUOTA]


def check_commitments(quotas: Sequence[Quota]) -> None:
    """409 ``quota_too_small`` for the first quota (by id) whose size is below what orders and blocking
    vouchers hold of it, as stored now (call it under the quotas' locks, after the change)."""
    limited = sorted((q for q in quotas if q.size is not None), key=lambda q: q.pk)
    if not limited:
        return
    availability = quota_availabilities(limited)
    for quota in limited:
        used = availability[quota.pk]
        sold = used.pending_orders + used.paid_orders
        committed = sold + used.blocking_vouchers
        if committed > quota.size:
            verb = "is" if sold == 1 else "are"
            raise QuotaTooSmall(
                f"Quota '{quota.name}' cannot hold only {quota.size}: {sold} {verb} sold "
                f"({used.paid_orders} paid, {used.pending_orders} pending) "
                f"and blocking vouchers hold {used.blocking_vouchers}, so it needs at least {committed}.",
                quota=quota.pk, size=quota.size, paid_orders=used.paid_orders,
                pending_orders=used.pending_orders, blocking_vouchers=used.blocking_vouchers,
                cart_positions=used.cart_positions, minimum_size=committed,
            )  # fmt: skip


def quota_create(
    *,
    event: Event,
    items: Iterable[Item] = (),
    variations: Iterable[ItemVariation] = (),
    **fields: Any,
) -> Quota:
    """A new quota; its items may have sold already, and those sales count against it at once."""
    with locking_transaction():
        quota = Quota.objects.create(event=event, **fields)
        quotas_lock([quota.pk])
        quota.items.set(list(items))
        quota.variations.set(list(variations))
        check_commitments([quota])
    return quota


def quota_update(
    *,
    quota: Quota,
    items: Iterable[Item] | None = None,
    variations: Iterable[ItemVariation] | None = None,
    **fields: Any,
) -> Quota:
    """Change a quota (None: its items or variations unchanged), under its lock."""
    with locking_transaction():
        quotas_lock([quota.pk])
        for name, value in fields.items():
            setattr(quota, name, value)
        if fields:
            quota.save(update_fields=list(fields))
        if items is not None:
            quota.items.set(list(items))
        if variations is not None:
            quota.variations.set(list(variations))
        check_commitments([quota])
    return quota


def quota_delete(*, quota: Quota) -> None:
    """Delete a quota that nothing is committed to: with sales or vouchers scoped to it, 409
    ``quota_in_use`` (selling would stop, or the vouchers would go with it)."""
    with locking_transaction():
        quotas_lock([quota.pk])
        used = quota_availabilities([quota])[quota.pk]
        sold = used.pending_orders + used.paid_orders
        vouchers = quota.vouchers.count()
        if sold or vouchers:
            parts = []
            if sold:
                parts.append(f"{sold} sold ({used.paid_orders} paid, {used.pending_orders} pending)")
            if vouchers:
                parts.append(f"{vouchers} voucher{'s' if vouchers != 1 else ''} scoped to it")
            raise QuotaInUse(
                f"Quota '{quota.name}' cannot be deleted: it has {' and '.join(parts)}. "
                "Set its size to what is sold to stop selling instead.",
                quota=quota.pk, paid_orders=used.paid_orders, pending_orders=used.pending_orders,
                vouchers=vouchers,
            )  # fmt: skip
        quota.delete()


class _Trial(Exception):
    """Rolls a trial change back (:func:`quota_change_check`)."""


def quota_change_check(
    *,
    quota: Quota | None,
    event: Event,
    items: Iterable[Item],
    variations: Iterable[ItemVariation],
    **fields: Any,
) -> None:
    """Raise what :func:`quota_create` (``quota`` None or unsaved) or :func:`quota_update` would for this
    change, without keeping it: it is made in a savepoint that is rolled back. A stored quota's lock is
    taken first, outside the savepoint, so it is held until the caller's transaction ends: the back office
    checks a form with it, then saves the form in the same transaction."""
    if quota is not None and quota.pk is not None:
        quotas_lock([quota.pk])
    try:
        with transaction.atomic():
            if quota is None or quota.pk is None:
                quota_create(event=event, items=items, variations=variations, **fields)
            else:
                trial = Quota.objects.get(pk=quota.pk)
                quota_update(quota=trial, items=items, variations=variations, **fields)
            raise _Trial
    except _Trial:
        pass

"""Housekeeping: drop what nobody can use any more.

- Expired carts hold nothing (availability ignores them) and cannot be checked out;
  deleting them keeps the carts table small.
- Idempotency keys only need to outlive a client's retries; after that the stored
  responses are dead weight.

Run both regularly with ``manage.py cleanup`` (e.g. every few minutes from cron).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from orders.models import Cart, IdempotencyKey

DEFAULT_KEY_LIFETIME = timedelta(hours=24)
BATCH = 1000


@dataclass(frozen=True)
class CleanupResult:
    carts: int
    idempotency_keys: int


def _delete_in_batches(queryset) -> int:
    """Delete in small batches so no single statement holds many row locks for long."""
    deleted = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return deleted
        queryset.model.objects.filter(pk__in=ids).delete()
        deleted += len(ids)


def expired_carts_delete(*, now: datetime) -> int:
    return _delete_in_batches(Cart.objects.filter(expires__lt=now).order_by("expires"))


def idempotency_keys_delete(*, older_than: datetime) -> int:
    return _delete_in_batches(IdempotencyKey.objects.filter(created__lt=older_than).order_by("id"))


def orders_cleanup(*, now: datetime, key_lifetime: timedelta = DEFAULT_KEY_LIFETIME) -> CleanupResult:
    return CleanupResult(
        carts=expired_carts_delete(now=now),
        idempotency_keys=idempotency_keys_delete(older_than=now - key_lifetime),
    )

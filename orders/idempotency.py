"""``X-Idempotency-Key``: the same key with the same body returns the first response, once.

The key's row is inserted in the transaction that creates the order, before the
work. A concurrent request with the same key blocks on the unique constraint
until that transaction ends; if it committed, the request replays the stored
response, if it rolled back (the work failed), the request does the work itself.
Only successful responses are stored: a refused request can be retried with the
same key. The same key with a different body is a 409 ``idempotency_key_reused``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from core.errors import ConflictError, DomainError
from core.locks import locking_transaction
from orders.models import IdempotencyKey

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: Any
    replayed: bool


class KeyReused(ConflictError):
    code = "idempotency_key_reused"
    default_detail = "This idempotency key was used for a different request."


def request_hash(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_idempotent(
    *, scope: str, key: str | None, fingerprint: str, work: Callable[[], tuple[int, Any]]
) -> StoredResponse:
    """Run ``work`` (returning status and JSON body) once per ``(scope, key)``.

    Without a key the work simply runs. ``work`` may open its own locking
    transaction: it joins this one.
    """
    if not key:
        status, body = work()
        return StoredResponse(status, body, replayed=False)
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError(f"An idempotency key has at most {MAX_KEY_LENGTH} characters.", code="invalid")
    with locking_transaction():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(scope=scope, key=key, request_hash=fingerprint)
        except IntegrityError:
            row = IdempotencyKey.objects.get(scope=scope, key=key)
            if row.request_hash != fingerprint:
                raise KeyReused(key=key) from None
            return StoredResponse(row.response_status, row.response_body, replayed=True)
        status, body = work()
        row.response_status = status
        row.response_body = body
        row.save(update_fields=["response_status", "response_body"])
    return StoredResponse(status, body, replayed=False)

"""Stored responses of order-creating requests, replayed for a repeated ``X-Idempotency-Key``."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """The first successful response to a key within a scope (organizer, event and caller).

    The row is inserted in the same transaction as the order: a concurrent request
    with the same key waits on the unique constraint until that transaction ends,
    then replays the stored response (or does the work if the first one failed).
    """

    scope = models.CharField(max_length=200)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(default=0)
    response_body = models.JSONField(default=dict)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("id",)
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="uniq_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"

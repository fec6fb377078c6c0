"""Running the deliveries: each handler once per notification, after the commit, at least once.

- Right after the commit of the change, ``deliveries_enqueue`` hands the new deliveries to the task
  ``notifications.tasks.deliver`` (inline without a broker; see ``CELERY_*`` in config/settings.py), which
  makes their first attempt. A broker that cannot be reached, or any failure there, is logged and left
  to the periodic run: it never reaches the request that committed the change.
- Every ``NOTIFICATION_DELIVER_EVERY`` seconds the beat task ``notifications.tasks.deliver_due`` (or
  ``manage.py deliver_notifications``) runs the pending deliveries that are due: a first attempt that was
  never made (the broker was down, the worker died) and the retries.

One attempt (``delivery_attempt``) runs in a transaction of its own that locks the delivery's row, with
``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL: a delivery another worker is running is skipped, not
waited for, so several workers never run the same delivery at the same time, and spread the due ones
between them. The handler runs inside that transaction (in a savepoint): what it writes to the database
is committed together with ``done``, and rolled back if it raises. Its other effects (a request sent, a
mail) are not: a worker that dies after the handler returned and before the commit leaves the delivery
pending, and it runs again. Delivery is at least once; handlers must be idempotent.

A handler that raises: ``attempts`` + 1, ``last_error``, and the next attempt after
``retry_delay(attempts)`` (exponential: ``NOTIFICATION_RETRY_SECONDS`` doubled each time, at most
``NOTIFICATION_RETRY_MAX_SECONDS``); after ``NOTIFICATION_DELIVERY_ATTEMPTS`` attempts the delivery is
``failed`` (a WARNING in the log) and left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import signature
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.handlers import handler_named
from notifications.models import Delivery, DeliveryState

logger = logging.getLogger(__name__)

#: The task that makes the first attempt of new deliveries, by name (``notifications.tasks``).
DELIVER = "notifications.tasks.deliver"
#: At most so many characters of a handler's error are kept.
ERROR_MAX_LENGTH = 2000


@dataclass
class DeliveryTally:
    """What a run did: deliveries done, failed for good, to be retried, and skipped (already done, not
    due, or being run by another worker)."""

    done: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0

    def count(self, state: DeliveryState | None) -> None:
        """Count one attempt by the state it left the delivery in (None: not run)."""
        if state is None:
            self.skipped += 1
        elif state == DeliveryState.DONE:
            self.done += 1
        elif state == DeliveryState.FAILED:
            self.failed += 1
        else:
            self.retrying += 1


def retry_delay(attempts: int) -> timedelta:
    """How long a delivery waits after its ``attempts``-th failed attempt."""
    base = settings.NOTIFICATION_RETRY_SECONDS
    seconds = min(base * 2 ** min(attempts - 1, 32), settings.NOTIFICATION_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds)


def deliveries_enqueue(delivery_ids: list[int]) -> None:
    """After the commit: hand the new deliveries to a worker (inline: run them now). Whatever goes wrong
    is logged and left to ``deliver_due``; the request that committed the change never sees it."""
    try:
        signature(DELIVER, args=(list(delivery_ids),)).delay()
    except Exception as exc:  # the broker is down, or (inline) the database failed under a handler
        logger.warning(
            "Could not run deliveries %s right after the commit (%s: %s); the periodic delivery will.",
            delivery_ids, type(exc).__name__, exc,
        )  # fmt: skip


def deliveries_run(delivery_ids: Iterable[int]) -> DeliveryTally:
    """The first attempt of each of these deliveries (those already attempted are skipped: their retries
    are ``deliveries_run_due``'s, on the backoff schedule)."""
    tally = DeliveryTally()
    for delivery_id in sorted(set(delivery_ids)):
        tally.count(delivery_attempt(delivery_id, first=True))
    return tally


def deliveries_run_due(*, now: datetime, limit: int) -> DeliveryTally:
    """An attempt of each pending delivery due at ``now`` (at most ``limit``, the longest waiting first)."""
    due = Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt__lte=now)
    ids = list(due.order_by("next_attempt", "id").values_list("pk", flat=True)[:limit])
    tally = DeliveryTally()
    for delivery_id in ids:
        tally.count(delivery_attempt(delivery_id, first=False, now=now))
    return tally


def delivery_attempt(delivery_id: int, *, first: bool, now: datetime | None = None) -> DeliveryState | None:
    """Run the delivery's handler once, if the delivery is still pending and due (``first``: never
    attempted) and no other worker holds it; record how it went. Answers its state afterwards, or None
    when it was not run."""
    now = now or timezone.now()
    with transaction.atomic():
        candidates = Delivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING)
        candidates = candidates.filter(attempts=0) if first else candidates.filter(next_attempt__lte=now)
        delivery = (
            candidates.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification")
            .first()
        )
        if delivery is None:
            return None
        error = handler_error(delivery)
        finished = timezone.now()
        delivery.attempts += 1
        if error is None:
            delivery.state, delivery.done_at = DeliveryState.DONE, finished
        else:
            delivery.last_error = error[:ERROR_MAX_LENGTH]
            if delivery.attempts >= settings.NOTIFICATION_DELIVERY_ATTEMPTS:
                delivery.state = DeliveryState.FAILED
                logger.warning(
                    "Delivery %s (handler %s, notification %s) failed for good after %s attempts: %s",
                    delivery.pk, delivery.handler, delivery.notification_id, delivery.attempts, error,
                )  # fmt: skip
            else:
                delivery.next_attempt = finished + retry_delay(delivery.attempts)
                logger.info(
                    "Delivery %s (handler %s, notification %s) failed, attempt %s; again from %s: %s",
                    delivery.pk, delivery.handler, delivery.notification_id, delivery.attempts,
                    delivery.next_attempt.isoformat(), error,
                )  # fmt: skip
        delivery.save(update_fields=["state", "attempts", "next_attempt", "last_error", "done_at"])
        return DeliveryState(delivery.state)


def handler_error(delivery: Delivery) -> str | None:
    """Call the delivery's handler in a savepoint; None when it returned, else what went wrong."""
    handler = handler_named(delivery.handler)
    if handler is None:
        return f"No handler is registered under the name '{delivery.handler}'."
    try:
        with transaction.atomic():
            handler.func(delivery.notification)
    except Exception as exc:  # the handler's failure is the delivery's, whatever it is
        return f"{type(exc).__name__}: {exc}"
    return None

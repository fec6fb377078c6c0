"""Several workers delivering at once, on PostgreSQL: real threads, each with its own connection.

SQLite serialises writers and has no ``SKIP LOCKED``; these run on PostgreSQL only (CI's second pass).
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.db import connections, transaction
from django.utils import timezone

from notifications.delivery import DeliveryTally, deliveries_run_due
from notifications.handlers import Handler
from notifications.models import Delivery, DeliveryState
from notifications.services import NotificationSpec, announce_many
from notifications.types import NotificationType as T
from ticketing.tests.factories import EventFactory

pytestmark = [
    pytest.mark.postgresql_only,  # needs PostgreSQL's row locks; CI's PostgreSQL pass runs these
    pytest.mark.django_db(transaction=True),
]


def in_threads(count: int, work) -> list:
    """Run ``work(index)`` in ``count`` threads released together; their results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.fixture
def announced(monkeypatch):
    """``announced(count)``: ``count`` notifications whose deliveries wait for the periodic runs (the
    after-commit run is switched off, as if the task were queued to a worker that never took it)."""
    monkeypatch.setattr("notifications.services.deliveries_enqueue", lambda delivery_ids: None)
    return announce


def announce(count: int) -> list[int]:
    event = EventFactory()
    specs = [NotificationSpec(type=T.ORDER_PAID, organizer_id=event.organizer_id, event_id=event.pk)] * count
    with transaction.atomic():
        return [n.pk for n in announce_many(specs, now=timezone.now())]


def test_two_periodic_runs_at_once_never_run_one_delivery_twice(handlers, announced):
    running: set[int] = set()
    overlaps: list[int] = []
    calls: Counter[int] = Counter()
    lock = threading.Lock()

    def slow(notification) -> None:
        with lock:
            if notification.pk in running:
                overlaps.append(notification.pk)
            running.add(notification.pk)
            calls[notification.pk] += 1
        time.sleep(0.02)
        with lock:
            running.discard(notification.pk)

    handlers(Handler(name="slow", func=slow, types=None))
    ids = announced(30)
    tallies: list[DeliveryTally] = in_threads(2, lambda i: deliveries_run_due(now=timezone.now(), limit=100))
    assert overlaps == []
    assert calls == Counter({pk: 1 for pk in ids})
    assert sum(t.done for t in tallies) == 30
    assert all(t.done > 0 for t in tallies)  # both workers took some: they did not wait on each other
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.DONE}


def test_a_delivery_another_worker_is_running_is_skipped_not_waited_for(handlers, announced):
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def blocking(notification) -> None:
        calls.append(notification.pk)
        started.set()
        release.wait(timeout=30)

    handlers(Handler(name="blocking", func=blocking, types=None))
    (notification_id,) = announced(1)

    def work(index: int):
        if index == 0:
            return deliveries_run_due(now=timezone.now(), limit=10)
        started.wait(timeout=30)  # worker 0 is inside the handler, holding the delivery's row
        began = time.monotonic()
        tally = deliveries_run_due(now=timezone.now(), limit=10)
        waited = time.monotonic() - began
        release.set()
        return tally, waited

    first, (second, waited) = in_threads(2, work)
    assert (first.done, second.skipped, second.done) == (1, 1, 0)
    assert waited < 5  # SKIP LOCKED: it did not wait for worker 0's transaction
    assert calls == [notification_id]
    assert Delivery.objects.get().state == DeliveryState.DONE

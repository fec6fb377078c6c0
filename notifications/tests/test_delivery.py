"""Delivery: each handler runs after the commit, at least once; a failure is retried with backoff, then
failed; nothing a handler does breaks the request that committed the change."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from notifications import delivery as delivery_module
from notifications.delivery import deliveries_run, deliveries_run_due, retry_delay
from notifications.handlers import Handler
from notifications.models import Delivery, DeliveryState
from notifications.services import announce
from notifications.tasks import deliver, deliver_due
from notifications.tests.conftest import Recorder
from notifications.tests.factories import DeliveryFactory
from notifications.types import NotificationType as T
from ticketing.models import Organizer
from ticketing.tests.factories import OrganizerFactory

pytestmark = pytest.mark.django_db


class ChangeFailed(Exception):
    """The change that announced something fails afterwards."""


def paid(event):
    """Announce an order's payment in a transaction of its own; answers the notification."""
    with transaction.atomic():
        return announce(
            type=T.ORDER_PAID, organizer_id=event.organizer_id, event_id=event.pk, order_code="ABC12",
            data={"amount": "23.00"}, now=timezone.now(),
        )  # fmt: skip


def only(handler_name: str = "hook") -> Delivery:
    return Delivery.objects.get(handler=handler_name)


def test_the_handler_runs_only_after_the_commit(handlers, event, django_capture_on_commit_callbacks):
    recorder = Recorder()
    handlers(Handler(name="hook", func=recorder, types=None))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = paid(event)
    assert recorder.calls == []  # committed "later": nothing ran inside the transaction
    assert only().state == DeliveryState.PENDING
    for callback in callbacks:
        callback()
    assert recorder.calls == [notification.pk]
    done = only()
    assert (done.state, done.attempts, done.last_error) == (DeliveryState.DONE, 1, "")
    assert done.done_at is not None


def test_a_rolled_back_change_asks_for_no_delivery(handlers, event, django_capture_on_commit_callbacks):
    recorder = Recorder()
    handlers(Handler(name="hook", func=recorder, types=None))
    now = timezone.now()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ChangeFailed),
        transaction.atomic(),
    ):
        announce(type=T.ORDER_PAID, organizer_id=event.organizer_id, event_id=event.pk, data={}, now=now)
        raise ChangeFailed  # the change fails after announcing
    assert (callbacks, recorder.calls, Delivery.objects.count()) == ([], [], 0)


def test_a_handler_for_other_types_is_not_called(handlers, event, django_capture_on_commit_callbacks):
    mails, hooks = Recorder(), Recorder()
    handlers(
        Handler(name="mails", func=mails, types=frozenset({T.ORDER_CANCELED})),
        Handler(name="hook", func=hooks, types=frozenset({T.ORDER_PAID})),
    )
    with django_capture_on_commit_callbacks(execute=True):
        notification = paid(event)
    assert (mails.calls, hooks.calls) == ([], [notification.pk])


def test_a_failing_handler_does_not_break_the_request_and_waits_for_its_retry(
    handlers, event, django_capture_on_commit_callbacks
):
    recorder = Recorder(fail_times=1)
    handlers(Handler(name="hook", func=recorder, types=None))
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        paid(event)  # no exception reaches the caller
    after = timezone.now()
    waiting = only()
    assert (waiting.state, waiting.attempts) == (DeliveryState.PENDING, 1)
    assert waiting.last_error == "RuntimeError: boom 1"
    assert before + timedelta(seconds=30) <= waiting.next_attempt <= after + timedelta(seconds=30)
    assert deliveries_run_due(now=after, limit=10).skipped == 0  # not due yet: not even looked at
    assert recorder.calls == [waiting.notification_id]
    tally = deliveries_run_due(now=waiting.next_attempt, limit=10)
    assert (tally.done, tally.retrying, tally.failed) == (1, 0, 0)
    done = only()
    assert (done.state, done.attempts, done.last_error) == (DeliveryState.DONE, 2, "RuntimeError: boom 1")
    assert recorder.calls == [waiting.notification_id] * 2


@override_settings(NOTIFICATION_DELIVERY_ATTEMPTS=3)
def test_retries_back_off_exponentially_then_the_delivery_fails_with_a_warning(
    handlers, event, django_capture_on_commit_callbacks, caplog
):
    handlers(Handler(name="hook", func=Recorder(fail_times=99), types=None))
    with django_capture_on_commit_callbacks(execute=True):
        paid(event)
    before = timezone.now()
    assert deliveries_run_due(now=only().next_attempt, limit=10).retrying == 1
    after = timezone.now()
    second = only()
    assert (second.attempts, second.last_error) == (2, "RuntimeError: boom 2")
    # 30 s after the first failure, 60 s after the second, counted from the end of the attempt
    assert before + timedelta(seconds=60) <= second.next_attempt <= after + timedelta(seconds=60)
    with caplog.at_level(logging.WARNING, logger="notifications.delivery"):
        assert deliveries_run_due(now=second.next_attempt, limit=10).failed == 1
    failed = only()
    assert (failed.state, failed.attempts) == (DeliveryState.FAILED, 3)
    assert failed.last_error == "RuntimeError: boom 3"
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "failed for good after 3 attempts: RuntimeError: boom 3" in caplog.records[0].getMessage()
    # a failed delivery is left alone
    later = failed.next_attempt + timedelta(days=1)
    assert deliveries_run_due(now=later, limit=10) == delivery_module.DeliveryTally()


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (7, 1920), (8, 3600), (9, 3600), (1000, 3600)],
    ids=lambda v: str(v),
)
def test_the_wait_doubles_after_each_failure_up_to_the_maximum(attempts, seconds):
    assert settings.NOTIFICATION_RETRY_SECONDS == 30 and settings.NOTIFICATION_RETRY_MAX_SECONDS == 3600
    assert retry_delay(attempts) == timedelta(seconds=seconds)


def test_what_a_failing_handler_wrote_is_rolled_back_and_what_a_succeeding_one_wrote_is_kept(
    handlers, event, django_capture_on_commit_callbacks
):
    attempts: list[int] = []

    def write_then_fail_once(notification) -> None:
        attempts.append(notification.pk)
        OrganizerFactory(slug="written-by-the-handler")
        if len(attempts) == 1:
            raise RuntimeError("half done")

    handlers(Handler(name="hook", func=write_then_fail_once, types=None))
    with django_capture_on_commit_callbacks(execute=True):
        paid(event)
    assert only().state == DeliveryState.PENDING
    assert not Organizer.objects.filter(slug="written-by-the-handler").exists()  # its savepoint rolled back
    deliveries_run_due(now=only().next_attempt, limit=10)
    assert only().state == DeliveryState.DONE
    assert Organizer.objects.filter(slug="written-by-the-handler").count() == 1


def test_a_delivery_whose_handler_is_not_registered_fails_its_attempt(handlers, event):
    handlers()
    delivery = DeliveryFactory(handler="gone", notification__organizer=event.organizer)
    assert deliveries_run_due(now=timezone.now(), limit=10).retrying == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 1)
    assert delivery.last_error == "No handler is registered under the name 'gone'."


def test_the_first_attempt_skips_deliveries_already_attempted(handlers):
    recorder = Recorder()
    handlers(Handler(name="hook", func=recorder, types=None))
    fresh = DeliveryFactory(handler="hook")
    retried = DeliveryFactory(handler="hook", attempts=1)
    done = DeliveryFactory(handler="hook", state=DeliveryState.DONE)
    tally = deliveries_run([fresh.pk, retried.pk, done.pk, fresh.pk])
    assert (tally.done, tally.skipped) == (1, 2)
    assert recorder.calls == [fresh.notification_id]


def test_the_periodic_run_takes_the_longest_waiting_first_up_to_its_limit(handlers):
    recorder = Recorder()
    handlers(Handler(name="hook", func=recorder, types=None))
    now = timezone.now()
    late = DeliveryFactory(handler="hook", next_attempt=now - timedelta(minutes=1))
    early = DeliveryFactory(handler="hook", next_attempt=now - timedelta(minutes=5))
    future = DeliveryFactory(handler="hook", next_attempt=now + timedelta(minutes=1))
    assert deliveries_run_due(now=now, limit=1).done == 1
    assert recorder.calls == [early.notification_id]
    assert deliveries_run_due(now=now, limit=10).done == 1
    assert recorder.calls == [early.notification_id, late.notification_id]
    future.refresh_from_db()
    assert future.state == DeliveryState.PENDING


def test_an_unreachable_broker_is_logged_and_left_to_the_periodic_run(
    handlers, event, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    recorder = Recorder()
    handlers(Handler(name="hook", func=recorder, types=None))

    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(delivery_module, "signature", unreachable)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        notification = paid(event)  # no exception reaches the caller
    assert "the periodic delivery will" in caplog.text and "broker down" in caplog.text
    assert (recorder.calls, only().attempts) == ([], 0)
    monkeypatch.undo()
    assert deliver_due() == {"done": 1, "failed": 0, "retrying": 0, "skipped": 0}
    assert recorder.calls == [notification.pk]


def test_the_tasks_run_inline_without_a_broker(handlers):
    recorder = Recorder()
    handlers(Handler(name="hook", func=recorder, types=None))
    fresh = DeliveryFactory(handler="hook")
    deliver.delay([fresh.pk])  # CELERY_TASK_ALWAYS_EAGER in tests, as without a broker
    assert recorder.calls == [fresh.notification_id]


def test_the_beat_runs_the_due_deliveries_every_30_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE["deliver-notifications"]
    assert entry == {"task": "notifications.tasks.deliver_due", "schedule": 30.0}
    from config.celery import app

    assert "notifications.tasks.deliver_due" in app.tasks


def test_the_command_runs_the_due_deliveries_and_says_how_it_went(handlers, capsys):
    handlers(Handler(name="hook", func=Recorder(fail_times=1), types=None))
    DeliveryFactory(handler="hook")
    DeliveryFactory(handler="hook")
    call_command("deliver_notifications")
    assert capsys.readouterr().out == (
        "1 done, 1 to retry later, 0 failed for good, 0 skipped (taken by another worker or no longer due)\n"
    )
    with pytest.raises(CommandError, match="--limit must be at least 1."):
        call_command("deliver_notifications", "--limit", "0")

"""``manage.py cleanup`` drops expired carts and old idempotency keys, and fails the jobs whose worker
was lost (what the beat does, for deployments without one); nothing else."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jobs.models import Job, JobState
from jobs.tests.factories import JobFactory
from orders.models import Cart, CartPosition, IdempotencyKey, Order
from orders.tests.factories import CartFactory, CartPositionFactory, OrderFactory

pytestmark = pytest.mark.django_db


def key(name: str, age: timedelta) -> IdempotencyKey:
    return IdempotencyKey.objects.create(
        scope="demo-org/conf/token", key=name, request_hash="0" * 64, created=timezone.now() - age
    )


def test_expired_carts_and_old_keys_go_live_ones_stay(event):
    live = CartPositionFactory(cart=CartFactory(event=event)).cart
    expired = CartPositionFactory(cart=CartFactory(event=event, expired=True)).cart
    order = OrderFactory(event=event)
    recent = key("recent", timedelta(hours=1))
    key("old", timedelta(hours=25))

    out = io.StringIO()
    call_command("cleanup", stdout=out)

    assert "Deleted 1 expired cart(s) and 1 idempotency key(s). Failed 0 job(s)" in out.getvalue()
    assert list(Cart.objects.values_list("pk", flat=True)) == [live.pk]
    assert not CartPosition.objects.filter(cart_id=expired.pk).exists()
    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [recent.pk]
    assert Order.objects.filter(pk=order.pk).exists()


def test_key_lifetime_is_configurable(event):
    key("two hours", timedelta(hours=2))
    call_command("cleanup", "--key-hours", "1", stdout=io.StringIO())
    assert not IdempotencyKey.objects.exists()


def test_deletes_more_than_one_batch(event, monkeypatch):
    monkeypatch.setattr("orders.services.maintenance.BATCH", 2)
    CartFactory.create_batch(5, event=event, expired=True)
    call_command("cleanup", stdout=io.StringIO())
    assert not Cart.objects.exists()


def test_a_key_lifetime_below_one_hour_is_refused(db):
    with pytest.raises(CommandError, match="key-hours"):
        call_command("cleanup", "--key-hours", "0", stdout=io.StringIO())


def test_running_jobs_without_a_heartbeat_are_failed_as_lost(organizer, settings):
    settings.JOB_HEARTBEAT_TIMEOUT = 120
    now = timezone.now()
    lost = JobFactory(organizer=organizer, state=JobState.RUNNING, heartbeat=now - timedelta(seconds=121))
    alive = JobFactory(organizer=organizer, state=JobState.RUNNING, heartbeat=now - timedelta(seconds=30))
    out = io.StringIO()
    call_command("cleanup", stdout=out)
    assert "Failed 1 job(s) whose worker was lost." in out.getvalue()
    assert dict(Job.objects.values_list("pk", "state")) == {
        lost.pk: JobState.FAILED,
        alive.pk: JobState.RUNNING,
    }

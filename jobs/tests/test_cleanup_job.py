"""The periodic cleanup (``orders.tasks.cleanup_task``, on Celery beat) does what ``manage.py cleanup``
does, as a ``cleanup`` job of the system (no organizer)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from jobs.models import Job, JobKind, JobState
from orders.models import Cart, CartPosition, IdempotencyKey, Order
from orders.tasks import cleanup_task
from orders.tests.factories import CartFactory, CartPositionFactory, OrderFactory

pytestmark = pytest.mark.django_db


def key(name: str, age: timedelta) -> IdempotencyKey:
    return IdempotencyKey.objects.create(
        scope="demo-org/conf/token", key=name, request_hash="0" * 64, created=timezone.now() - age
    )


def test_the_cleanup_task_deletes_what_the_command_deletes(event, django_capture_on_commit_callbacks):
    live = CartPositionFactory(cart=CartFactory(event=event)).cart
    expired = CartPositionFactory(cart=CartFactory(event=event, expired=True)).cart
    order = OrderFactory(event=event)
    recent = key("recent", timedelta(hours=1))
    key("old", timedelta(hours=25))

    with django_capture_on_commit_callbacks(execute=True):
        job_id = cleanup_task.delay().get()

    assert list(Cart.objects.values_list("pk", flat=True)) == [live.pk]
    assert not CartPosition.objects.filter(cart_id=expired.pk).exists()
    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [recent.pk]
    assert Order.objects.filter(pk=order.pk).exists()
    job = Job.objects.get(pk=job_id)
    assert (job.kind, job.organizer, job.state) == (JobKind.CLEANUP, None, JobState.SUCCEEDED)
    assert job.result == {"carts": 1, "idempotency_keys": 1}


def test_beat_runs_the_cleanup_every_five_minutes():
    assert settings.CELERY_BEAT_SCHEDULE["cleanup"] == {
        "task": "orders.tasks.cleanup_task",
        "schedule": 300.0,
    }
    assert settings.CELERY_BEAT_SCHEDULE["prune-jobs"]["task"] == "jobs.tasks.prune_jobs"


def test_the_celery_app_knows_the_tasks():
    from config.celery import app

    app.loader.import_default_modules()
    assert {"jobs.tasks.run_job", "jobs.tasks.prune_jobs", "orders.tasks.cleanup_task"} <= set(app.tasks)
    assert app.conf.task_always_eager  # tests: no broker, tasks run inline
    assert app.conf.task_serializer == "json"

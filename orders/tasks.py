"""Background work of the orders app: the periodic cleanup (``CELERY_BEAT_SCHEDULE``), as a job; the
periodic expiry of pending orders past their deadline.

``cleanup_task`` starts a ``cleanup`` job (the system's, for no organizer); its handler calls the
service ``manage.py cleanup`` calls, so the admin's job list shows each run and what it deleted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from django.utils import timezone

from jobs.models import Job, JobKind
from jobs.registry import Progress
from jobs.services import start_job
from orders.services.expiry import orders_expire_due
from orders.services.maintenance import DEFAULT_KEY_LIFETIME, orders_cleanup


def cleanup_job(job: Job, progress: Progress) -> dict[str, Any]:
    hours = job.params.get("key_hours", int(DEFAULT_KEY_LIFETIME.total_seconds() // 3600))
    result = orders_cleanup(now=timezone.now(), key_lifetime=timedelta(hours=hours))
    progress(1, 1)
    return {"carts": result.carts, "idempotency_keys": result.idempotency_keys}


@shared_task(name="orders.tasks.cleanup_task", ignore_result=True)
def cleanup_task() -> int:
    """Start a cleanup job: expired carts and idempotency keys older than a day. Answers the job's id."""
    return start_job(JobKind.CLEANUP, organizer=None).pk


@shared_task(name="orders.tasks.expire_orders_task", ignore_result=True)
def expire_orders_task() -> int:
    """Expire the pending orders past their payment deadline (``CELERY_BEAT_SCHEDULE``, every
    ``ORDERS_EXPIRY_SECONDS``); answers how many expired. Not a job: it runs every minute, and a run that
    dies half-way left nothing half-done (each batch is one transaction), the next run goes on."""
    return orders_expire_due(now=timezone.now()).expired

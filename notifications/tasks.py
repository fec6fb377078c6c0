"""Celery tasks of the notifications app: the first attempt of new deliveries (queued after the commit of
the change), and the periodic run of the due ones (``CELERY_BEAT_SCHEDULE["deliver-notifications"]``)."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from notifications.delivery import deliveries_run, deliveries_run_due


@shared_task(name="notifications.tasks.deliver", ignore_result=True)
def deliver(delivery_ids: list[int]) -> dict[str, int]:
    """The first attempt of these deliveries (those already attempted are left to ``deliver_due``)."""
    return asdict(deliveries_run(delivery_ids))


@shared_task(name="notifications.tasks.deliver_due", ignore_result=True)
def deliver_due() -> dict[str, int]:
    """An attempt of the pending deliveries that are due, at most ``NOTIFICATION_DELIVER_BATCH``."""
    return asdict(deliveries_run_due(now=timezone.now(), limit=settings.NOTIFICATION_DELIVER_BATCH))

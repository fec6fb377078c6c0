"""``manage.py cleanup``: delete expired carts and old idempotency keys; fail the jobs whose worker was lost.

Without a broker there is no beat: this command, from cron, does what the beat's ``cleanup`` and
``fail-lost-jobs`` do (a job runs inline then, and a request killed in the middle of one, by gunicorn's
timeout say, leaves it ``running`` without a heartbeat)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jobs.services import jobs_fail_lost
from orders.services.maintenance import DEFAULT_KEY_LIFETIME, orders_cleanup


class Command(BaseCommand):
    help = (
        "Delete expired carts and idempotency keys older than --key-hours (default 24); fail running jobs "
        "without a heartbeat for JOB_HEARTBEAT_TIMEOUT seconds (worker_lost)."
    )

    def add_arguments(self, parser) -> None:
        default_hours = int(DEFAULT_KEY_LIFETIME.total_seconds() // 3600)
        parser.add_argument("--key-hours", type=int, default=default_hours)

    def handle(self, *args, key_hours: int, **options) -> None:
        if key_hours < 1:
            raise CommandError("--key-hours must be at least 1: clients retry with their keys for a while.")
        now = timezone.now()
        result = orders_cleanup(now=now, key_lifetime=timedelta(hours=key_hours))
        lost = jobs_fail_lost(now=now, timeout=timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT))
        self.stdout.write(
            f"Deleted {result.carts} expired cart(s) and {result.idempotency_keys} idempotency key(s). "
            f"Failed {len(lost)} job(s) whose worker was lost."
        )

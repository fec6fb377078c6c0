"""``manage.py deliver_notifications``: run the due notification deliveries once, as the beat task
``notifications.tasks.deliver_due`` does (for a cron job instead of Celery beat, or by hand)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.delivery import deliveries_run_due


class Command(BaseCommand):
    help = "Run the pending notification deliveries that are due (first attempts left over, and retries)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--limit", type=int, default=None,
            help="at most so many deliveries (default: NOTIFICATION_DELIVER_BATCH)",
        )  # fmt: skip

    def handle(self, *args, limit: int | None = None, **options) -> None:
        limit = settings.NOTIFICATION_DELIVER_BATCH if limit is None else limit
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        tally = deliveries_run_due(now=timezone.now(), limit=limit)
        self.stdout.write(
            f"{tally.done} done, {tally.retrying} to retry later, {tally.failed} failed for good, "
            f"{tally.skipped} skipped (taken by another worker or no longer due)"
        )

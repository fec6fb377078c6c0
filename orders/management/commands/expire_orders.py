"""``manage.py expire_orders [--batch-size N]``: expire the pending orders past their payment deadline now.

What the beat's ``expire-orders`` does (``orders.tasks.expire_orders_task``); without a broker there is no
beat, so run this from cron. Safe to run while another run (or the beat's) is under way: each order
expires once."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orders.services.expiry import DEFAULT_BATCH_SIZE, orders_expire_due


class Command(BaseCommand):
    help = "Expire the pending orders whose payment deadline has passed, --batch-size orders per transaction."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)

    def handle(self, *args, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.perf_counter()
        run = orders_expire_due(now=timezone.now(), batch_size=batch_size)
        seconds = time.perf_counter() - started
        rate = run.expired / seconds if seconds > 0 else 0.0
        median, longest = run.hold_median * 1000, run.hold_max * 1000
        self.stdout.write(
            f"Expired {run.expired} order(s) in {run.batches} batch(es), {seconds:.2f} s "
            f"({rate:.0f} orders/s); locks held per batch: median {median:.1f} ms, longest {longest:.1f} ms."
        )
        if run.busy:
            self.stdout.write("A batch waited too long for a lock and was left for the next run.")

"""``manage.py cleanup``: delete expired carts and old idempotency keys."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orders.services.maintenance import DEFAULT_KEY_LIFETIME, orders_cleanup


class Command(BaseCommand):
    help = "Delete expired carts and idempotency keys older than --key-hours (default 24)."

    def add_arguments(self, parser) -> None:
        default_hours = int(DEFAULT_KEY_LIFETIME.total_seconds() // 3600)
        parser.add_argument("--key-hours", type=int, default=default_hours)

    def handle(self, *args, key_hours: int, **options) -> None:
        if key_hours < 1:
            raise CommandError("--key-hours must be at least 1: clients retry with their keys for a while.")
        result = orders_cleanup(now=timezone.now(), key_lifetime=timedelta(hours=key_hours))
        self.stdout.write(
            f"Deleted {result.carts} expired cart(s) and {result.idempotency_keys} idempotency key(s)."
        )

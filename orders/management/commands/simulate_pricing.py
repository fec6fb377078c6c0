"""``python manage.py simulate_pricing FILE``: price the JSON cases of FILE (docs/pricing.md, section 4).

A thin wrapper around :func:`orders.pricing.simulate.main`, which does the work
and documents the output. The engine is pure, so the command needs neither the
database nor the system checks, and it exits with the simulator's status (2 for
a malformed case, with the case and field named on stderr).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from orders.pricing.simulate import main
from ticketing.currency import currency_places


class Command(BaseCommand):
    help = (
        "Price a JSON list of cart cases (docs/pricing.md, section 4) with the pricing engine and print a "
        "JSON list with each case's positions: final price and the id of the rule that consumed it. Exit "
        "status 2 for a malformed case."
    )
    requires_system_checks: list[str] = []  # pure computation: no models, no database
    requires_migrations_checks = False

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="JSON file with a list of cases")

    def handle(self, *args, file: str, **options) -> None:
        status = main([file], self.stdout, self.stderr, places=currency_places)
        if status:
            # Not CommandError: the simulator already wrote its one-line message; keep its exit status.
            raise SystemExit(status)

"""Expiry throughput on PostgreSQL: how fast ``orders_expire_due`` expires overdue orders, and how long each
batch holds its locks, by batch size. Not a test, not in CI.

    .venv/bin/python bench/expiry.py [--orders 5000] [--runs 3] [--batch-sizes 50,200,1000]
                                    [--postgres postgres://postgres@127.0.0.1:5432]

1. fills ``ticketshop_bench_expiry`` (dropped and created again) through the real checkout
   (``order_place``): ``--orders`` pending orders of one position each, every other one with a voucher
   on its position, the rest with a coupon, and one in five of all paid in part by a gift card of its
   own (10.00 of 45.00 or 50.00); then moves every deadline an hour into the past;
2. for each batch size and run, copies that database (``CREATE DATABASE … TEMPLATE``, so every run starts
   from the same overdue orders) and, in a process of its own, runs ``orders_expire_due`` once over all
   of them, checking that every order expired and every counter came back to 0;
3. prints, per batch size, the medians over the runs: orders expired per second, and the median and
   longest time a batch held its locks (from its first lock to its commit).

Scratch databases only: ``ticketshop_bench_expiry`` and ``ticketshop_bench_expiry_run``; nothing else is
touched.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILLED = "ticketshop_bench_expiry"
RUN = "ticketshop_bench_expiry_run"


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def admin(server_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


# --- 1. fill ---------------------------------------------------------------------------------------


def fill(count: int) -> None:
    """In the filled database, migrated: the event, its codes and ``count`` overdue pending orders."""
    from datetime import timedelta
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from orders.checkout.draft import PositionSpec
    from orders.models import Order, OrderStatus
    from orders.services.checkout import order_place
    from ticketing.models import Event, Item, Quota, SalesChannel
    from ticketing.services import organizer_create
    from vouchers.models import CouponSeries, GiftCard, Voucher
    from vouchers.services.coupons import coupons_generate
    from vouchers.services.giftcards import gift_cards_generate

    call_command("migrate", verbosity=0)
    organizer = organizer_create(slug="bench", name="Bench")
    event = Event.objects.create(
        organizer=organizer, slug="conf", name="Bench conference", currency="EUR",
        date_from=timezone.now() + timedelta(days=30), live=True,
    )  # fmt: skip
    channel = SalesChannel.objects.get_or_create(
        organizer=organizer, identifier=SalesChannel.WEB, defaults={"label": "Online shop"}
    )[0]
    ticket = Item.objects.create(event=event, name="Ticket", default_price=Decimal("50.00"))
    quota = Quota.objects.create(event=event, name="Tickets", size=10 * count)
    quota.items.set([ticket])
    voucher = Voucher.objects.create(event=event, code="BENCH-VOUCHER", max_usages=10 * count)
    series = CouponSeries.objects.create(
        organizer=organizer, name="Bench", discount_value=10, max_usage=10, can_be_combined=True
    )
    coupons_generate(series=series, count=max(count // 10, 1))
    coupons = list(series.coupons.order_by("pk").values_list("code", flat=True))
    gift_cards_generate(organizer=organizer, count=count // 5 + 1, value=Decimal("10.00"), currency="EUR")
    cards = list(GiftCard.objects.filter(organizer=organizer).order_by("pk").values_list("code", flat=True))
    started = time.perf_counter()
    for n in range(count):
        order_place(
            event=event, sales_channel=channel, email=f"buyer{n}@example.com", now=timezone.now(),
            positions=[PositionSpec(item=ticket.pk, voucher=voucher.code if n % 2 else None)],
            codes=[] if n % 2 else [coupons[(n // 2) % len(coupons)]],
            gift_cards=[cards[n // 5]] if n % 5 == 0 else [],
        )  # fmt: skip
    Order.objects.filter(status=OrderStatus.PENDING).update(expires=timezone.now() - timedelta(hours=1))
    print(json.dumps({"orders": Order.objects.count(), "seconds": time.perf_counter() - started}))


# --- 2. one run ------------------------------------------------------------------------------------


def run(batch_size: int) -> None:
    """In a copy of the filled database: expire everything once; print the figures as JSON."""
    from django.db.models import Sum
    from django.utils import timezone

    from orders.models import Order, OrderStatus
    from orders.services.expiry import orders_expire_due
    from ticketing.models import Quota
    from ticketing.selectors import quota_availability
    from vouchers.models import Coupon, Voucher

    due = Order.objects.filter(status=OrderStatus.PENDING).count()
    started = time.perf_counter()
    result = orders_expire_due(now=timezone.now(), batch_size=batch_size)
    seconds = time.perf_counter() - started
    assert result.expired == due and not Order.objects.filter(status=OrderStatus.PENDING).exists()
    assert quota_availability(Quota.objects.get()).pending_orders == 0
    assert Voucher.objects.get().redeemed == 0
    assert (Coupon.objects.aggregate(n=Sum("used_orders"))["n"] or 0) == 0
    print(json.dumps({
        "expired": result.expired, "seconds": seconds, "batches": result.batches,
        "hold_median": result.hold_median, "hold_max": result.hold_max,
    }))  # fmt: skip


def child(command: str, database_url: str, *args: str) -> dict:
    """One process per database: Django reads its settings once per process."""
    out = subprocess.run(
        [sys.executable, __file__, command, database_url, *args],
        check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("_fill", "_run"):
        _, command, url, number = sys.argv
        setup_django(url)
        (fill if command == "_fill" else run)(int(number))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch-sizes", default="50,200,1000")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without a database name.")  # fmt: skip
    args = parser.parse_args()
    sizes = [int(size) for size in args.batch_sizes.split(",")]
    server = args.postgres.rstrip("/")

    drop = [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in (RUN, FILLED)]
    admin(server, *drop, f'CREATE DATABASE "{FILLED}"')
    filled = child("_fill", f"{server}/{FILLED}", str(args.orders))
    print(f"filled: {filled['orders']} overdue orders through the checkout in {filled['seconds']:.0f} s")
    rows = []
    for size in sizes:
        figures = []
        for _ in range(args.runs):
            admin(server, drop[0], f'CREATE DATABASE "{RUN}" TEMPLATE "{FILLED}"')
            figures.append(child("_run", f"{server}/{RUN}", str(size)))
        rows.append((size, figures))
    admin(server, drop[0])

    print(f"\norders_expire_due over {args.orders} overdue orders, medians of {args.runs} runs")
    widths = {"batches": 8, "orders/s": 9, "total s": 8, "hold median ms": 15, "hold max ms": 12}
    print(f"{'batch size':>10} " + " ".join(f"{column:>{width}}" for column, width in widths.items()))
    for size, figures in rows:
        rate = statistics.median(f["expired"] / f["seconds"] for f in figures)
        batches, seconds = median(figures, "batches"), median(figures, "seconds")
        hold, longest = median(figures, "hold_median") * 1000, median(figures, "hold_max") * 1000
        print(f"{size:>10} {batches:>8.0f} {rate:>9.0f} {seconds:>8.2f} {hold:>15.1f} {longest:>12.1f}")


def median(figures: list[dict], key: str) -> float:
    return statistics.median(f[key] for f in figures)


if __name__ == "__main__":
    main()

"""Benchmarks of the vouchers app, each in a scratch database of its own.

    .venv/bin/python bench/codes.py generate [--runs 5] [--count 10000]
        Time ``coupon-series/<id>/generate/``'s service for 10,000 codes on SQLite and on
        PostgreSQL (``--postgres postgres://postgres@127.0.0.1:5432``); prints a table with
        the median of the runs and checks that no code repeats.

    .venv/bin/python bench/codes.py explain [--coupons 1000000]
        Fill a PostgreSQL scratch database with 1,000,000 coupons and print
        ``EXPLAIN ANALYZE`` of the exact query the resolution service issues to find one.

Scratch databases: a temporary SQLite file, and ``ticketshop_bench`` on the PostgreSQL
server (dropped and created again). Nothing else is touched.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_DB = "ticketshop_bench"


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def recreate_postgres(server_url: str) -> str:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH_DB}")
        conn.execute(f"CREATE DATABASE {SCRATCH_DB}")
    return f"{server_url}/{SCRATCH_DB}"


# --- generate --------------------------------------------------------------------------------------


def run_generate(runs: int, count: int) -> None:
    """In the scratch database already set up: time ``coupons_generate`` ``runs`` times."""
    from django.db import connection

    from ticketing.services import organizer_create
    from vouchers.models import Coupon, CouponSeries
    from vouchers.services.coupons import coupons_generate

    organizer = organizer_create(slug="bench", name="Bench")
    timings = []
    for run in range(runs):
        series = CouponSeries.objects.create(organizer=organizer, name=f"Run {run}", discount_value=10)
        started = time.perf_counter()
        created = coupons_generate(series=series, count=count)
        timings.append(time.perf_counter() - started)
        assert created == count == series.coupons.count()
    total = Coupon.objects.filter(organizer=organizer).count()
    distinct = Coupon.objects.filter(organizer=organizer).values("code").distinct().count()
    assert total == distinct == runs * count, "duplicate codes"
    print(
        f"{connection.vendor}\t{statistics.median(timings):.3f}\t{min(timings):.3f}\t{max(timings):.3f}\t{total}",
        flush=True,
    )


def generate(args) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        targets = [f"sqlite:///{scratch}/bench.sqlite3"]
        if args.postgres:
            targets.append(recreate_postgres(args.postgres))
        for url in targets:
            # One process per database: Django's settings are read once per process.
            out = subprocess.run(
                [sys.executable, __file__, "_generate", url, str(args.runs), str(args.count)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            rows.append(out.strip().split("\t"))
    print(
        f"generate/ of {args.count} codes, {args.runs} runs each "
        "(seconds; every run adds to the same organizer)"
    )
    print(f"{'database':<12}{'median':>8}{'min':>8}{'max':>8}  codes, all distinct")
    for vendor, median, low, high, total in rows:
        print(f"{vendor:<12}{median:>8}{low:>8}{high:>8}  {total}")


# --- explain ---------------------------------------------------------------------------------------

FILL_SQL = """
INSERT INTO vouchers_coupon
    (organizer_id, series_id, code, customer_email, active, used_orders, used_tickets, created_at, updated_at)
SELECT %(organizer)s, %(series)s, upper(substr(md5(i::text || 'bench'), 1, 16)), '', true, 0, 0, now(), now()
FROM generate_series(1, %(count)s) AS i
"""


def explain(args) -> None:
    url = recreate_postgres(args.postgres)
    setup_django(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from ticketing.models import Event
    from ticketing.services import organizer_create
    from vouchers.models import CouponSeries
    from vouchers.resolution import resolve_code

    organizer = organizer_create(slug="bench", name="Bench")
    other = organizer_create(slug="other", name="Other")
    event = Event.objects.create(
        organizer=organizer, slug="conf", name="Conference", date_from=timezone.now()
    )
    series = CouponSeries.objects.create(organizer=organizer, name="Million", discount_value=10)
    other_series = CouponSeries.objects.create(organizer=other, name="Other", discount_value=10)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        half = args.coupons // 2
        cursor.execute(
            FILL_SQL, {"organizer": organizer.pk, "series": series.pk, "count": args.coupons - half}
        )
        cursor.execute(
            FILL_SQL.replace("'bench'", "'other'"),
            {"organizer": other.pk, "series": other_series.pk, "count": half},
        )
        cursor.execute("ANALYZE vouchers_coupon")
        cursor.execute("SELECT count(*) FROM vouchers_coupon")
        (stored,) = cursor.fetchone()
        cursor.execute(
            "SELECT code FROM vouchers_coupon WHERE organizer_id = %s ORDER BY id DESC LIMIT 1",
            [organizer.pk],
        )
        (code,) = cursor.fetchone()
    print(f"-- {stored} coupons stored in {time.perf_counter() - started:.1f} s (two organizers)")
    with CaptureQueriesContext(connection) as queries:
        resolved = resolve_code(organizer=organizer, event=event, code=code.lower(), now=timezone.now())
    assert resolved.code == code
    lookup = next(q["sql"] for q in queries.captured_queries if 'FROM "vouchers_coupon"' in q["sql"])
    print("-- the coupon query resolve_code issues (from connection.queries):")
    print(lookup)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + lookup)
        plan = [row[0] for row in cursor.fetchall()]
    print("-- EXPLAIN (ANALYZE, BUFFERS):")
    print("\n".join(plan))
    assert any("Index Scan" in line and "uniq_coupon_code_per_organizer" in line for line in plan), (
        "no index scan"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_generate":
        _, _, url, runs, count = sys.argv
        setup_django(url)
        run_generate(int(runs), int(count))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["generate", "explain"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--coupons", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432",
        help="PostgreSQL server URL without a database name; '' to skip PostgreSQL for generate.",
    )
    args = parser.parse_args()
    if args.command == "generate":
        generate(args)
    else:
        explain(args)


if __name__ == "__main__":
    main()

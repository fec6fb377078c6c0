"""Checkout throughput over HTTP: gunicorn on PostgreSQL, concurrent clients on loopback. Not a test.

    python bench/checkout.py [--duration 20] [--clients 8] [--workers 4] [--threads 1]
                             [--database-url postgres://postgres@127.0.0.1:5432/ticketshop_bench]

What it does, stopping everything it started when done (or interrupted):

1. recreates the benchmark database (its name must contain ``bench``), migrates it and
   creates an event with two items in a quota, two automatic rules (3 for 2; 10% from
   100.00) and a 10% voucher with uses for every order;
2. starts ``gunicorn config.wsgi`` bound to 127.0.0.1 only, DEBUG off;
3. for ``--duration`` seconds, ``--clients`` threads each POST ``orders/`` in a loop:
   three positions (ticket with the voucher, ticket, reduced ticket), one code, two
   rules — the whole checkout (locks, re-validation, pricing, redemption);
4. for the same time, each client adds one position at a time to a cart of its own
   (``POST carts/<id>/positions/``: the hold is taken under the quota and code locks);
   every 20 positions the client starts a new cart, outside the timed requests; these
   carts are deleted afterwards;
5. for the same time, the whole cart flow: ``POST carts/`` with the same three positions
   and code, then ``POST carts/<id>/checkout/`` (one figure per flow: two requests);
6. the direct checkouts of 3. again, while ``--held`` positions (2,000) of the same
   quota are held in other unexpired carts (deleted afterwards): every checkout counts
   them under its locks;
7. for the same time, the same clients GET ``/api/v1/organizers/<o>/`` (token
   authentication, one small read): the floor of the stack on this machine;
8. prints requests (flows) per second, p50/p99 latency and errors of each, and the
   floor/checkout ratio, so that runs on different machines can be compared.

Targets on a 2-core machine: at least 150 checkouts/s with p99 under 150 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
HOST = "127.0.0.1"  # loopback only: nothing listens on another interface


@dataclass
class Stats:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0


def env_for(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-not-for-production",
            "ALLOWED_HOSTS": HOST,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CONN_MAX_AGE": "600",
            "LOG_LEVEL": "ERROR",
        }
    )
    return env


def recreate_database(database_url: str, marker: str = "bench") -> None:
    """Drop and create the database; its name must contain ``marker``, so no other is dropped."""
    import psycopg

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    if marker not in name:
        raise SystemExit(f"Not recreating '{name}': the database's name must contain '{marker}'.")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


SEED = r"""
import json
from datetime import timedelta
from decimal import Decimal
from django.utils import timezone
from discounts.models import Discount
from ticketing.models import Event, Item, Quota
from ticketing.services import organizer_create, team_token_create
from ticketing.models import Team
from vouchers.models import Voucher

organizer = organizer_create(slug="bench", name="Bench")
event = Event.objects.create(organizer=organizer, slug="conf", name="Bench conference", currency="EUR",
                             date_from=timezone.now() + timedelta(days=30), live=True)
ticket = Item.objects.create(event=event, name="Ticket", default_price=Decimal("50.00"))
reduced = Item.objects.create(event=event, name="Reduced", default_price=Decimal("30.00"))
quota = Quota.objects.create(event=event, name="Tickets", size=10_000_000)
quota.items.set([ticket, reduced])
Discount.objects.create(event=event, internal_name="3 for 2", position=1, condition_min_count=3,
                        benefit_only_apply_to_cheapest_n_matches=1, benefit_discount_matching_percent=100)
Discount.objects.create(event=event, internal_name="10% from 100", position=2,
                        condition_min_value=Decimal("100.00"), benefit_discount_matching_percent=10)
Voucher.objects.create(event=event, code="BENCH-TEN", max_usages=10_000_000, price_mode="percent", value=10)
team = Team.objects.create(organizer=organizer, name="Bench", all_events=True,
                           **{p: True for p in Team.PERMISSIONS})
token = team_token_create(team=team, name="bench").raw
print(json.dumps({"token": token, "ticket": ticket.pk, "reduced": reduced.pk}))
"""


def prepare(database_url: str) -> dict:
    env = env_for(database_url)
    recreate_database(database_url)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    command = [PYTHON, "manage.py", "shell", "-c", SEED]
    out = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_server(
    database_url: str, port: int, workers: int, threads: int, env: dict[str, str] | None = None
) -> subprocess.Popen:
    worker_class = ["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []
    command = [
        str(Path(PYTHON).with_name("gunicorn")), "config.wsgi", "--bind", f"{HOST}:{port}",
        "--workers", str(workers), *worker_class, "--log-level", "warning", "--timeout", "60",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env or env_for(database_url), start_new_session=True)


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


class Client:
    """One HTTP/1.1 connection to the server; reconnects when the server closes it."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=self.headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def wait_until_up(port: int, token: str, server: subprocess.Popen, organizer: str = "bench") -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            if Client(port, token).request("GET", f"/api/v1/organizers/{organizer}/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def drive(name: str, clients: int, duration: float, make_request, before=None) -> Stats:
    """``clients`` threads calling ``make_request(index, n) -> (status, body, expected)`` until time is up.

    ``before(index, n)``, when given, runs ahead of each request, outside its timing."""
    stats = Stats(name)
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def loop(index: int) -> None:
        n = 0
        while time.monotonic() < stop_at:
            if before is not None:
                before(index, n)
            started = time.perf_counter()
            try:
                status, body, expected = make_request(index, n)
            except Exception as exc:  # noqa: BLE001 - counted as an error
                status, body, expected = 0, str(exc).encode(), 1
            took = time.perf_counter() - started
            with lock:
                if status == expected:
                    stats.latencies.append(took)
                else:
                    stats.errors += 1
                    if len(stats.error_samples) < 3:
                        stats.error_samples.append(f"{status}: {body[:200]!r}")
            n += 1

    started = time.monotonic()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats.elapsed = time.monotonic() - started
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per measurement (max 300)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of checkouts before measuring")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread when > 1)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--held", type=int, default=2000, help="positions held in other carts during the "
                        "second direct-checkout figure")  # fmt: skip
    parser.add_argument("--runs", type=int, default=1, help="measure every figure this many times; "
                        "the last table gives the medians")  # fmt: skip
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/ticketshop_bench",
        help="PostgreSQL database to (re)create for the run; its name must contain 'bench'",
    )  # fmt: skip
    args = parser.parse_args()
    duration = min(max(args.duration, 1.0), 300.0)

    seed = prepare(args.database_url)
    server = start_server(args.database_url, args.port, args.workers, args.threads)
    try:
        wait_until_up(args.port, seed["token"], server)
        connections = [Client(args.port, seed["token"]) for _ in range(args.clients)]
        path = "/api/v1/organizers/bench/events/conf/orders/"
        ticket, reduced = seed["ticket"], seed["reduced"]
        positions = [{"item": ticket, "voucher": "BENCH-TEN"}, {"item": ticket}, {"item": reduced}]
        body = json.dumps({"email": "buyer@example.com", "positions": positions}).encode()

        def checkout(index: int, n: int):
            status, payload = connections[index].request("POST", path, body)
            return status, payload, 201

        carts_path = "/api/v1/organizers/bench/events/conf/carts/"
        cart_body = json.dumps({"positions": positions}).encode()
        checkout_body = json.dumps({"email": "buyer@example.com"}).encode()
        add_body = json.dumps({"item": ticket}).encode()
        own_carts: list[str | None] = [None] * args.clients
        made: list[str] = []

        def new_cart_every_20(index: int, n: int) -> None:
            if n % 20 == 0:
                status, payload = connections[index].request("POST", carts_path, b"{}")
                own_carts[index] = json.loads(payload)["id"] if status == 201 else None
                if own_carts[index] is not None:
                    made.append(own_carts[index])

        def delete_carts() -> None:
            """Carts a phase left behind are deleted before the next one: each figure is its own."""
            for cart_id in made:
                connections[0].request("DELETE", f"{carts_path}{cart_id}/")
            made.clear()

        def hold(count: int) -> None:
            """``count`` positions held in unexpired carts of 20 positions each."""
            body = json.dumps({"positions": [{"item": ticket}] * 20}).encode()
            for _ in range(count // 20):
                status, payload = connections[0].request("POST", carts_path, body)
                assert status == 201, payload[:200]
                made.append(json.loads(payload)["id"])

        def add_position(index: int, n: int):
            if own_carts[index] is None:
                return 0, b"no cart", 201
            url = f"{carts_path}{own_carts[index]}/positions/"
            status, payload = connections[index].request("POST", url, add_body)
            return status, payload, 201

        def cart_flow(index: int, n: int):
            status, payload = connections[index].request("POST", carts_path, cart_body)
            if status != 201:
                return status, payload, 201
            url = f"{carts_path}{json.loads(payload)['id']}/checkout/"
            status, payload = connections[index].request("POST", url, checkout_body)
            return status, payload, 201

        def floor(index: int, n: int):
            status, payload = connections[index].request("GET", "/api/v1/organizers/bench/")
            return status, payload, 200

        drive("warm-up", args.clients, args.warmup, checkout)
        runs = []
        for _ in range(max(args.runs, 1)):
            figures = [drive("POST orders/ (checkout)", args.clients, duration, checkout)]
            figures.append(drive("POST carts/<id>/positions/", args.clients, duration, add_position,
                                 new_cart_every_20))  # fmt: skip
            delete_carts()
            figures.append(drive("cart: create (3 pos.+code), checkout", args.clients, duration, cart_flow))
            hold(args.held)
            held = f"POST orders/, {args.held} held in carts"
            figures.append(drive(held, args.clients, duration, checkout))
            delete_carts()
            figures.append(drive("GET organizers/<o>/ (floor)", args.clients, duration, floor))
            runs.append(figures)
    finally:
        stop_server(server)

    print(f"\n{args.clients} clients, gunicorn {args.workers} workers x {args.threads} threads, "
          f"{duration:.0f} s each, PostgreSQL, loopback, {os.cpu_count()} CPUs")  # fmt: skip
    header = f"{'request':<38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ok':>7} {'errors':>7}"
    for number, results in enumerate(runs, 1):
        print(f"\nrun {number}\n{header}")
        for stats in results:
            print(f"{stats.name:<38} {stats.rate:8.1f} {stats.percentile(50):8.1f} "
                  f"{stats.percentile(99):8.1f} {stats.ok:7d} {stats.errors:7d}")  # fmt: skip
            for sample in stats.error_samples:
                print(f"    error: {sample}")
        checkout_stats, floor_stats = results[0], results[-1]
        if checkout_stats.rate:
            print(f"floor / checkout throughput ratio: {floor_stats.rate / checkout_stats.rate:.2f}")
    if len(runs) > 1:
        print(f"\nmedians of {len(runs)} runs\n{header}")
        for figures in zip(*runs, strict=True):
            median = statistics.median
            print(f"{figures[0].name:<38} {median(s.rate for s in figures):8.1f} "
                  f"{median(s.percentile(50) for s in figures):8.1f} "
                  f"{median(s.percentile(99) for s in figures):8.1f} {sum(s.ok for s in figures):7d} "
                  f"{sum(s.errors for s in figures):7d}")  # fmt: skip


if __name__ == "__main__":
    main()

"""Redis lost under a running server: the public endpoints keep answering, job starts answer 503, and
everything comes back with Redis. Not a test; the numbers of issue 23's "Degrade, don't fail".

    python bench/degraded.py [--workers 2] [--rate 30]
                             [--database-url postgres://postgres@127.0.0.1:5432/ticketshop_degraded_bench]

Recreates the database (its name must contain ``bench``), starts a redis-server of its own on a free
loopback port, one gunicorn server (``--workers``, ``PUBLIC_THROTTLE_RATE`` = ``--rate``/min) and one
Celery worker with Redis as cache and broker, all through ``scripts/entrypoint``. Then:

1. stops Redis (by its PID) and sends 17 lookups of a real code and 17 price previews, one after the
   other (the issue measured 34 of 34 answering 500), and 100 more lookups: each gunicorn process
   counts on its own, so at most ``--rate`` × ``--workers`` are answered;
2. ``/readyz`` (200 ``degraded``) and a 5,000-coupon generation (503 ``unavailable``, ``Retry-After``,
   the job failed and none left queued);
3. starts Redis again on the same port: after 5 s (``core.throttling.RETRY_SHARED_SECONDS``) a lookup
   answers from the shared counter again (a fresh one: the new Redis is empty), the failed job
   is re-run through ``jobs/<id>/rerun/`` and the worker, reconnected, creates exactly 5,000 coupons.

Prints each figure against what it must be; exits 1 when one differs. Stops everything it started.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkout import ROOT, Client, env_for, recreate_database, stop_server, wait_until_up  # noqa: E402
from servers import ENTRYPOINT, call, start_web, start_worker, stop_worker  # noqa: E402

#: core.throttling's: while Redis is down each process tries it again after so many seconds.
RETRY_SHARED_SECONDS = 5.0

SEED = r"""
import json
from datetime import timedelta
from django.utils import timezone
from ticketing.models import Event, Item, Quota, Team
from ticketing.services import organizer_create, team_token_create
from vouchers.models import Coupon, CouponSeries

organizer = organizer_create(slug="degraded", name="Degraded")
event = Event.objects.create(organizer=organizer, slug="conf", name="Degraded", currency="EUR",
                             date_from=timezone.now() + timedelta(days=30), live=True)
item = Item.objects.create(event=event, name="Ticket", default_price="50.00")
Quota.objects.create(event=event, name="Ticket", size=1000).items.set([item])
series = CouponSeries.objects.create(organizer=organizer, name="Degraded", discount_type="percent",
                                     discount_value=10)
Coupon.objects.create(organizer=organizer, series=series, code="REAL-CODE-1")
team = Team.objects.create(organizer=organizer, name="Degraded", all_events=True,
                           **{p: True for p in Team.PERMISSIONS})
print(json.dumps({"token": team_token_create(team=team, name="degraded").raw, "item": item.pk,
                  "series": series.pk}))
"""

ORGANIZER = "/api/v1/organizers/degraded/"
LOOKUP = ORGANIZER + "code-info/REAL-CODE-1/"
PREVIEW = ORGANIZER + "events/conf/price-preview/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(port: int) -> subprocess.Popen:
    server = shutil.which("redis-server") or "redis-server"
    process = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def stop_redis(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def anonymous(port: int) -> Client:
    client = Client(port, "")
    client.headers = {"Content-Type": "application/json"}
    return client


def until_ended(client: Client, job_id: int) -> dict:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status, job = call(client, "GET", ORGANIZER + f"jobs/{job_id}/")
        if status == 200 and job["state"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    return {"state": "did not end"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--rate", type=int, default=30, help="PUBLIC_THROTTLE_RATE per minute")
    parser.add_argument("--port", type=int, default=8775)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/ticketshop_degraded_bench"
    )
    args = parser.parse_args()

    redis_port = free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = env_for(args.database_url)
    env.update(REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url, PUBLIC_THROTTLE_RATE=f"{args.rate}/min")
    recreate_database(args.database_url)
    subprocess.run([ENTRYPOINT, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", SEED], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    seed = json.loads(out.strip().splitlines()[-1])
    redis = start_redis(redis_port)
    server = start_web(env, args.port, args.workers)
    worker = start_worker(env)
    rows: list[tuple[str, str, str]] = []
    try:
        wait_until_up(args.port, seed["token"], server, organizer="degraded")
        api, public = Client(args.port, seed["token"]), anonymous(args.port)
        assert call(public, "GET", LOOKUP)[0] == 200  # Redis up: the shared counter

        stop_redis(redis)
        started = time.perf_counter()
        answers = Counter()
        for _ in range(17):
            answers[call(public, "GET", LOOKUP)[0]] += 1
            answers[call(public, "POST", PREVIEW, {"positions": [{"item": seed["item"]}]})[0]] += 1
        seconds = time.perf_counter() - started
        rows.append(("Redis stopped: 17 lookups + 17 previews answered 200", "34", str(answers[200])))
        rows.append(("  ... answered 500", "0", str(answers[500])))
        more = Counter(call(public, "GET", LOOKUP)[0] for _ in range(100))
        limit = args.rate * args.workers
        answered = more[200] + answers[200] // 2  # the 17 lookups above count too
        rows.append((f"  ... 100 more lookups: answered in all at most {limit}", "yes",
                     "yes" if answered <= limit else f"no ({answered})"))  # fmt: skip
        rows.append(("  ... the others refused 429", str(100 - more[200]), str(more[429])))
        status, ready = call(public, "GET", "/readyz")
        rows.append(("  ... /readyz", "200 degraded", f"{status} {ready.get('status')}"))
        generate = ORGANIZER + f"coupon-series/{seed['series']}/generate/"
        status, refused = call(api, "POST", generate, {"count": 5000})
        rows.append(("  ... a 5,000-coupon generation", "503 unavailable", f"{status} {refused.get('code')}"))
        _, waiting = call(api, "GET", ORGANIZER + "jobs/?state=queued")
        rows.append(("  ... jobs left queued", "0", str(waiting.get("count"))))

        redis = start_redis(redis_port)
        time.sleep(RETRY_SHARED_SECONDS + 0.5)  # each process tries Redis again after this long
        rows.append(
            ("Redis back: a lookup (a fresh shared counter)", "200", str(call(public, "GET", LOOKUP)[0]))
        )
        status, rerun = call(api, "POST", ORGANIZER + f"jobs/{refused.get('job')}/rerun/")
        rows.append(("  ... the refused job re-run", "202", str(status)))
        job = until_ended(api, rerun.get("id", 0)) if status == 202 else {}
        rows.append(("  ... the re-run, on the reconnected worker", "succeeded", str(job.get("state"))))
        rows.append(("  ... coupons created", "5000", str((job.get("result") or {}).get("created"))))
    finally:
        stop_server(server)
        stop_worker(worker)
        stop_redis(redis)

    width = max(len(name) for name, _, _ in rows)
    print(
        f"\none gunicorn server x {args.workers} workers, one Celery worker, Redis stopped and started again"
    )
    print(f"{'scenario':<{width}} {'must be':>15} {'got':>15}")
    for name, expected, got in rows:
        print(f"{name:<{width}} {expected:>15} {got:>15}{'' if expected == got else '   <-- WRONG'}")
    print(f"34 public requests with Redis stopped took {seconds:.2f} s")
    wrong = [row for row in rows if row[1] != row[2]]
    print("all as they must be" if not wrong else f"{len(wrong)} wrong")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())

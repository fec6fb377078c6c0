"""Background jobs over HTTP: gunicorn and one Celery worker on PostgreSQL and Redis. Not a test.

    python bench/jobs.py [--runs 3] [--count 100000] [--workers 2]
                         [--database-url postgres://postgres@127.0.0.1:5432/ticketshop_jobs_bench]
                         [--broker-url redis://127.0.0.1:6379/5]

What it does, stopping everything it started when done (or interrupted):

1. recreates the benchmark database (its name must contain ``bench``), migrates it and creates an
   organizer with a team token and a coupon series; empties the broker's Redis database;
2. starts ``gunicorn config.wsgi`` (``--workers``, 127.0.0.1 only, DEBUG off) and one Celery worker
   (``celery -A config worker``, one process), both on that database and broker;
3. ``--runs`` times: ``POST coupon-series/<id>/generate/`` of ``--count`` codes, timing the answer
   (202 with the job), then polls ``jobs/<id>/`` until the job has ended; the same for
   ``POST coupon-series/<id>/import/`` of a ``--count``-row CSV (``text/csv``, codes new each run);
4. prints, per run and as medians: the 202's latency, the time the job waited in the queue
   (``started - created``), the job's own duration (``finished - started``) and the time from the POST
   until the client saw the job end.

Exits 1 when a job did not succeed or created another number of coupons than asked.
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
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkout import (  # noqa: E402
    HOST,
    PYTHON,
    ROOT,
    env_for,
    recreate_database,
    start_server,
    stop_server,
    wait_until_up,
)

SEED = r"""
import json
from ticketing.models import Team
from ticketing.services import organizer_create, team_token_create
from vouchers.models import CouponSeries

organizer = organizer_create(slug="bench", name="Bench")
team = Team.objects.create(organizer=organizer, name="Bench", all_events=True,
                           **{p: True for p in Team.PERMISSIONS})
series = CouponSeries.objects.create(organizer=organizer, name="Bench jobs", discount_type="percent",
                                     discount_value=10)
print(json.dumps({"token": team_token_create(team=team, name="bench").raw, "series": series.pk}))
"""

ORGANIZER = "/api/v1/organizers/bench/"
ENDED = ("succeeded", "failed")


@dataclass
class JobRun:
    name: str
    accepted_ms: float
    queued_s: float
    ran_s: float
    seen_end_s: float
    state: str
    created: int


def prepare(database_url: str, env: dict[str, str]) -> dict:
    recreate_database(database_url)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    command = [PYTHON, "manage.py", "shell", "-c", SEED]
    out = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def flush_broker(broker_url: str) -> None:
    """Empty the broker's Redis database: no task of an earlier run is delivered to this one."""
    import redis

    redis.Redis.from_url(broker_url).flushdb()


def start_celery_worker(env: dict[str, str]) -> subprocess.Popen:
    celery = str(Path(PYTHON).with_name("celery"))
    command = [celery, "-A", "config", "worker", "-l", "warning", "--concurrency", "1",
               "--without-gossip", "--without-mingle"]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop_process_group(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for_worker(env: dict[str, str], worker: subprocess.Popen) -> None:
    celery = str(Path(PYTHON).with_name("celery"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit("the Celery worker exited during start-up")
        ping = subprocess.run([celery, "-A", "config", "inspect", "ping", "-t", "1"], cwd=ROOT, env=env,
                              capture_output=True, text=True)  # fmt: skip
        if ping.returncode == 0 and "pong" in ping.stdout:
            return
        time.sleep(0.5)
    raise SystemExit("the Celery worker did not answer within 60 s")


def request(port: int, token: str, method: str, path: str, body: bytes = b"", content_type: str = ""):
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    headers = {"Authorization": f"Token {token}"}
    if content_type:
        headers["Content-Type"] = content_type
    try:
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def seconds_between(start: str | None, end: str | None) -> float:
    if not start or not end:
        return float("nan")
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def timed_job(name: str, port: int, token: str, path: str, body: bytes, content_type: str) -> JobRun:
    began = time.perf_counter()
    status, job = request(port, token, "POST", path, body, content_type)
    accepted = time.perf_counter() - began
    if status != 202:
        raise SystemExit(f"{name}: expected 202, got {status}: {json.dumps(job)[:300]}")
    deadline = time.monotonic() + 600
    while job["state"] not in ENDED and time.monotonic() < deadline:
        time.sleep(0.05)
        status, job = request(port, token, "GET", f"{ORGANIZER}jobs/{job['id']}/")
    seen_end = time.perf_counter() - began
    if job["state"] not in ENDED:
        raise SystemExit(f"{name}: the job did not end within 600 s: {json.dumps(job)[:300]}")
    return JobRun(
        name=name,
        accepted_ms=accepted * 1000,
        queued_s=seconds_between(job["created"], job["started"]),
        ran_s=seconds_between(job["started"], job["finished"]),
        seen_end_s=seen_end,
        state=job["state"] if job["state"] == "succeeded" else f"failed: {job['errors'][:2]}",
        created=(job["result"] or {}).get("created", 0),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=100_000, help="codes per generation and rows per import")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/ticketshop_jobs_bench",
        help="PostgreSQL database to (re)create for the run; its name must contain 'bench'",
    )  # fmt: skip
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/5",
                        help="Redis database for Celery's queue; emptied at the start")  # fmt: skip
    args = parser.parse_args()

    env = {**env_for(args.database_url), "CELERY_BROKER_URL": args.broker_url}
    seed = prepare(args.database_url, env)
    flush_broker(args.broker_url)
    worker = start_celery_worker(env)
    server = start_server(args.database_url, args.port, args.workers, 1, env=env)
    series = f"{ORGANIZER}coupon-series/{seed['series']}/"
    runs: list[list[JobRun]] = []
    try:
        wait_until_up(args.port, seed["token"], server, organizer="bench")
        wait_for_worker(env, worker)
        for number in range(max(args.runs, 1)):
            generate = json.dumps({"count": args.count}).encode()
            csv = "code\n" + "".join(f"IMPORT{number}-{n:07d}\n" for n in range(args.count))
            runs.append([
                timed_job(f"generate/ {args.count:,} codes", args.port, seed["token"], f"{series}generate/",
                          generate, "application/json"),
                timed_job(f"import/ {args.count:,} rows ({len(csv) / 1e6:.1f} MB)", args.port, seed["token"],
                          f"{series}import/", csv.encode(), "text/csv"),
            ])  # fmt: skip
    finally:
        stop_server(server)
        stop_process_group(worker)

    print(f"\ngunicorn {args.workers} workers, 1 Celery worker (1 process), PostgreSQL, Redis, loopback, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    header = f"{'job':<34} {'202 ms':>8} {'queued s':>9} {'job s':>7} {'seen end s':>11}  state"
    for number, results in enumerate(runs, 1):
        print(f"\nrun {number}\n{header}")
        for r in results:
            print(f"{r.name:<34} {r.accepted_ms:8.1f} {r.queued_s:9.3f} {r.ran_s:7.2f} {r.seen_end_s:11.2f}  "
                  f"{r.state}")  # fmt: skip
    median = statistics.median
    print(f"\nmedians of {len(runs)} runs\n{header}")
    for figures in zip(*runs, strict=True):
        print(f"{figures[0].name:<34} {median(r.accepted_ms for r in figures):8.1f} "
              f"{median(r.queued_s for r in figures):9.3f} {median(r.ran_s for r in figures):7.2f} "
              f"{median(r.seen_end_s for r in figures):11.2f}")  # fmt: skip
    wrong = [r for results in runs for r in results if r.state != "succeeded" or r.created != args.count]
    for r in wrong:
        print(f"WRONG: {r.name}: {r.state}, created {r.created}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())

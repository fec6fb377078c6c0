"""A real Celery worker, killed with SIGKILL in the middle of a 10,000-coupon generation, on PostgreSQL and a
Redis of the test's own: nothing of the generation is kept, the job is ``running`` with a heartbeat that
stops; ``fail-lost-jobs`` fails it as ``worker_lost``; its re-run, on a new worker, creates exactly
10,000 coupons.

PostgreSQL only: the worker is another process and must see the test's committed rows (SQLite's test
database lives in this process's memory). The test starts ``redis-server`` on a free port and the
workers (``celery -A config worker --pool solo``: the worker's own process runs the job, so that its PID
is the one to kill), and stops each by its PID.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from jobs.models import Job, JobState
from jobs.services import WORKER_LOST, jobs_fail_lost
from jobs.tasks import fail_lost_jobs
from jobs.tests.broker import broker_at
from vouchers.models import Coupon
from vouchers.tests.factories import CouponSeriesFactory

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
#: Enough that the job is seen part-way (the coupons are inserted 2,000 at a time) and killed there.
COUNT = 10_000
#: The workers beat every 0.2 s and a job is lost after 1 s of silence (here, not in production).
HEARTBEAT, TIMEOUT = "0.2", "1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], object], *, seconds: float, what: str) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def redis_url() -> Iterator[str]:
    server = shutil.which("redis-server")
    assert server, "redis-server is needed (apt-get install redis-server; .ci/run installs it)"
    port = free_port()
    process = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, seconds=10, what="redis")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)


def database_url() -> str:
    """The test database, for the worker processes."""
    params = connection.settings_dict
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return f"postgres://{params['USER']}{password}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


@pytest.fixture
def start_worker(redis_url) -> Iterator[Callable[[], subprocess.Popen]]:
    env = {
        key: value for key, value in os.environ.items() if key not in ("TESTING", "REDIS_URL", "SENTRY_DSN")
    }
    env.update(
        DATABASE_URL=database_url(), CELERY_BROKER_URL=redis_url, DEBUG="1", LOG_LEVEL="WARNING",
        JOB_HEARTBEAT_SECONDS=HEARTBEAT, JOB_HEARTBEAT_TIMEOUT=TIMEOUT,
        DJANGO_SETTINGS_MODULE="config.settings",
    )  # fmt: skip
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        command = [CELERY, "-A", "config", "worker", "--pool", "solo", "-l", "warning",
                   "--without-mingle", "--without-gossip", "--without-heartbeat"]  # fmt: skip
        started.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL))
        return started[-1]

    try:
        yield start
    finally:
        for process in started:
            stop(process)


def job_now(job_id: int) -> Job:
    return Job.objects.get(pk=job_id)


def test_a_worker_killed_mid_generation_leaves_nothing_and_its_job_is_failed_then_re_run(
    api, organizer, redis_url, start_worker, settings
):
    series = CouponSeriesFactory(organizer=organizer)
    with broker_at(redis_url):
        worker = start_worker()
        response = api.post(
            f"/api/v1/organizers/demo-org/coupon-series/{series.pk}/generate/",
            {"count": COUNT},
            format="json",
        )
        assert response.status_code == 202, response.content
        job_id = response.json()["id"]

        # Running, part-way: progress is written from a connection of its own while the coupons'
        # transaction is open.
        wait_until(lambda: 0 < job_now(job_id).done < COUNT, seconds=120, what="the job under way")
        running = job_now(job_id)
        assert running.state == JobState.RUNNING
        # Alive, it beats: after more than the timeout since it started, it is not taken for lost.
        wait_until(lambda: job_now(job_id).heartbeat > running.heartbeat, seconds=5, what="a heartbeat")
        assert jobs_fail_lost(now=timezone.now(), timeout=timedelta(seconds=float(TIMEOUT))) == []

        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
        killed_at = job_now(job_id)
        assert killed_at.state == JobState.RUNNING and 0 < killed_at.done < COUNT
        # Nothing half-written: the coupons were one transaction, rolled back with the dead connection.
        assert Coupon.objects.filter(series=series).count() == 0

        # The heartbeat has stopped: once the timeout has passed the periodic task fails the job.
        settings.JOB_HEARTBEAT_TIMEOUT = float(TIMEOUT)
        time.sleep(float(TIMEOUT) + 0.2)
        assert fail_lost_jobs() == [job_id]
        lost = job_now(job_id)
        assert (lost.state, lost.errors) == (
            JobState.FAILED,
            [{"code": "worker_lost", "message": WORKER_LOST}],
        )

        # Re-run on a new worker: exactly the asked number, once.
        start_worker()
        again = api.post(f"/api/v1/organizers/demo-org/jobs/{job_id}/rerun/")
        assert again.status_code == 202, again.content
        rerun_id = again.json()["id"]
        wait_until(lambda: job_now(rerun_id).state in (JobState.SUCCEEDED, JobState.FAILED), seconds=180,
                   what="the re-run finished")  # fmt: skip
    rerun = job_now(rerun_id)
    assert (rerun.state, rerun.result, rerun.rerun_of_id) == (
        JobState.SUCCEEDED, {"series": series.pk, "created": COUNT}, job_id
    )  # fmt: skip
    assert Coupon.objects.filter(series=series).count() == COUNT
    print(f"\nkilled at {killed_at.done:,} of {COUNT:,} coupons; re-run ran {rerun.finished - rerun.started}")

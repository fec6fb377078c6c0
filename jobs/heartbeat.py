"""The running job's sign of life: a thread of the process running it writes ``Job.heartbeat``.

A worker killed in the middle of a job (``kill -9``, the out-of-memory killer, a lost machine) cannot
record anything; its job would stay ``running`` for ever. While a handler runs, ``JobHeartbeat`` writes
the time to the job's row every ``JOB_HEARTBEAT_SECONDS`` from a thread of its own, whatever the handler
is doing (a long query, a transaction holding thousands of rows, parsing a file), so a stale heartbeat
means the process is gone, not busy. The periodic ``jobs.tasks.fail_lost_jobs`` fails running jobs whose
heartbeat is older than ``JOB_HEARTBEAT_TIMEOUT`` (``jobs.services.jobs_fail_lost``).

The thread uses its own database connection (Django's are per thread) and closes it after each beat, so
that a running job does not hold a second connection between beats. A beat that fails (the database
briefly unreachable) is logged and tried again at the next one.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from django.db import connection
from django.utils import timezone

from jobs.models import Job, JobState

logger = logging.getLogger(__name__)


def job_heartbeat_write(job_id: int) -> bool:
    """The job's heartbeat is now; ``False`` when it is no longer running (finished, or failed as lost)."""
    return bool(Job.objects.filter(pk=job_id, state=JobState.RUNNING).update(heartbeat=timezone.now()))


class JobHeartbeat:
    """``with JobHeartbeat(job.pk, every=seconds):`` beats every ``every`` seconds until the block ends."""

    def __init__(self, job_id: int, *, every: float) -> None:
        self.job_id = job_id
        self.every = every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, name=f"job-{job_id}-heartbeat", daemon=True)

    def __enter__(self) -> JobHeartbeat:
        self.thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stopped.set()
        self.thread.join()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                job_heartbeat_write(self.job_id)
            except Exception:  # the database away for a moment: the next beat tries again
                logger.warning("Could not write the heartbeat of job %s", self.job_id, exc_info=True)
            finally:
                connection.close()  # this thread's connection, not the handler's

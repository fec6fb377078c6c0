"""Writes of the jobs app: start a job, and record how it runs (``jobs.tasks.run_job`` calls these)."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from functools import partial
from typing import Any

from celery import signature
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from core.requestid import current_request_id
from jobs.models import FINISHED_STATES, Job, JobFile, JobFileRole, JobKind, JobState
from jobs.registry import job_type
from ticketing.models import Organizer, TeamAPIToken

logger = logging.getLogger(__name__)

#: The task that runs a job, by name: ``jobs.tasks`` imports this module (and ``JobsConfig.ready()``
#: imports ``jobs.tasks``, so the task is registered wherever Django runs).
RUN_JOB = "jobs.tasks.run_job"
ENQUEUE_FAILED = "The job could not be queued (the task broker is unreachable); start it again later."


def start_job(
    kind: JobKind | str,
    *,
    organizer: Organizer | None,
    started_by_user=None,
    started_by_token: TeamAPIToken | None = None,
    params: dict[str, Any] | None = None,
    input_text: str | None = None,
    input_name: str = "",
) -> Job:
    """Create the job (with its input file) and queue it once the transaction commits.

    Without a broker (``CELERY_TASK_ALWAYS_EAGER``) it runs at that moment, in this process: outside a
    transaction, before ``start_job`` returns."""
    job_type(kind)  # UnknownJobKind before anything is written
    with transaction.atomic():
        job = Job.objects.create(
            organizer=organizer,
            kind=kind,
            params=params or {},
            started_by_user=started_by_user if getattr(started_by_user, "pk", None) else None,
            started_by_token=started_by_token,
            request_id=current_request_id() or "",
        )
        if input_text is not None:
            JobFile.objects.create(job=job, role=JobFileRole.INPUT, name=input_name, text=input_text)
        transaction.on_commit(partial(enqueue_job, job.pk))
    return job


def enqueue_job(job_id: int) -> None:
    try:
        signature(RUN_JOB, args=(job_id,)).delay()
    except Exception:  # kombu's OperationalError and the like: the broker is down
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise  # inline, this is the job machinery failing: let it show
        logger.exception("Could not queue job %s", job_id)
        job_finish(job_id, state=JobState.FAILED, errors=[{"message": ENQUEUE_FAILED}])


def job_mark_running(job: Job) -> bool:
    """Queued → running; ``False`` when another delivery of the task already took the job."""
    now = timezone.now()
    taken = Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(state=JobState.RUNNING, started=now)
    if taken:
        job.state, job.started = JobState.RUNNING, now
    return bool(taken)


def job_finish(
    job_id: int,
    *,
    state: JobState,
    result: dict[str, Any] | None = None,
    errors: list[dict[str, Any]] | None = None,
    done: int | None = None,
    total: int | None = None,
) -> None:
    fields: dict[str, Any] = {
        "state": state,
        "finished": timezone.now(),
        "result": result,
        "errors": errors or [],
    }
    if done is not None:
        fields["done"] = done
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job_id).update(**fields)


def job_output_save(
    job: Job, *, text: str, name: str, content_type: str = "text/csv; charset=utf-8"
) -> JobFile:
    """What the job produced (an export), to download from ``organizers/<o>/jobs/<id>/download/``."""
    file, _ = JobFile.objects.update_or_create(
        job=job, role=JobFileRole.OUTPUT, defaults={"text": text, "name": name, "content_type": content_type}
    )
    return file


def jobs_prune(*, older_than: datetime) -> int:
    """Delete the jobs finished before ``older_than``, with their files; answer how many."""
    deleted, _ = Job.objects.filter(state__in=FINISHED_STATES, finished__lt=older_than).delete()
    return deleted


class JobProgress:
    """The ``progress(done, total)`` callback a handler gets: writes the job's row at most every
    ``every`` items or ``seconds``, whichever comes first, and when ``done`` reaches ``total``.

    A handler may write its rows in one transaction; on PostgreSQL the progress is then written through a
    connection of its own, so that it can be read while the job runs (on SQLite it shows at the end)."""

    every = 10_000
    seconds = 1.0

    def __init__(self, job: Job) -> None:
        self.job_id = job.pk
        self.done = self.total = 0
        self.written = (-1, -1)
        self.written_at = 0.0
        self.side = None

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        now = time.monotonic()
        last_done = self.written[0]
        if (done, total) == self.written:
            return
        if done < total and done - last_done < self.every and now - self.written_at < self.seconds:
            return
        self.written, self.written_at = (done, total), now
        self.write(done, total)

    def write(self, done: int, total: int) -> None:
        if connection.in_atomic_block and connection.vendor == "postgresql":
            if self.side is None:
                default = connections[DEFAULT_DB_ALIAS]
                self.side = type(default)(dict(default.settings_dict), DEFAULT_DB_ALIAS)
            with self.side.cursor() as cursor:
                table = connection.ops.quote_name(Job._meta.db_table)
                cursor.execute(
                    f"UPDATE {table} SET done = %s, total = %s WHERE id = %s", [done, total, self.job_id]
                )
        else:
            Job.objects.filter(pk=self.job_id).update(done=done, total=total)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None

"""Writes of the jobs app: start a job, and record how it runs (``jobs.tasks.run_job`` calls these)."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from celery import signature
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.errors import ConflictError, DomainError
from core.requestid import current_request_id
from jobs.models import FINISHED_STATES, Job, JobFile, JobFileRole, JobKind, JobState
from jobs.registry import job_type
from ticketing.models import Organizer, TeamAPIToken

logger = logging.getLogger(__name__)

#: The task that runs a job, by name: ``jobs.tasks`` imports this module (and ``JobsConfig.ready()``
#: imports ``jobs.tasks``, so the task is registered wherever Django runs).
RUN_JOB = "jobs.tasks.run_job"
ENQUEUE_FAILED = "The job could not be queued (the task broker is unreachable); start it again later."
WORKER_LOST = (
    "The worker running the job stopped giving signs of life (killed, out of memory, or its machine lost); "
    "what the job writes is written all at once, so nothing of it was kept. Re-run the job."
)
#: Seconds a client is asked to wait before starting a job again when the broker was unreachable.
QUEUE_RETRY_AFTER = 30


class JobNotQueued(DomainError):
    """503: the job could not be handed to the workers (the broker is unreachable). It is recorded as
    failed (``broker_unavailable``), so that nothing waits for it; it can be re-run later."""

    status_code = 503
    code = "unavailable"
    default_detail = (
        "Background jobs cannot be started right now (the task queue is unreachable); nothing was done. "
        "Please retry later."
    )


def start_job(
    kind: JobKind | str,
    *,
    organizer: Organizer | None,
    started_by_user=None,
    started_by_token: TeamAPIToken | None = None,
    params: dict[str, Any] | None = None,
    input_text: str | None = None,
    input_name: str = "",
    rerun_of: Job | None = None,
) -> Job:
    """Create the job (with its input file) and queue it once the transaction commits.

    Without a broker (``CELERY_TASK_ALWAYS_EAGER``) it runs at that moment, in this process: outside a
    transaction, before ``start_job`` returns. When the broker cannot be reached the job is marked failed
    at once; called outside a transaction (a request), ``start_job`` then raises ``JobNotQueued`` (503),
    so that no client is told "accepted" about a job that will never run. Inside a caller's transaction
    the job is queued when that commits, and a failure then shows on the job only."""
    job_type(kind)  # UnknownJobKind before anything is written
    queued: list[bool] = []

    def enqueue() -> None:
        queued.append(enqueue_job(job.pk))

    with transaction.atomic():
        job = Job.objects.create(
            organizer=organizer,
            kind=kind,
            params=params or {},
            started_by_user=started_by_user if getattr(started_by_user, "pk", None) else None,
            started_by_token=started_by_token,
            request_id=current_request_id() or "",
            rerun_of=rerun_of,
        )
        if input_text is not None:
            JobFile.objects.create(job=job, role=JobFileRole.INPUT, name=input_name, text=input_text)
        transaction.on_commit(enqueue)
    if queued == [False]:  # the commit above was the outermost: the broker refused just now
        raise JobNotQueued(job=job.pk, retry_after=QUEUE_RETRY_AFTER)
    return job


def enqueue_job(job_id: int) -> bool:
    """Hand the job to the workers (inline: run it); ``False`` when the broker could not be reached,
    and the job is then failed with the code ``broker_unavailable``."""
    try:
        signature(RUN_JOB, args=(job_id,)).delay()
    except Exception as exc:  # kombu's OperationalError and the like: the broker is down
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise  # inline, this is the job machinery failing: let it show
        logger.warning("Could not queue job %s: %s: %s", job_id, type(exc).__name__, exc)
        errors = [{"code": "broker_unavailable", "message": ENQUEUE_FAILED}]
        job_finish(job_id, state=JobState.FAILED, errors=errors)
        return False
    return True


def job_rerun(job: Job, *, started_by_user=None, started_by_token: TeamAPIToken | None = None) -> Job:
    """Start a failed job again: a new job of the same kind, organizer, parameters and input file,
    ``rerun_of`` it, started by the caller. A job is re-run once (``ConflictError`` ``job_state``
    otherwise; the database's uniqueness of ``rerun_of`` decides, so a double click makes one job); a
    job that has not failed is not re-run at all.

    The handlers write all or nothing (coupons in one transaction, an export's file at its end), so a
    failed job left nothing half-written and its re-run does the whole work once."""
    if job.state != JobState.FAILED:
        raise ConflictError(f"Only a failed job can be re-run; this one is {job.state}.", code="job_state")
    source = JobFile.objects.filter(job=job, role=JobFileRole.INPUT).first()
    try:
        return start_job(
            job.kind,
            organizer=job.organizer,
            started_by_user=started_by_user,
            started_by_token=started_by_token,
            params=job.params,
            input_text=source.text if source is not None else None,
            input_name=source.name if source is not None else "",
            rerun_of=job,
        )
    except IntegrityError as exc:  # ``rerun_of`` is unique: re-run before, or by a request at the same moment
        if "rerun_of" not in str(exc):
            raise
        raise ConflictError("This job has already been re-run.", code="job_state") from exc


def job_mark_running(job: Job) -> bool:
    """Queued → running; ``False`` when another delivery of the task already took the job."""
    now = timezone.now()
    taken = Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started=now, heartbeat=now
    )
    if taken:
        job.state, job.started, job.heartbeat = JobState.RUNNING, now, now
    return bool(taken)


def jobs_fail_lost(*, now: datetime, timeout: timedelta) -> list[int]:
    """Fail the running jobs whose last sign of life (heartbeat, else start) is older than ``timeout``:
    their worker died. Answers their ids. A job that beats again in the meantime is left alone (the
    condition is the ``UPDATE``'s own)."""
    last_sign = Coalesce("heartbeat", "started", "created")
    lost = Job.objects.alias(last_sign=last_sign).filter(
        Q(state=JobState.RUNNING), last_sign__lt=now - timeout
    )
    ids = list(lost.values_list("pk", flat=True))
    if not ids:
        return []
    errors = [{"code": "worker_lost", "message": WORKER_LOST}]
    lost.filter(pk__in=ids).update(state=JobState.FAILED, finished=now, errors=errors)
    for job_id in ids:
        logger.warning("Job %s lost its worker (no heartbeat for %s): failed as worker_lost", job_id, timeout)
    return ids


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
                    f"UPDATE {table} SET done = %s, total = %s, heartbeat = %s WHERE id = %s",
                    [done, total, timezone.now(), self.job_id],
                )
        else:
            Job.objects.filter(pk=self.job_id).update(done=done, total=total, heartbeat=timezone.now())

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None

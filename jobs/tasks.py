"""Celery tasks of the jobs app: run a job; fail the jobs whose worker died, and prune old ones (both
periodic, ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.audit import Actor, acting_as
from core.errors import DomainError
from core.metrics import observe_job
from core.requestid import bound_request_id
from jobs.heartbeat import JobHeartbeat
from jobs.models import Job, JobState
from jobs.registry import JobFailed, job_type
from jobs.services import JobProgress, job_finish, job_mark_running, jobs_fail_lost, jobs_prune

logger = logging.getLogger(__name__)

#: At most so many errors are kept on a job.
MAX_ERRORS = 100


def validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"message": message} for message in exc.messages]


def job_actor(job: Job) -> Actor:
    """The audit log records a job's changes as made by whoever started it."""
    starter = job.started_by_token or job.started_by_user
    label = f"job {job.pk} of {starter}" if starter is not None else f"job {job.pk}"
    return Actor(source="job", user_id=job.started_by_user_id, token_id=job.started_by_token_id, label=label)


@shared_task(name="jobs.tasks.run_job", ignore_result=True)
def run_job(job_id: int) -> str | None:
    """Run the job's handler and record its progress, result or errors, and the end state.

    A job that is not queued (already taken by another delivery of this task, or gone) is left alone.
    The handler's failure, whatever it is, is the job's ``failed``; the worker carries on. While the
    handler runs, a thread writes the job's heartbeat (``jobs.heartbeat``)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not job_mark_running(job):
        logger.warning("Job %s is not queued (gone or already taken); not running it.", job_id)
        return None
    with bound_request_id(job.request_id or None), acting_as(job_actor(job)):
        started = time.perf_counter()
        progress = JobProgress(job)
        result: dict[str, Any] | None = None
        errors: list[dict[str, Any]] = []
        try:
            with JobHeartbeat(job.pk, every=settings.JOB_HEARTBEAT_SECONDS):
                result = job_type(job.kind).handler(job, progress)
        except JobFailed as exc:
            errors, result = exc.errors, exc.result
        except DomainError as exc:
            errors = [{"code": exc.code, "message": exc.detail}]
        except ValidationError as exc:
            errors = validation_errors(exc)
        except Exception as exc:  # a bug: recorded on the job, logged with its traceback
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            errors = [{"message": f"The job failed unexpectedly: {type(exc).__name__}: {exc}"[:1000]}]
        finally:
            progress.close()
        state = JobState.FAILED if errors else JobState.SUCCEEDED
        job_finish(
            job.pk,
            state=state,
            result=result,
            errors=errors[:MAX_ERRORS],
            done=progress.done,
            total=progress.total,
        )
        seconds = time.perf_counter() - started
        observe_job(job.kind, state, seconds)
        logger.info("Job %s (%s) %s in %.2f s", job.pk, job.kind, state, seconds)
        return state


@shared_task(name="jobs.tasks.prune_jobs", ignore_result=True)
def prune_jobs() -> int:
    """Delete the jobs finished more than ``JOB_RETENTION_DAYS`` ago (with their stored files)."""
    return jobs_prune(older_than=timezone.now() - timedelta(days=settings.JOB_RETENTION_DAYS))


@shared_task(name="jobs.tasks.fail_lost_jobs", ignore_result=True)
def fail_lost_jobs() -> list[int]:
    """Fail the running jobs without a heartbeat for ``JOB_HEARTBEAT_TIMEOUT`` seconds (``worker_lost``)."""
    return jobs_fail_lost(now=timezone.now(), timeout=timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT))

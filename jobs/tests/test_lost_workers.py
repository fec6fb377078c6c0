"""A job whose worker died: its heartbeat goes stale, the periodic ``fail-lost-jobs`` fails it as
``worker_lost``; a job whose worker lives beats, whatever its handler is busy with."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from jobs.heartbeat import JobHeartbeat
from jobs.models import Job, JobKind, JobState
from jobs.registry import override_job_handler
from jobs.services import WORKER_LOST, jobs_fail_lost
from jobs.tasks import fail_lost_jobs, run_job
from jobs.tests.factories import JobFactory

LOST = [{"code": "worker_lost", "message": WORKER_LOST}]


def ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


@pytest.mark.django_db
def test_running_jobs_silent_for_the_timeout_are_failed_as_worker_lost(organizer, settings):
    settings.JOB_HEARTBEAT_TIMEOUT = 120
    silent = JobFactory(organizer=organizer, state=JobState.RUNNING, started=ago(600), heartbeat=ago(121))
    never_beat = JobFactory(organizer=organizer, state=JobState.RUNNING, started=ago(121), heartbeat=None)
    beating = JobFactory(organizer=organizer, state=JobState.RUNNING, started=ago(3600), heartbeat=ago(100))
    just_started = JobFactory(organizer=organizer, state=JobState.RUNNING, started=ago(5), heartbeat=None)
    queued = JobFactory(organizer=organizer, state=JobState.QUEUED)
    Job.objects.filter(pk=queued.pk).update(created=ago(3600))
    done = JobFactory(organizer=organizer, state=JobState.SUCCEEDED, started=ago(900), heartbeat=ago(800))

    assert sorted(fail_lost_jobs()) == sorted([silent.pk, never_beat.pk])

    states = dict(Job.objects.values_list("pk", "state"))
    assert states == {
        silent.pk: JobState.FAILED,
        never_beat.pk: JobState.FAILED,
        beating.pk: JobState.RUNNING,
        just_started.pk: JobState.RUNNING,
        queued.pk: JobState.QUEUED,
        done.pk: JobState.SUCCEEDED,
    }
    silent.refresh_from_db()
    assert silent.errors == LOST and silent.finished is not None
    assert fail_lost_jobs() == []  # nothing left to fail


@pytest.mark.django_db
def test_a_job_is_failed_only_after_the_whole_timeout(organizer):
    now = timezone.now()
    job = JobFactory(organizer=organizer, state=JobState.RUNNING, started=now, heartbeat=now)
    assert jobs_fail_lost(now=now + timedelta(seconds=120), timeout=timedelta(seconds=120)) == []
    assert jobs_fail_lost(now=now + timedelta(seconds=121), timeout=timedelta(seconds=120)) == [job.pk]


def test_beat_fails_lost_jobs_every_minute_within_a_documented_timeout():
    assert django_settings.CELERY_BEAT_SCHEDULE["fail-lost-jobs"] == {
        "task": "jobs.tasks.fail_lost_jobs",
        "schedule": 60.0,
    }
    assert (django_settings.JOB_HEARTBEAT_SECONDS, django_settings.JOB_HEARTBEAT_TIMEOUT) == (15.0, 120.0)


@pytest.mark.django_db
def test_the_heartbeat_stops_when_the_job_is_no_longer_running(organizer):
    job = JobFactory(organizer=organizer, state=JobState.FAILED, heartbeat=None)
    with JobHeartbeat(job.pk, every=0.01) as heartbeat:
        time.sleep(0.1)
    assert not heartbeat.thread.is_alive()
    job.refresh_from_db()
    assert job.heartbeat is None  # a job failed as lost is not revived by a late beat


# Outside a test transaction: the heartbeat thread has a connection of its own and must see the job.
@pytest.mark.django_db(transaction=True)
def test_a_running_handler_beats_while_it_is_busy(organizer, settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    seen: list = []
    threads_before = threading.active_count()

    def busy(job, progress):  # never calls progress: only the thread can show it alive
        started = Job.objects.get(pk=job.pk).heartbeat
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(seen) < 2:
            time.sleep(0.05)
            beat = Job.objects.get(pk=job.pk).heartbeat
            if beat > started and beat not in seen:
                seen.append(beat)
        return {}

    job = JobFactory(organizer=organizer, kind=JobKind.EXPORT_COUPONS, state=JobState.QUEUED)
    with override_job_handler(JobKind.EXPORT_COUPONS, busy):
        assert run_job(job.pk) == JobState.SUCCEEDED
    assert len(seen) == 2 and seen[0] < seen[1]
    assert threading.active_count() == threads_before  # the heartbeat thread ended with the job
    job.refresh_from_db()
    assert job.heartbeat >= seen[1]
    assert jobs_fail_lost(now=timezone.now(), timeout=timedelta(seconds=1)) == []  # it succeeded

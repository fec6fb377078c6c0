"""Starting and running a job: queued on commit, the handler's outcome recorded, the worker unharmed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import ConflictError
from core.requestid import bound_request_id, current_request_id
from jobs.models import Job, JobFile, JobKind, JobState
from jobs.registry import JobFailed, override_job_handler
from jobs.selectors import job_input_text
from jobs.services import JobProgress, start_job
from jobs.tasks import prune_jobs, run_job
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db

KIND = JobKind.EXPORT_COUPONS
LINE_ERROR = {"line": 3, "field": "code", "message": "bad"}


@pytest.fixture
def observed(monkeypatch):
    calls = []
    monkeypatch.setattr("jobs.tasks.observe_job", lambda *args: calls.append(args))
    return calls


def started(organizer, handler, on_commit, **kwargs) -> Job:
    with override_job_handler(KIND, handler), on_commit(execute=True):
        job = start_job(KIND, organizer=organizer, params={"n": 3}, **kwargs)
    job.refresh_from_db()
    return job


def test_a_job_runs_once_its_transaction_commits(organizer, django_capture_on_commit_callbacks, observed):
    def handler(job, progress):
        progress(3, 3)
        return {"n": job.params["n"]}

    with override_job_handler(KIND, handler):
        with django_capture_on_commit_callbacks() as callbacks:
            job = start_job(KIND, organizer=organizer, params={"n": 3})
        assert Job.objects.get(pk=job.pk).state == JobState.QUEUED  # not before the commit
        assert len(callbacks) == 1
        callbacks[0]()
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED
    assert (job.done, job.total, job.result, job.errors) == (3, 3, {"n": 3}, [])
    assert job.created <= job.started <= job.finished
    assert observed == [(KIND, JobState.SUCCEEDED, pytest.approx(observed[0][2]))]
    assert observed[0][2] >= 0


def test_a_handler_that_raises_fails_the_job_and_the_worker_carries_on(
    organizer, django_capture_on_commit_callbacks, observed
):
    def broken(job, progress):
        progress(1, 10)
        raise RuntimeError("the disk is on fire")

    job = started(organizer, broken, django_capture_on_commit_callbacks)
    assert job.state == JobState.FAILED
    assert job.errors == [{"message": "The job failed unexpectedly: RuntimeError: the disk is on fire"}]
    assert job.finished is not None and job.result is None
    assert observed[0][:2] == (KIND, JobState.FAILED)
    # run_job itself answered normally: calling it again on the finished job does nothing
    assert run_job(job.pk) is None


@pytest.mark.parametrize(
    ("error", "errors"),
    [
        (JobFailed([LINE_ERROR]), [LINE_ERROR]),
        (ConflictError("Taken.", code="code_collision"), [{"code": "code_collision", "message": "Taken."}]),
        (ValidationError({"count": ["Too many."]}), [{"field": "count", "message": "Too many."}]),
        (ValidationError("Plain."), [{"message": "Plain."}]),
    ],
)  # fmt: skip
def test_refusals_are_the_job_s_errors(organizer, django_capture_on_commit_callbacks, error, errors):
    def refuse(job, progress):
        raise error

    job = started(organizer, refuse, django_capture_on_commit_callbacks)
    assert (job.state, job.errors) == (JobState.FAILED, errors)


def test_the_request_id_is_stored_and_bound_while_the_job_runs(organizer, django_capture_on_commit_callbacks):
    seen = []

    def handler(job, progress):
        seen.append(current_request_id())
        return {}

    with bound_request_id("req-123"):
        job = started(organizer, handler, django_capture_on_commit_callbacks)
    assert job.request_id == "req-123"
    assert seen == ["req-123"]


def test_who_started_it_and_the_input_are_stored(organizer, team, django_capture_on_commit_callbacks):
    from ticketing.tests.factories import UserFactory, make_token

    make_token(team, name="ci")
    token = team.tokens.get()
    job = started(organizer, lambda job, p: {}, django_capture_on_commit_callbacks, started_by_token=token,
                  input_text="code\nABCDEF\n", input_name="codes.csv")  # fmt: skip
    assert job.started_by_token == token and job.started_by_user is None
    assert job_input_text(job) == "code\nABCDEF\n"
    assert JobFile.objects.get(job=job).name == "codes.csv"
    user = UserFactory()
    job = started(organizer, lambda job, p: {}, django_capture_on_commit_callbacks, started_by_user=user)
    assert job.started_by_user == user


def test_a_job_that_is_not_queued_is_left_alone(organizer):
    job = JobFactory(organizer=organizer, kind=KIND, state=JobState.RUNNING)
    calls = []
    with override_job_handler(KIND, lambda job, progress: calls.append(job)):
        assert run_job(job.pk) is None
        assert run_job(10**9) is None
    assert calls == []
    job.refresh_from_db()
    assert job.state == JobState.RUNNING


def test_a_job_without_a_handler_fails_naming_its_kind(organizer, monkeypatch):
    job = JobFactory(organizer=organizer, kind=KIND)
    monkeypatch.setattr("jobs.registry._types", {})
    run_job(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "export_coupons" in job.errors[0]["message"]


def test_progress_is_written_at_most_every_so_many_items_and_at_the_end(organizer, monkeypatch):
    job = JobFactory(organizer=organizer)
    progress = JobProgress(job)
    written = []
    monkeypatch.setattr(progress, "write", lambda done, total: written.append((done, total)))
    for done in range(0, 100_001, 100):
        progress(done, 100_000)
    progress(100_000, 100_000)  # again: nothing new to write
    assert 10 <= len(written) <= 13  # every 10,000 items (or second), and the last
    assert written[0] == (0, 100_000) and written[-1] == (100_000, 100_000)
    assert (progress.done, progress.total) == (100_000, 100_000)


def test_progress_is_written_to_the_job(organizer):
    job = JobFactory(organizer=organizer)
    with CaptureQueriesContext(connection) as queries:
        JobProgress(job).write(7, 9)
    if connection.vendor == "sqlite":  # inside the test's transaction PostgreSQL uses a connection of its own
        assert [q["sql"][:6] for q in queries.captured_queries] == ["UPDATE"]
        job.refresh_from_db()
        assert (job.done, job.total) == (7, 9)


def test_progress_inside_a_transaction_is_written_too(organizer):
    job = JobFactory(organizer=organizer)
    progress = JobProgress(job)
    with transaction.atomic():
        progress(5, 5)
    progress.close()
    job.refresh_from_db()
    if connection.vendor == "sqlite":  # PostgreSQL writes it on a connection of its own, outside the test's
        assert (job.done, job.total) == (5, 5)  # transaction, where the uncommitted job is not there


def test_old_finished_jobs_are_pruned(organizer, settings):
    settings.JOB_RETENTION_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    gone = JobFactory(organizer=organizer, state=JobState.SUCCEEDED, finished=old)
    JobFile.objects.create(job=gone, role="input", text="code\n")
    kept = [
        JobFactory(organizer=organizer, state=JobState.FAILED, finished=timezone.now()),
        JobFactory(organizer=organizer, state=JobState.RUNNING),
        JobFactory(organizer=organizer, state=JobState.QUEUED),
    ]
    assert prune_jobs() == 2  # the job and its file
    assert set(Job.objects.all()) == set(kept)
    assert not JobFile.objects.exists()


def test_an_organizer_is_required_except_for_system_jobs(organizer):
    from django.db import IntegrityError

    JobFactory(organizer=None, kind=JobKind.CLEANUP)
    with pytest.raises(IntegrityError, match="job_organizer_required"), transaction.atomic():
        JobFactory(organizer=None, kind=JobKind.GENERATE_COUPONS)


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_progress_shows_while_the_handler_s_transaction_is_open():
    from django.db import connections

    from ticketing.tests.factories import OrganizerFactory

    job = JobFactory(organizer=OrganizerFactory())
    default = connections["default"]
    reader = type(default)(dict(default.settings_dict), "default")
    progress = JobProgress(job)
    try:
        with transaction.atomic():
            progress(5, 10)
            with reader.cursor() as cursor:
                cursor.execute("SELECT done, total FROM jobs_job WHERE id = %s", [job.pk])
                assert cursor.fetchone() == (5, 10)
    finally:
        progress.close()
        reader.close()

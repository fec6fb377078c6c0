"""The jobs in the back office: read-only, and a staff member sees their organizers' jobs only; failed jobs
are re-run by an action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jobs.admin import progress_text
from jobs.models import Job, JobKind, JobState
from jobs.tests.broker import broker_unreachable
from jobs.tests.factories import JobFactory
from ticketing.tests.factories import OrganizerFactory, TeamFactory, UserFactory
from vouchers.models import Coupon
from vouchers.tests.factories import CouponSeriesFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:jobs_job_changelist")


def change(job) -> str:
    return reverse("admin:jobs_job_change", args=[job.pk])


@pytest.fixture
def staff(organizer):
    user = UserFactory(username="staff", is_staff=True, password=None)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="jobs"))
    TeamFactory(organizer=organizer, all_permissions=True, members=[user])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def root(db):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", None))
    return client


def test_progress_column():
    assert progress_text(Job(done=3_000, total=100_000)) == "3,000 / 100,000 (3 %)"
    assert progress_text(Job(done=100_000, total=100_000)) == "100,000 / 100,000 (100 %)"
    assert progress_text(Job(done=0, total=0)) == "0"


def test_staff_see_their_organizers_jobs_only(staff, root, organizer):
    now = timezone.now()
    own = JobFactory(
        organizer=organizer,
        state=JobState.FAILED,
        done=3_000,
        total=100_000,
        started=now - timedelta(seconds=5),
        finished=now,
        errors=[{"line": 3, "message": "bad-line-message"}],
    )
    foreign = JobFactory(organizer=OrganizerFactory(slug="rival"))
    system = JobFactory(organizer=None, kind=JobKind.CLEANUP)
    listed = {job.pk for job in staff.get(CHANGELIST).context["cl"].queryset}
    assert listed == {own.pk}
    page = staff.get(CHANGELIST).content.decode()
    assert "3,000 / 100,000 (3 %)" in page and "5.0 s" in page
    assert staff.get(change(own)).status_code == 200
    assert "bad-line-message" in staff.get(change(own)).content.decode()
    assert staff.get(change(foreign)).status_code == 302  # like a missing one
    assert {job.pk for job in root.get(CHANGELIST).context["cl"].queryset} == {own.pk, foreign.pk, system.pk}
    assert "system" in root.get(CHANGELIST).content.decode()


def test_jobs_are_read_only(root, organizer):
    job = JobFactory(organizer=organizer)
    assert root.get(reverse("admin:jobs_job_add")).status_code == 403
    root.post(change(job), {"state": "succeeded"})
    root.post(reverse("admin:jobs_job_delete", args=[job.pk]), {"post": "yes"})
    job.refresh_from_db()
    assert job.state == JobState.QUEUED


def rerun_action(client, *jobs):
    return client.post(
        CHANGELIST, {"action": "rerun_jobs", "_selected_action": [job.pk for job in jobs]}, follow=True
    )


def shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_failed_jobs_are_re_run_from_the_list(root, organizer, django_capture_on_commit_callbacks):
    series = CouponSeriesFactory(organizer=organizer)
    lost = JobFactory(
        organizer=organizer, state=JobState.FAILED, params={"series": series.pk, "count": 7},
        errors=[{"code": "worker_lost", "message": "lost"}],
    )  # fmt: skip
    running = JobFactory(organizer=organizer, state=JobState.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        response = rerun_action(root, lost, running)
    rerun = Job.objects.get(rerun_of=lost)
    assert (rerun.state, rerun.result, rerun.started_by_user.username) == (
        JobState.SUCCEEDED, {"series": series.pk, "created": 7}, "root"
    )  # fmt: skip
    assert Coupon.objects.filter(series=series).count() == 7
    assert shown(response) == [
        f"Re-running as job(s) {rerun.pk}.",
        f"Not re-run: job {running.pk}: Only a failed job can be re-run; this one is running.",
    ]
    page = root.get(change(rerun)).content.decode()
    assert f'<a href="{change(lost)}">Generate coupons #{lost.pk} (failed)</a>' in page  # rerun_of, linked


def test_staff_re_run_with_the_add_job_permission_only(organizer):
    user = UserFactory(username="viewer", is_staff=True, password=None)
    user.user_permissions.set(Permission.objects.filter(codename="view_job"))
    TeamFactory(organizer=organizer, members=[user])
    client = Client()
    client.force_login(user)
    failed = JobFactory(organizer=organizer, state=JobState.FAILED)
    assert "rerun_jobs" not in client.get(CHANGELIST).content.decode()
    rerun_action(client, failed)
    assert Job.objects.count() == 1


def test_staff_re_run_their_organizers_jobs_only(staff, organizer):
    own = JobFactory(organizer=organizer, state=JobState.FAILED, kind=JobKind.EXPORT_COUPONS)
    foreign = JobFactory(organizer=OrganizerFactory(slug="rival"), state=JobState.FAILED)
    assert "rerun_jobs" in staff.get(CHANGELIST).content.decode()
    rerun_action(staff, own, foreign)
    assert list(Job.objects.filter(rerun_of__isnull=False).values_list("rerun_of", flat=True)) == [own.pk]


@pytest.mark.django_db(transaction=True)
def test_with_the_task_queue_unreachable_the_action_says_so(organizer):
    root = Client()
    root.force_login(get_user_model().objects.create_superuser("root", "root@example.com", None))
    first, second = (JobFactory(organizer=organizer, state=JobState.FAILED) for _ in range(2))
    with broker_unreachable():
        response = rerun_action(root, first, second)
    rerun = Job.objects.get(rerun_of=first)
    assert rerun.state == JobState.FAILED and rerun.errors[0]["code"] == "broker_unavailable"
    assert shown(response) == [
        f"The task queue is unreachable: job {rerun.pk}, the re-run of job {first.pk}, could not start. "
        f"Re-run job {rerun.pk} once the queue is back."
    ]
    assert not Job.objects.filter(rerun_of=second).exists()

"""The jobs in the back office: read-only, and a staff member sees their organizers' jobs only."""

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
from jobs.tests.factories import JobFactory
from ticketing.tests.factories import OrganizerFactory, TeamFactory, UserFactory

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

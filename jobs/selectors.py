"""Reads of the jobs app."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from jobs.models import Job, JobFile, JobFileRole
from jobs.registry import readable_kinds
from ticketing.models import Organizer
from ticketing.selectors import OrganizerAccess


def organizer_jobs(*, organizer: Organizer, access: OrganizerAccess) -> QuerySet[Job]:
    """The organizer's jobs of the kinds the caller may see (``jobs.registry.readable_kinds``)."""
    kinds = readable_kinds(access.organizer_permissions, has_all_events=access.has_all_events)
    outputs = JobFile.objects.filter(job=OuterRef("pk"), role=JobFileRole.OUTPUT)
    return (
        Job.objects.filter(organizer=organizer, kind__in=kinds)
        .select_related("started_by_user", "started_by_token")
        .annotate(has_output=Exists(outputs))
    )


def job_input_text(job: Job) -> str:
    """The file the job was started with (``JobFile.DoesNotExist`` without one)."""
    return JobFile.objects.values_list("text", flat=True).get(job=job, role=JobFileRole.INPUT)


def job_output(job: Job) -> JobFile | None:
    return JobFile.objects.filter(job=job, role=JobFileRole.OUTPUT).first()

"""Reads of the jobs app."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from jobs.models import Job, JobFile, JobFileRole
from jobs.registry import limited_kinds, readable_kinds
from ticketing.models import Organizer
from ticketing.selectors import OrganizerAccess


def readable_jobs_q(access: OrganizerAccess) -> Q:
    """The jobs of ``access.organizer`` of the kinds the caller may see (``jobs.registry.readable_kinds``),
    and those of the kinds it may see some of (``limited_kinds``: a team limited to some events); the API's
    ``jobs/`` and the back office's job list both read through it."""
    permissions, all_events = access.organizer_permissions, access.has_all_events
    visible = Q(kind__in=readable_kinds(permissions, has_all_events=all_events))
    for kind, scope in limited_kinds(permissions, has_all_events=all_events).items():
        visible |= Q(kind=kind) & scope(access)
    return Q(organizer_id=access.organizer.pk) & visible


def organizer_jobs(*, organizer: Organizer, access: OrganizerAccess) -> QuerySet[Job]:
    """The organizer's jobs the caller may see (``readable_jobs_q``), with whether each has an output."""
    outputs = JobFile.objects.filter(job=OuterRef("pk"), role=JobFileRole.OUTPUT)
    reruns = Job.objects.filter(rerun_of=OuterRef("pk")).values("pk")[:1]
    return (
        Job.objects.filter(organizer=organizer)
        .filter(readable_jobs_q(access))
        .select_related("started_by_user", "started_by_token")
        .annotate(has_output=Exists(outputs), rerun_job_id=Subquery(reruns))
    )


def job_input_text(job: Job) -> str:
    """The file the job was started with (``JobFile.DoesNotExist`` without one)."""
    return JobFile.objects.values_list("text", flat=True).get(job=job, role=JobFileRole.INPUT)


def job_output(job: Job) -> JobFile | None:
    return JobFile.objects.filter(job=job, role=JobFileRole.OUTPUT).first()

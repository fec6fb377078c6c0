"""The jobs in the back office, read-only: what ran, for whom, how far it got, how long it took; and an
action that re-runs failed ones (a worker lost, the task queue unreachable), for users with the
"add job" permission."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html

from core.errors import ConflictError
from jobs.models import Job
from jobs.registry import job_type
from jobs.selectors import readable_jobs_q
from jobs.services import JobNotQueued, job_rerun
from ticketing.admin.scoping import OrganizerScopedAdmin, accesses_of
from ticketing.rights import VISIBLE
from ticketing.selectors import OrganizerAccess


def may_start(access: OrganizerAccess | None, job: Job) -> bool:
    """Whether a team gives what starting a job of this kind takes (the API's ``rerun`` asks the same)."""
    registered = job_type(job.kind)
    permission = registered.start_permission
    return access is not None and access.holds(permission, all_events=registered.all_events)


def progress_text(job: Job) -> str:
    """``3,000 / 100,000 (3 %)``; ``3,000`` while the total is not known."""
    if not job.total:
        return f"{job.done:,}"
    return f"{job.done:,} / {job.total:,} ({job.done * 100 // job.total} %)"


def seconds_text(span: timedelta | None) -> str:
    if span is None:
        return "–"
    seconds = span.total_seconds()
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def pretty_json(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


@admin.register(Job)
class JobAdmin(OrganizerScopedAdmin):
    """The jobs each team may see, as the API's ``jobs/`` lists them (``jobs.selectors.readable_jobs_q``)."""

    organizer_path = "organizer"
    rights = VISIBLE
    list_display = ("id", "kind", "state", "organizer", "progress", "started_by", "waited", "ran", "created")
    list_filter = ("kind", "state", "organizer")
    list_select_related = ("organizer", "started_by_user", "started_by_token")
    search_fields = ("request_id",)
    ordering = ("-created", "-id")
    fields = (
        "kind", "state", "organizer", "progress", "started_by", "request_id", "created", "started",
        "finished", "heartbeat", "waited", "ran", "rerun_of", "parameters", "outcome", "error_list",
    )  # fmt: skip
    readonly_fields = fields
    actions = ("rerun_jobs",)
    # A re-run changes no selected row (it starts a new job): it needs, per job, what starting one needs.
    read_actions = ("rerun_jobs",)

    def has_rerun_permission(self, request) -> bool:
        return request.user.has_perm("jobs.add_job")

    @admin.action(description="Re-run the selected failed jobs", permissions=["rerun"])
    def rerun_jobs(self, request, queryset) -> None:
        """Each selected failed job once more (``jobs.services.job_rerun``); the others are named and
        left alone. With the task queue unreachable the first re-run fails and the action stops."""
        started, refused = [], []
        accesses = {access.organizer.pk: access for access in accesses_of(request)}
        for job in queryset.order_by("pk"):
            if not request.user.is_superuser and not may_start(accesses.get(job.organizer_id), job):
                refused.append(f"job {job.pk}: your teams may not start such a job")
                continue
            try:
                started.append(job_rerun(job, started_by_user=request.user))
            except ConflictError as exc:
                refused.append(f"job {job.pk}: {exc.detail}")
            except JobNotQueued as exc:
                again = exc.context["job"]
                self.message_user(
                    request,
                    f"The task queue is unreachable: job {again}, the re-run of job {job.pk}, could not "
                    f"start. Re-run job {again} once the queue is back.",
                    messages.ERROR,
                )
                break
        if started:
            ids = ", ".join(str(job.pk) for job in started)
            self.message_user(request, f"Re-running as job(s) {ids}.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Not re-run: " + "; ".join(refused), messages.WARNING)

    def access_q(
        self, access: OrganizerAccess, permission: str | None, *, all_events: bool | None = None
    ) -> Q:
        return readable_jobs_q(access)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="progress")
    def progress(self, job: Job) -> str:
        return progress_text(job)

    @admin.display(description="started by")
    def started_by(self, job: Job) -> str:
        if job.started_by_token_id is not None:
            return f"token {job.started_by_token.name}"
        if job.started_by_user_id is not None:
            return f"user {job.started_by_user.get_username()}"
        return "system"

    @admin.display(description="queued for")
    def waited(self, job: Job) -> str:
        return seconds_text(job.started - job.created if job.started else None)

    @admin.display(description="ran for")
    def ran(self, job: Job) -> str:
        return seconds_text(job.finished - job.started if job.started and job.finished else None)

    @admin.display(description="parameters")
    def parameters(self, job: Job) -> str:
        return pretty_json(job.params)

    @admin.display(description="result")
    def outcome(self, job: Job) -> str:
        return pretty_json(job.result)

    @admin.display(description="errors")
    def error_list(self, job: Job) -> str:
        return pretty_json(job.errors) if job.errors else "–"

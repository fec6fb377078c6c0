"""The jobs in the back office, read-only: what ran, for whom, how far it got, how long it took."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html

from jobs.models import Job
from jobs.selectors import readable_jobs_q
from ticketing.admin.scoping import OrganizerScopedAdmin
from ticketing.rights import VISIBLE
from ticketing.selectors import OrganizerAccess


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
        "finished", "waited", "ran", "parameters", "outcome", "error_list",
    )  # fmt: skip
    readonly_fields = fields

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

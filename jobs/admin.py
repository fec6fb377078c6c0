"""The jobs in the back office, read-only: what ran, for whom, how far it got, how long it took."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib import admin
from django.utils.html import format_html

from jobs.models import Job
from ticketing.admin.scoping import OrganizerScopedAdmin


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
    organizer_path = "organizer"
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

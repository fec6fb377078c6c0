"""Background jobs: what was asked (kind, parameters, an uploaded file), by whom, and how it went.

A job belongs to an organizer, except the system's own (``cleanup``). While it runs, its worker writes
``heartbeat`` every ``JOB_HEARTBEAT_SECONDS``; a running job whose heartbeat is older than
``JOB_HEARTBEAT_TIMEOUT`` lost its worker and is failed (``worker_lost``) by the periodic
``fail-lost-jobs``. A failed job can be re-run: a new job with the same parameters and input,
``rerun_of`` the failed one. Its large input (a CSV upload) and
output (an export) are ``JobFile`` rows, in the database, so that a worker on any machine reads them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ticketing.models import Organizer, TeamAPIToken


class JobKind(models.TextChoices):
    GENERATE_COUPONS = "generate_coupons", "Generate coupons"
    IMPORT_COUPONS = "import_coupons", "Import coupons (CSV)"
    EXPORT_COUPONS = "export_coupons", "Export coupons (CSV)"
    CLEANUP = "cleanup", "Clean up expired carts and idempotency keys"


#: Kinds the system starts by itself, for no organizer.
SYSTEM_KINDS = (JobKind.CLEANUP,)


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


FINISHED_STATES = (JobState.SUCCEEDED, JobState.FAILED)


class Job(models.Model):
    organizer = models.ForeignKey(
        Organizer, on_delete=models.CASCADE, related_name="jobs", null=True, blank=True
    )
    kind = models.CharField(max_length=32, choices=JobKind.choices)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    params = models.JSONField(default=dict, blank=True, help_text="What the job was asked to do.")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0, help_text="0 until the job knows how much there is.")
    result = models.JSONField(null=True, blank=True)
    errors = models.JSONField(
        default=list, blank=True, help_text='[{"line"?, "field"?, "message"}, ...] when the job failed.'
    )
    started_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_by_token = models.ForeignKey(
        TeamAPIToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    request_id = models.CharField(max_length=128, blank=True, help_text="The id of the starting request.")
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(
        null=True, blank=True, help_text="The last sign of life of the worker running the job."
    )
    rerun_of = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rerun",
        help_text="The failed job this one runs again (a job is re-run at most once).",
    )  # fmt: skip

    class Meta:
        ordering = ("-created", "-id")
        indexes = [models.Index(fields=["organizer", "created"], name="job_organizer_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(organizer__isnull=False) | Q(kind__in=SYSTEM_KINDS), name="job_organizer_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.state})"


class JobFileRole(models.TextChoices):
    INPUT = "input", "Input"
    OUTPUT = "output", "Output"


class JobFile(models.Model):
    """A job's uploaded input or produced output, as text."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=8, choices=JobFileRole.choices)
    name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, default="text/csv; charset=utf-8")
    text = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "role"], name="uniq_job_file_role")]

    def __str__(self) -> str:
        return f"{self.role} of job {self.job_id}"

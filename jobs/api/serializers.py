"""Jobs in the API: what a job was asked, how far it got, what came out or what went wrong."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import StrictModelSerializer, StrictSerializer
from jobs.models import Job


class JobProgressSerializer(StrictSerializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField(help_text="0 while the job does not know yet.")


class JobStarterSerializer(StrictSerializer):
    """Who started the job: a user (by username) or a team API token (by name); empty for the system."""

    user = serializers.CharField(required=False)
    token = serializers.CharField(required=False)


class JobErrorSerializer(StrictSerializer):
    line = serializers.IntegerField(required=False, help_text="Line of the uploaded file (the header is 1).")
    field = serializers.CharField(required=False, help_text="Column or parameter.")
    code = serializers.CharField(required=False, help_text="A stable error code, where there is one.")
    message = serializers.CharField()


class JobSerializer(StrictModelSerializer):
    progress = serializers.SerializerMethodField()
    started_by = serializers.SerializerMethodField()
    errors = JobErrorSerializer(many=True, read_only=True)
    result = serializers.JSONField(read_only=True, allow_null=True)
    params = serializers.JSONField(read_only=True)
    download = serializers.SerializerMethodField()
    rerun = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = (
            "id",
            "kind",
            "state",
            "progress",
            "params",
            "result",
            "errors",
            "download",
            "started_by",
            "request_id",
            "created",
            "started",
            "finished",
            "heartbeat",
            "rerun_of",
            "rerun",
        )
        read_only_fields = fields

    @extend_schema_field(JobProgressSerializer)
    def get_progress(self, job: Job) -> dict[str, int]:
        return {"done": job.done, "total": job.total}

    @extend_schema_field(JobStarterSerializer)
    def get_started_by(self, job: Job) -> dict[str, str]:
        if job.started_by_token_id is not None:
            return {"token": job.started_by_token.name}
        if job.started_by_user_id is not None:
            return {"user": job.started_by_user.get_username()}
        return {}

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_rerun(self, job: Job) -> int | None:
        """The id of the job that re-ran this one (``jobs/<id>/rerun/``), if any."""
        return getattr(job, "rerun_job_id", None)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download(self, job: Job) -> str | None:
        """The URL of the job's output file (an export), once there is one."""
        if not getattr(job, "has_output", False) or job.organizer_id is None:
            return None
        organizer = self.context.get("organizer") or job.organizer
        path = reverse("job-download", kwargs={"organizer_slug": organizer.slug, "pk": job.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

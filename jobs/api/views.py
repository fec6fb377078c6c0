"""Jobs of an organizer: /api/v1/organizers/<o>/jobs/, /jobs/<id>/, /jobs/<id>/download/, /jobs/<id>/rerun/

A job is listed to whoever may read what it works on (its kind's ``read_permission``, see
``jobs.registry``); any other job, or one of another organizer, is a 404. Views that start a job answer
``accepted_job_response(...)``: 202 with the job and its URL in ``Location``; when the task queue is
unreachable, 503 ``unavailable`` with ``Retry-After`` instead (``jobs.services.JobNotQueued``).
"""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from jobs.api.filters import JobFilter
from jobs.api.serializers import JobSerializer
from jobs.models import Job
from jobs.registry import job_type
from jobs.selectors import job_output, organizer_jobs
from jobs.services import job_rerun
from ticketing.api.scoping import OrganizerScopedMixin, require_permission

DOWNLOAD_CHUNK = 64 * 1024

#: The 202 answer of an operation that runs as a job, for ``extend_schema(responses=...)``.
ACCEPTED_RESPONSE = OpenApiResponse(
    JobSerializer, description="Accepted: the work runs as a job; `Location` is the job's URL, to poll."
)
LOCATION_HEADER = OpenApiParameter(
    "Location", str, OpenApiParameter.HEADER, response=[202], description="The URL of the job."
)


def job_starter(request) -> dict:
    """``start_job``'s ``started_by_user`` / ``started_by_token`` for the request's caller."""
    token = getattr(request.user, "token", None)  # ticketing.api.authentication.TokenPrincipal
    if token is not None:
        return {"started_by_user": None, "started_by_token": token}
    return {"started_by_user": request.user, "started_by_token": None}


def accepted_job_response(view, job: Job) -> Response:
    """202 with the job as it is now (inline, without a broker, it has already run) and ``Location``."""
    job = Job.objects.select_related("started_by_user", "started_by_token").get(pk=job.pk)
    job.has_output = job_output(job) is not None
    data = JobSerializer(job, context=view.get_serializer_context()).data
    path = reverse("job-detail", kwargs={"organizer_slug": view.organizer.slug, "pk": job.pk})
    return Response(
        data, status=status.HTTP_202_ACCEPTED, headers={"Location": view.request.build_absolute_uri(path)}
    )


class JobViewSet(OrganizerScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Background jobs of the organizer (coupon generation, CSV import and export), newest first.

    Ordering: ``created`` (default ``-created``), ``id``. Filters: ``kind``, ``state``."""

    queryset = Job.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = JobSerializer
    filterset_class = JobFilter
    ordering_fields = ("created", "id")
    ordering = ("-created", "-id")

    def get_queryset(self):
        return organizer_jobs(organizer=self.organizer, access=self.access)

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The file the job produced.")
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        """The job's output (an export's CSV), once it has succeeded."""
        job = self.get_object()
        output = job_output(job)
        if output is None:
            raise NotFound("This job has produced no file (yet).")
        text = output.text
        chunks = (text[i : i + DOWNLOAD_CHUNK] for i in range(0, len(text), DOWNLOAD_CHUNK))
        response = StreamingHttpResponse(chunks, content_type=output.content_type)
        response["Content-Disposition"] = f'attachment; filename="{output.name or f"job-{job.pk}.csv"}"'
        return response

    @extend_schema(request=None, responses={202: ACCEPTED_RESPONSE}, parameters=[LOCATION_HEADER])
    @action(detail=True, methods=["post"])
    def rerun(self, request, *args, **kwargs):
        """Run a failed job again (its worker was lost, the task queue was unreachable, or it failed): a
        new job with the same parameters and input file, ``rerun_of`` this one; 202 with it. A job is
        re-run once, and only once it has failed: 409 ``job_state`` otherwise. Needs the permission that
        starting such a job needs (``can_change_vouchers`` to generate or import coupons,
        ``can_view_vouchers`` to export them) and a team with all events."""
        job = self.get_object()
        registered = job_type(job.kind)
        permission = registered.start_permission
        require_permission(permission, self.access.holds(permission), "organizer")
        if registered.all_events and not self.access.holds(permission, all_events=True):
            raise PermissionDenied(
                "Re-running a job needs a team with access to all events of the organizer."
            )
        return accepted_job_response(self, job_rerun(job, **job_starter(request)))

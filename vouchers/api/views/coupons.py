"""Coupon series and coupons of an organizer: /api/v1/organizers/<o>/coupon-series/, /coupons/"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import Count, Prefetch
from django.http import StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from jobs.api.views import ACCEPTED_RESPONSE, LOCATION_HEADER, accepted_job_response, job_starter
from jobs.models import JobKind
from jobs.services import start_job
from ticketing.api.filters import StrictBooleanField
from ticketing.api.scoping import OrganizerScopedMixin
from ticketing.rights import GIFT_CARDS
from vouchers.api.filters import CouponFilter, CouponSeriesFilter
from vouchers.api.ordering import NullsOrderingFilter
from vouchers.api.parsers import CSVTextParser, CsvTooLarge, refuse_large_csv
from vouchers.api.serializers.code_items import CodeItemsSerializer, SeriesItemsSerializer
from vouchers.api.serializers.coupons import (
    CouponSerializer,
    CouponSeriesSerializer,
    GeneratedCouponsSerializer,
    GeneratedSerializer,
    GenerateSerializer,
)
from vouchers.api.views.code_items import series_items_answer
from vouchers.api.views.scoped import SeriesScopedMixin
from vouchers.models import Coupon, CouponEventUsage, CouponSeries, SeriesKind
from vouchers.services.coupon_csv import coupons_csv_rows, coupons_import_csv
from vouchers.services.coupons import (
    MAX_GENERATE,
    coupon_create,
    coupon_delete,
    coupon_series_create,
    coupon_series_delete,
    coupon_series_update,
    coupon_update,
    coupons_generate_list,
)
from vouchers.services.standalone import (
    coupon_decouple,
    is_standalone,
    standalone_coupon_create,
    standalone_coupon_update,
)


def csv_data_lines(text: str) -> int:
    """About how many rows a CSV holds below its header (a quoted line break counts as a row)."""
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    return max(lines - 1, 0)


class CodesPermissionMixin(OrganizerScopedMixin):
    """Organizer-wide codes that need a team with all events (gift cards). Coupon series, coupons and
    promo codes are reachable by teams limited to some events too: ``SeriesScopedMixin``."""

    rights = GIFT_CARDS


class CouponSeriesViewSet(SeriesScopedMixin, viewsets.ModelViewSet):
    """Coupon campaigns. Ordering: ``id`` (default), ``name``, ``valid_until``, ``created_at``."""

    queryset = CouponSeries.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = CouponSeriesSerializer
    filterset_class = CouponSeriesFilter
    filter_backends = [DjangoFilterBackend, NullsOrderingFilter]
    ordering_fields = ("id", "name", "valid_until", "created_at")
    ordering_nulls_largest = ("valid_until",)
    ordering = ("id",)
    series_path = ""  # the objects are the series themselves
    sets_events = True

    def get_queryset(self):
        return (
            self.organizer.coupon_series.filter(kind=SeriesKind.COUPON)
            .annotate(coupon_count=Count("coupons"))
            .prefetch_related("allowed_events", "allowed_items", "unlocks")
        )

    def perform_create(self, serializer):
        serializer.instance = coupon_series_create(organizer=self.organizer, **serializer.validated_data)
        serializer.instance.coupon_count = 0

    def perform_update(self, serializer):
        series = coupon_series_update(series=serializer.instance, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=series.pk)

    def perform_destroy(self, instance):
        coupon_series_delete(series=instance)

    def start_series_job(self, kind: JobKind, **options) -> Response:
        job = start_job(kind, organizer=self.organizer, **job_starter(self.request), **options)
        return accepted_job_response(self, job)

    @extend_schema(
        request=GenerateSerializer,
        responses={201: GeneratedCouponsSerializer, 202: ACCEPTED_RESPONSE},
        parameters=[LOCATION_HEADER],
    )
    @action(detail=True, methods=["post"])
    def generate(self, request, *args, **kwargs):
        """Create ``count`` (≤ 100,000) coupons with unpredictable unique codes (``prefix`` + random).

        Up to ``JOB_THRESHOLD_GENERATE`` (1,000) coupons: 201 once they exist, with their ids and codes
        (``{"created", "coupons": [{"id", "code"}]}``). More run as a job:
        202 with the job (``Location``: its URL), whose result is ``{"series", "created"}``."""
        series = self.get_object()
        serializer = GenerateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        options = serializer.validated_data
        if options["count"] > min(settings.JOB_THRESHOLD_GENERATE, MAX_GENERATE):
            params = {"series": series.pk, **options}
            return self.start_series_job(JobKind.GENERATE_COUPONS, params=params)
        coupons = coupons_generate_list(series=series, **options)
        body = {"created": len(coupons), "coupons": [{"id": c.pk, "code": c.code} for c in coupons]}
        return Response(GeneratedCouponsSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: CodeItemsSerializer})
    @extend_schema(methods=["PATCH"], request=SeriesItemsSerializer, responses={200: CodeItemsSerializer})
    @action(detail=True, methods=["get", "patch"])
    def items(self, request, *args, **kwargs):
        """The items the series is limited to; PATCH ``{"items": [ids]}`` limits it to them,
        ``{"allow_all_items": true}`` opens it to every item again."""
        return series_items_answer(self, request, self.get_object())

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "async", bool, OpenApiParameter.QUERY, description="Export as a job (202) to download later."
            ),
            LOCATION_HEADER,
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The series' coupons as CSV."),
            (202, "application/json"): ACCEPTED_RESPONSE,
        },
    )
    @action(detail=True, methods=["get"], url_path="export")
    def export_csv(self, request, *args, **kwargs):
        """The coupons as CSV: code, customer_email, active, used_orders, used_tickets, created_at.

        ``?async=true``: as a job instead, 202 with the job; once it has succeeded its ``download`` URL
        answers the file."""
        series = self.get_object()
        if self.async_requested(request):
            return self.start_series_job(JobKind.EXPORT_COUPONS, params={"series": series.pk})
        response = StreamingHttpResponse(
            coupons_csv_rows(series=series), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="coupons-{series.pk}.csv"'
        return response

    @staticmethod
    def async_requested(request) -> bool:
        try:
            return bool(StrictBooleanField().to_python(request.query_params.get("async")))
        except forms.ValidationError as exc:
            raise ValidationError({"async": exc.messages}) from exc

    @extend_schema(
        request={
            "text/csv": {"type": "string", "format": "binary"},
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "The CSV file (UTF-8)."}
                },
                "required": ["file"],
            },
        },
        responses={201: GeneratedSerializer, 202: ACCEPTED_RESPONSE},
        parameters=[LOCATION_HEADER],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="import",
        parser_classes=[CSVTextParser, MultiPartParser],
    )
    def import_csv(self, request, *args, **kwargs):
        """Create coupons with custom codes from a CSV: column ``code``, optional ``customer_email``,
        ``active``; the body (``text/csv``) or the multipart field ``file``, at most ``CSV_IMPORT_MAX_BYTES``
        (20 MB; larger is a 413). A bad row rejects the file, and nothing is created.

        Up to ``JOB_THRESHOLD_IMPORT_ROWS`` (1,000) rows: 201 once the coupons exist, or 400 naming the
        first bad line. Longer files run as a job: 202 with the job, which checks the whole file first and
        fails naming the bad lines (``errors``: ``[{"line", "field", "message"}]``), or creates them all."""
        series = self.get_object()
        refuse_large_csv(request)
        text, name = request.data if isinstance(request.data, str) else None, ""
        if text is None:
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError(
                    {"file": ["Send the CSV as the body (text/csv) or as the field 'file'."]}
                )
            if upload.size > settings.CSV_IMPORT_MAX_BYTES:
                raise CsvTooLarge()
            try:
                text, name = upload.read().decode("utf-8"), upload.name or ""
            except UnicodeDecodeError as exc:
                raise ValidationError({"file": ["The CSV file is not UTF-8 text."]}) from exc
        if csv_data_lines(text) > settings.JOB_THRESHOLD_IMPORT_ROWS:
            return self.start_series_job(
                JobKind.IMPORT_COUPONS, params={"series": series.pk}, input_text=text, input_name=name
            )
        created = coupons_import_csv(series=series, text=text)
        return Response({"created": created}, status=status.HTTP_201_CREATED)


class CouponViewSet(SeriesScopedMixin, viewsets.ModelViewSet):
    """Coupons of the organizer's series, and stand-alone coupons (``"series": null`` with ``settings``).

    Ordering: ``id`` (default), ``code``, ``used_orders``, ``created_at``.
    """

    queryset = Coupon.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = CouponSerializer
    filterset_class = CouponFilter
    ordering_fields = ("id", "code", "used_orders", "created_at")
    ordering = ("id",)

    def get_queryset(self):
        usages = CouponEventUsage.objects.select_related("event").order_by("event__slug")
        return (
            self.organizer.coupons.filter(series__kind__in=(SeriesKind.COUPON, SeriesKind.STANDALONE))
            .select_related("series")
            .prefetch_related(
                Prefetch("event_usages", queryset=usages),
                "series__allowed_events",
                "series__allowed_items",
                "series__unlocks",
            )
        )

    def create(self, request, *args, **kwargs):
        settings = request.data.get("settings") if isinstance(request.data, dict) else None
        if isinstance(settings, dict):
            self.check_reach(settings)  # a stand-alone coupon's settings carry its events
        return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        settings = request.data.get("settings") if isinstance(request.data, dict) else None
        if isinstance(settings, dict):
            instance = self.get_object()
            if is_standalone(instance):
                self.check_reach(settings, instance.series, partial=kwargs.get("partial", False))
        return super().update(request, *args, **kwargs)

    def limit_choices(self, fields) -> None:
        super().limit_choices(fields)
        if "settings" in fields:
            super().limit_choices(fields["settings"].fields)

    def perform_create(self, serializer):
        values = dict(serializer.validated_data)
        settings = values.pop("settings", None)
        if settings is not None:
            values.pop("series", None)
            coupon = standalone_coupon_create(organizer=self.organizer, settings=settings, **values)
        else:
            coupon = coupon_create(organizer=self.organizer, **values)
        serializer.instance = self.get_queryset().get(pk=coupon.pk)

    def perform_update(self, serializer):
        values = dict(serializer.validated_data)
        if is_standalone(serializer.instance):
            settings = values.pop("settings", None)
            coupon = standalone_coupon_update(coupon=serializer.instance, settings=settings, **values)
        else:
            values.pop("settings", None)
            coupon = coupon_update(coupon=serializer.instance, **values)
        serializer.instance = self.get_queryset().get(pk=coupon.pk)

    def perform_destroy(self, instance):
        coupon_delete(coupon=instance)

    @extend_schema(request=None, responses={200: CouponSerializer})
    @action(detail=True, methods=["post"])
    def decouple(self, request, *args, **kwargs):
        """Take the coupon out of its series: it becomes stand-alone with a copy of the series' settings,
        keeping its code, customer, ``active`` flag and usage; the series keeps its other coupons.
        409 ``already_standalone`` for a stand-alone coupon."""
        coupon = coupon_decouple(coupon=self.get_object())
        coupon = self.get_queryset().get(pk=coupon.pk)
        return Response(self.get_serializer(coupon).data)

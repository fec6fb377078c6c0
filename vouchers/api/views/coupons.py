"""Coupon series and coupons of an organizer: /api/v1/organizers/<o>/coupon-series/, /coupons/"""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.http import StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from ticketing.api.scoping import OrganizerScopedMixin
from vouchers.api.filters import CouponFilter, CouponSeriesFilter
from vouchers.api.ordering import NullsOrderingFilter
from vouchers.api.parsers import CSVTextParser
from vouchers.api.serializers.coupons import (
    CouponSerializer,
    CouponSeriesSerializer,
    GeneratedSerializer,
    GenerateSerializer,
    SeriesItemsSerializer,
)
from vouchers.models import Coupon, CouponEventUsage, CouponSeries, SeriesKind
from vouchers.services.coupon_csv import coupons_csv_rows, coupons_import_csv
from vouchers.services.coupons import (
    coupon_create,
    coupon_delete,
    coupon_series_create,
    coupon_series_delete,
    coupon_series_items_set,
    coupon_series_update,
    coupon_update,
    coupons_generate,
)


class CodesPermissionMixin(OrganizerScopedMixin):
    read_permission = "can_view_vouchers"
    write_permission = "can_change_vouchers"
    require_all_events = True


class CouponSeriesViewSet(CodesPermissionMixin, viewsets.ModelViewSet):
    """Coupon campaigns. Ordering: ``id`` (default), ``name``, ``valid_until``, ``created_at``."""

    queryset = CouponSeries.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = CouponSeriesSerializer
    filterset_class = CouponSeriesFilter
    filter_backends = [DjangoFilterBackend, NullsOrderingFilter]
    ordering_fields = ("id", "name", "valid_until", "created_at")
    ordering_nulls_largest = ("valid_until",)
    ordering = ("id",)

    def get_queryset(self):
        return (
            self.organizer.coupon_series.filter(kind=SeriesKind.COUPON)
            .annotate(coupon_count=Count("coupons"))
            .prefetch_related("allowed_events", "allowed_items")
        )

    def perform_create(self, serializer):
        serializer.instance = coupon_series_create(organizer=self.organizer, **serializer.validated_data)
        serializer.instance.coupon_count = 0

    def perform_update(self, serializer):
        series = coupon_series_update(series=serializer.instance, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=series.pk)

    def perform_destroy(self, instance):
        coupon_series_delete(series=instance)

    @extend_schema(request=GenerateSerializer, responses={201: GeneratedSerializer})
    @action(detail=True, methods=["post"])
    def generate(self, request, *args, **kwargs):
        """Create ``count`` (≤ 10,000) coupons with unpredictable unique codes (``prefix`` + random)."""
        series = self.get_object()
        serializer = GenerateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = coupons_generate(series=series, **serializer.validated_data)
        return Response({"created": created}, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: SeriesItemsSerializer})
    @extend_schema(methods=["PATCH"], request=SeriesItemsSerializer, responses={200: SeriesItemsSerializer})
    @action(detail=True, methods=["get", "patch"])
    def items(self, request, *args, **kwargs):
        """The items the series is limited to; PATCH ``{"items": [ids]}`` replaces them."""
        series = self.get_object()
        if request.method == "PATCH":
            serializer = SeriesItemsSerializer(
                series, data=request.data, context=self.get_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            series = coupon_series_items_set(series=series, items=serializer.validated_data["items"])
        return Response(SeriesItemsSerializer(series, context=self.get_serializer_context()).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(description="The series' coupons as CSV.")})
    @action(detail=True, methods=["get"], url_path="export")
    def export_csv(self, request, *args, **kwargs):
        """The coupons as CSV: code, customer_email, active, used_orders, used_tickets, created_at."""
        series = self.get_object()
        response = StreamingHttpResponse(
            coupons_csv_rows(series=series), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="coupons-{series.pk}.csv"'
        return response

    @extend_schema(
        request={"text/csv": {"type": "string"}, "multipart/form-data": {"type": "object"}},
        responses={201: GeneratedSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="import",
        parser_classes=[CSVTextParser, MultiPartParser, FormParser],
    )
    def import_csv(self, request, *args, **kwargs):
        """Create coupons with custom codes from a CSV: column ``code``, optional ``customer_email``,
        ``active``; the body (``text/csv``) or the multipart field ``file``. A bad row rejects the file."""
        series = self.get_object()
        text = request.data if isinstance(request.data, str) else None
        if text is None:
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError(
                    {"file": ["Send the CSV as the body (text/csv) or as the field 'file'."]}
                )
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ValidationError({"file": ["The CSV file is not UTF-8 text."]}) from exc
        created = coupons_import_csv(series=series, text=text)
        return Response({"created": created}, status=status.HTTP_201_CREATED)


class CouponViewSet(CodesPermissionMixin, viewsets.ModelViewSet):
    """Coupons of the organizer's series.

    Ordering: ``id`` (default), ``code``, ``used_orders``, ``created_at``.
    """

    queryset = Coupon.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = CouponSerializer
    filterset_class = CouponFilter
    ordering_fields = ("id", "code", "used_orders", "created_at")
    ordering = ("id",)

    def get_queryset(self):
        usages = CouponEventUsage.objects.select_related("event").order_by("event__slug")
        return self.organizer.coupons.filter(series__kind=SeriesKind.COUPON).prefetch_related(
            Prefetch("event_usages", queryset=usages)
        )

    def perform_create(self, serializer):
        serializer.instance = coupon_create(organizer=self.organizer, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = coupon_update(coupon=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        coupon_delete(coupon=instance)

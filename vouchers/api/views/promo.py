"""Promo codes of an organizer: /api/v1/organizers/<o>/promo-codes/"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from vouchers.api.filters import PromoCodeFilter
from vouchers.api.serializers.promo import PromoCodeSerializer
from vouchers.api.views.coupons import CodesPermissionMixin
from vouchers.choices import CodeKind
from vouchers.models import PromoCode
from vouchers.resolution import CodeError, resolve_code
from vouchers.services.promo import promo_code_create, promo_code_delete, promo_code_update

CODE_PARAMETER = OpenApiParameter(
    "code",
    str,
    description="Only the promo code with this code, and only if it is valid now (else no result).",
)


@extend_schema_view(list=extend_schema(parameters=[CODE_PARAMETER]))
class PromoCodeViewSet(CodesPermissionMixin, viewsets.ModelViewSet):
    """Promo codes. Ordering: ``id`` (default), ``code``, ``created_at``."""

    queryset = PromoCode.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = PromoCodeSerializer
    filterset_class = PromoCodeFilter
    extra_query_parameters = ("code",)  # read by filter_queryset below
    ordering_fields = ("id", "code", "created_at")
    ordering = ("id",)

    def get_queryset(self):
        return PromoCode.objects.filter(organizer=self.organizer)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        code = self.request.query_params.get("code") if self.action == "list" else None
        if code is None:
            return queryset
        # "Valid now" is decided by the one resolution service, as at checkout.
        try:
            resolved = resolve_code(organizer=self.organizer, event=None, code=code, now=timezone.now())
        except CodeError:
            return queryset.none()
        if resolved.kind != CodeKind.PROMO_CODE:
            return queryset.none()
        return queryset.filter(pk=resolved.id)

    def perform_create(self, serializer):
        serializer.instance = promo_code_create(organizer=self.organizer, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = promo_code_update(promo=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        promo_code_delete(promo=instance)

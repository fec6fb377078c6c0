"""Promo codes of an organizer: /api/v1/organizers/<o>/promo-codes/"""

from __future__ import annotations

from rest_framework import viewsets

from vouchers.api.filters import PromoCodeFilter
from vouchers.api.serializers.promo import PromoCodeSerializer
from vouchers.api.views.coupons import CodesPermissionMixin
from vouchers.models import PromoCode
from vouchers.services.promo import promo_code_create, promo_code_delete, promo_code_update


class PromoCodeViewSet(CodesPermissionMixin, viewsets.ModelViewSet):
    """Promo codes, in any state. ``?code=`` finds one whether used, expired or inactive (whether it is
    valid now is the public code lookup's business); ``?active=`` filters on its ``active`` flag.
    Ordering: ``id`` (default), ``code``, ``created_at``."""

    queryset = PromoCode.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = PromoCodeSerializer
    filterset_class = PromoCodeFilter
    ordering_fields = ("id", "code", "created_at")
    ordering = ("id",)

    def get_queryset(self):
        return PromoCode.objects.filter(organizer=self.organizer).prefetch_related("series__unlocks")

    def perform_create(self, serializer):
        serializer.instance = promo_code_create(organizer=self.organizer, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = promo_code_update(promo=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        promo_code_delete(promo=instance)

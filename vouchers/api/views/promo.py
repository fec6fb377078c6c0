"""Promo codes of an organizer: /api/v1/organizers/<o>/promo-codes/"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action

from vouchers.api.filters import PromoCodeFilter
from vouchers.api.serializers.code_items import CodeItemsSerializer, SeriesItemsSerializer
from vouchers.api.serializers.promo import PromoCodeSerializer
from vouchers.api.views.code_items import series_items_answer
from vouchers.api.views.scoped import SeriesScopedMixin
from vouchers.models import PromoCode
from vouchers.services.promo import promo_code_create, promo_code_delete, promo_code_update


class PromoCodeViewSet(SeriesScopedMixin, viewsets.ModelViewSet):
    """Promo codes, in any state. ``?code=`` finds one whether used, expired or inactive (whether it is
    valid now is the public code lookup's business); ``?active=`` filters on its ``active`` flag.
    Ordering: ``id`` (default), ``code``, ``created_at``."""

    queryset = PromoCode.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = PromoCodeSerializer
    filterset_class = PromoCodeFilter
    ordering_fields = ("id", "code", "created_at")
    ordering = ("id",)
    sets_events = True

    def requested_all_events(self, data: dict, default: bool):
        """A promo code is valid for every event when its ``allowed_events`` are empty."""
        if "allowed_events" not in data:
            return default
        return not data["allowed_events"]

    def get_queryset(self):
        return PromoCode.objects.filter(organizer=self.organizer).prefetch_related(
            "series__allowed_events", "series__unlocks"
        )

    def perform_create(self, serializer):
        serializer.instance = promo_code_create(organizer=self.organizer, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = promo_code_update(promo=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        promo_code_delete(promo=instance)

    @extend_schema(methods=["GET"], responses={200: CodeItemsSerializer})
    @extend_schema(methods=["PATCH"], request=SeriesItemsSerializer, responses={200: CodeItemsSerializer})
    @action(detail=True, methods=["get", "patch"], filter_backends=[])
    def items(self, request, *args, **kwargs):
        """The items the promo code is limited to (kept on its series); PATCH ``{"items": [ids]}``
        limits it to them, ``{"allow_all_items": true}`` opens it to every item again."""
        return series_items_answer(self, request, self.get_object().series)

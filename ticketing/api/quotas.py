"""Quotas: /api/v1/organizers/<o>/events/<e>/quotas/ and quotas/<id>/availability/"""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.serializers import StrictModelSerializer, StrictSerializer
from ticketing.api.common import (
    EventResourceMixin,
    NullsLargestOrderingFilter,
    ReplaceOnPutMixin,
    VisiblePrimaryKeyRelatedField,
)
from ticketing.api.filters import FilterSet, IdFilter
from ticketing.api.validation import SharedValidationMixin
from ticketing.models import Item, ItemVariation, Quota, SubEvent
from ticketing.quotas import quota_create, quota_delete, quota_update
from ticketing.selectors import quota_availability
from ticketing.validation import validate_quota


class QuotaSerializer(ReplaceOnPutMixin, SharedValidationMixin, StrictModelSerializer):
    shared_validator = validate_quota

    subevent = VisiblePrimaryKeyRelatedField(
        queryset=SubEvent.objects.all(), allow_null=True, required=False,
        help_text="The date of a series this quota counts for (required in a series).",
    )
    items = VisiblePrimaryKeyRelatedField(queryset=Item.objects.all(), many=True, required=False)
    variations = VisiblePrimaryKeyRelatedField(
        queryset=ItemVariation.objects.all(), event_lookup="item__event", many=True, required=False,
        help_text="Variations of the listed items; an item with variations counts only the listed ones.",
    )

    class Meta:
        model = Quota
        fields = ("id", "name", "size", "subevent", "items", "variations")
        extra_kwargs = {"size": {"help_text": "null: unlimited."}}


class QuotaAvailabilitySerializer(StrictSerializer):
    """Mirrors ``ticketing.selectors.QuotaAvailability``."""

    total_size = serializers.IntegerField(allow_null=True, help_text="null: unlimited.")
    pending_orders = serializers.IntegerField()
    paid_orders = serializers.IntegerField()
    cart_positions = serializers.IntegerField()
    blocking_vouchers = serializers.IntegerField()
    available_number = serializers.IntegerField(allow_null=True, help_text="null: unlimited.")
    available = serializers.BooleanField()


class QuotaFilter(FilterSet):
    subevent = IdFilter(field_name="subevent_id")
    items = IdFilter(field_name="items", help_text="Quotas that contain this item id.")

    class Meta:
        model = Quota
        fields = ("subevent", "items")


class QuotaViewSet(EventResourceMixin, viewsets.ModelViewSet):
    """Quotas limit how many of their items/variations (of one date, in a series) can be sold. A change
    that leaves a quota smaller than what orders and blocking vouchers hold of it is a 409
    ``quota_too_small``; a quota with sales cannot be deleted (409 ``quota_in_use``)."""

    queryset = Quota.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = QuotaSerializer
    filterset_class = QuotaFilter
    filter_backends = [DjangoFilterBackend, NullsLargestOrderingFilter]
    ordering_fields = ("id", "name", "size")
    ordering_nulls_largest = ("size",)  # an unlimited quota sorts above every number
    ordering = ("id",)

    def get_queryset(self):
        return self.event.quotas.prefetch_related("items", "variations")

    def perform_create(self, serializer):
        serializer.instance = quota_create(event=self.event, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = quota_update(quota=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        quota_delete(quota=instance)

    @extend_schema(responses=QuotaAvailabilitySerializer, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def availability(self, request, *args, **kwargs):
        """How much of the quota is used by orders, carts and blocking vouchers, and what is left."""
        quota = self.get_object()
        return Response(QuotaAvailabilitySerializer(quota_availability(quota)).data)

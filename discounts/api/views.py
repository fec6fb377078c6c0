"""Discount rule endpoints: ``/api/v1/organizers/<o>/events/<e>/discounts/``."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets

from discounts.api.filters import DiscountFilter, TieBreakingOrderingFilter
from discounts.api.serializers import DiscountSerializer
from discounts.models import Discount
from discounts.selectors import with_relations
from discounts.services import discount_delete
from ticketing.api.scoping import EventScopedMixin
from ticketing.rights import ITEMS


@extend_schema_view(
    destroy=extend_schema(
        responses={
            204: OpenApiResponse(description="Deleted."),
            409: OpenApiResponse(
                description="`discount_in_use`: orders used the rule; deactivate it (`active: false`)."
            ),
        }
    )
)
class DiscountViewSet(EventScopedMixin, viewsets.ModelViewSet):
    """Automatic discount rules of the event, in application order ``(position, id)`` by default.

    Anyone who may see the event may read them (as in pretix); writes need ``can_change_items``.
    """

    queryset = Discount.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = DiscountSerializer
    rights = ITEMS
    filter_backends = [DjangoFilterBackend, TieBreakingOrderingFilter]
    filterset_class = DiscountFilter
    ordering_fields = ("id", "position")
    ordering = ("position", "id")

    def get_queryset(self):
        return with_relations(self.event.discounts.all())

    def perform_create(self, serializer):
        serializer.save(event=self.event)

    def perform_destroy(self, instance):
        discount_delete(discount=instance)

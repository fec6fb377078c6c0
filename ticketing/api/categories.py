"""Item categories: /api/v1/organizers/<o>/events/<e>/categories/"""

from __future__ import annotations

from rest_framework import viewsets

from core.serializers import StrictModelSerializer
from ticketing.api.common import EventResourceMixin, ReplaceOnPutMixin
from ticketing.api.filters import FilterSet
from ticketing.models import ItemCategory


class ItemCategorySerializer(ReplaceOnPutMixin, StrictModelSerializer):
    class Meta:
        model = ItemCategory
        fields = ("id", "name", "description", "position", "is_addon")


class ItemCategoryFilter(FilterSet):
    class Meta:
        model = ItemCategory
        fields = ("is_addon",)


class ItemCategoryViewSet(EventResourceMixin, viewsets.ModelViewSet):
    """Categories group items in the shop; items of an ``is_addon`` category are only sold as add-ons."""

    queryset = ItemCategory.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = ItemCategorySerializer
    filterset_class = ItemCategoryFilter
    ordering_fields = ("id", "position")
    ordering = ("position", "id")

    def get_queryset(self):
        return self.event.categories.all()

    def perform_create(self, serializer):
        serializer.save(event=self.event)

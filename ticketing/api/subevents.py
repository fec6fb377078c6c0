"""Dates of an event series: /api/v1/organizers/<o>/events/<e>/subevents/"""

from __future__ import annotations

from rest_framework import serializers, viewsets

from core.serializers import StrictModelSerializer
from ticketing.api.common import EventResourceMixin, ReplaceOnPutMixin, VisiblePrimaryKeyRelatedField
from ticketing.api.fields import MoneyField
from ticketing.api.filters import DateTimeFilter, FilterSet
from ticketing.api.validation import SharedValidationMixin, run_shared_validator
from ticketing.models import Item, ItemVariation, SubEvent, SubEventItem, SubEventItemVariation
from ticketing.services import subevent_create, subevent_delete, subevent_update
from ticketing.validation import validate_price_overrides, validate_subevent


class WholeEntrySerializer(StrictModelSerializer):
    """An entry of a list that a write replaces as a whole: each of its fields is required, in a PATCH too.

    DRF lets a partial update leave out required fields at any depth, so an entry without its item or
    its price would pass validation and break the write (a 500)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            missing = {
                name: [field.error_messages["required"]]
                for name, field in self.fields.items()
                if field.required and name not in data
            }
            if missing:
                raise serializers.ValidationError(missing, code="required")
        return super().to_internal_value(data)


class ItemPriceOverrideSerializer(WholeEntrySerializer):
    item = VisiblePrimaryKeyRelatedField(queryset=Item.objects.all())
    price = MoneyField()

    class Meta:
        model = SubEventItem
        fields = ("item", "price")


class VariationPriceOverrideSerializer(WholeEntrySerializer):
    variation = VisiblePrimaryKeyRelatedField(
        queryset=ItemVariation.objects.select_related("item"), event_lookup="item__event"
    )
    price = MoneyField()

    class Meta:
        model = SubEventItemVariation
        fields = ("variation", "price")


def _refuse_duplicates(entries: list[dict], key: str) -> None:
    seen: set[int] = set()
    for entry in entries:
        pk = entry[key].pk
        if pk in seen:
            raise serializers.ValidationError(f"The {key} {pk} has more than one price.")
        seen.add(pk)


class SubEventSerializer(ReplaceOnPutMixin, SharedValidationMixin, StrictModelSerializer):
    """A date; ``item_price_overrides`` / ``variation_price_overrides`` are replaced as a whole on write."""

    shared_validator = validate_subevent

    item_price_overrides = ItemPriceOverrideSerializer(
        source="item_overrides", many=True, required=False, default=list
    )
    variation_price_overrides = VariationPriceOverrideSerializer(
        source="variation_overrides", many=True, required=False, default=list
    )

    class Meta:
        model = SubEvent
        fields = (
            "id", "name", "date_from", "date_to", "active", "presale_start", "presale_end",
            "item_price_overrides", "variation_price_overrides",
        )

    def validate_item_price_overrides(self, value: list[dict]) -> list[dict]:
        _refuse_duplicates(value, "item")
        return value

    def validate_variation_price_overrides(self, value: list[dict]) -> list[dict]:
        _refuse_duplicates(value, "variation")
        return value

    def validate(self, attrs):
        attrs = super().validate(attrs)
        run_shared_validator(
            validate_price_overrides,
            event=self.context["event"],
            item_overrides=[o["item"] for o in attrs.get("item_overrides", ())],
            variation_overrides=[o["variation"] for o in attrs.get("variation_overrides", ())],
        )
        return attrs


def service_arguments(validated: dict) -> dict:
    """The serializer's validated data as the keyword arguments of the subevent services."""
    data = dict(validated)
    item_overrides = data.pop("item_overrides", None)
    variation_overrides = data.pop("variation_overrides", None)
    if item_overrides is not None:
        data["item_prices"] = {o["item"]: o["price"] for o in item_overrides}
    if variation_overrides is not None:
        data["variation_prices"] = {o["variation"]: o["price"] for o in variation_overrides}
    return data


class SubEventFilter(FilterSet):
    date_from_after = DateTimeFilter(field_name="date_from", lookup_expr="gte")
    date_from_before = DateTimeFilter(field_name="date_from", lookup_expr="lte")

    class Meta:
        model = SubEvent
        fields = ("active",)


class SubEventViewSet(EventResourceMixin, viewsets.ModelViewSet):
    """Dates of an event series. Adding one to an event that is not a series is a 400."""

    resource_name = "subevent"  # the model's verbose name is the admin's "date"
    queryset = SubEvent.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = SubEventSerializer
    filterset_class = SubEventFilter
    ordering_fields = ("id", "date_from", "name")
    ordering = ("date_from", "id")

    def get_queryset(self):
        return self.event.subevents.prefetch_related("item_overrides", "variation_overrides")

    def perform_create(self, serializer):
        serializer.instance = subevent_create(
            event=self.event, **service_arguments(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = subevent_update(
            subevent=serializer.instance, **service_arguments(serializer.validated_data)
        )

    def perform_destroy(self, instance):
        subevent_delete(subevent=instance)

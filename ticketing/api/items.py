"""Items (products): /api/v1/organizers/<o>/events/<e>/items/

As in pretix, ``variations``, ``addons`` and ``bundles`` can be written in the
POST that creates an item (all in one transaction); afterwards they are changed
through their own endpoints below ``items/<id>/`` and a PATCH/PUT naming them is
refused.
"""

from __future__ import annotations

from rest_framework import serializers, viewsets

from core.serializers import StrictModelSerializer
from ticketing.api.common import (
    EventResourceMixin,
    ReplaceOnPutMixin,
    VisiblePrimaryKeyRelatedField,
    run_validator_as,
)
from ticketing.api.fields import MoneyField
from ticketing.api.filters import FilterSet, IdFilter
from ticketing.api.item_parts import ItemAddOnSerializer, ItemBundleSerializer, ItemVariationSerializer
from ticketing.api.validation import merged_values
from ticketing.models import Item, ItemCategory, SalesChannel
from ticketing.services import NewAddOn, NewBundle, NewVariation, item_create, item_delete
from ticketing.validation import validate_item

PART_HELP = "Written only when the item is created; afterwards through items/<id>/{part}/."
NESTED_ON_CREATE_ONLY = {
    "variations": ItemVariationSerializer,
    "addons": ItemAddOnSerializer,
    "bundles": ItemBundleSerializer,
}


class OrganizerSalesChannelField(serializers.SlugRelatedField):
    """Sales channels by identifier, among the organizer's channels only."""

    default_error_messages = {"does_not_exist": "The organizer has no sales channel '{value}'."}

    def __init__(self, **kwargs):
        super().__init__(slug_field="identifier", queryset=SalesChannel.objects.all(), **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(organizer=self.context.get("organizer"))


class ItemSerializer(ReplaceOnPutMixin, StrictModelSerializer):
    category = VisiblePrimaryKeyRelatedField(
        queryset=ItemCategory.objects.all(), allow_null=True, required=False
    )
    default_price = MoneyField()
    sales_channels = OrganizerSalesChannelField(
        source="limit_sales_channels", many=True, required=False,
        help_text="Identifiers of the organizer's sales channels; used when all_sales_channels is false.",
    )
    variations = ItemVariationSerializer(
        many=True, required=False, default=list, help_text=PART_HELP.format(part="variations")
    )
    addons = ItemAddOnSerializer(
        many=True, required=False, default=list, help_text=PART_HELP.format(part="addons")
    )
    bundles = ItemBundleSerializer(
        many=True, required=False, default=list, help_text=PART_HELP.format(part="bundles")
    )

    class Meta:
        model = Item
        fields = (
            "id", "category", "name", "description", "default_price", "active", "admission",
            "hide_without_voucher", "require_bundling", "issues_gift_card", "min_per_order", "max_per_order",
            "available_from", "available_until", "all_sales_channels", "sales_channels", "position",
            "variations", "addons", "bundles",
        )

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            for name, serializer_class in NESTED_ON_CREATE_ONLY.items():
                fields[name] = serializer_class(many=True, read_only=True)
        return fields

    def to_internal_value(self, data):
        if self.instance is not None and isinstance(data, dict):
            named = [name for name in NESTED_ON_CREATE_ONLY if name in data]
            if named:
                raise serializers.ValidationError({
                    name: [f"Change {name} through the items/<id>/{name}/ endpoint, not on the item."]
                    for name in named
                })
        return super().to_internal_value(data)

    def validate_addons(self, value: list[dict]) -> list[dict]:
        categories = [addon["addon_category"].pk for addon in value]
        if len(categories) != len(set(categories)):
            raise serializers.ValidationError("Each category can be offered as add-ons only once.")
        return value

    def validate(self, attrs):
        attrs = super().validate(attrs)
        values = {"event": self.context["event"], **merged_values(self, attrs)}
        run_validator_as(validate_item, {"limit_sales_channels": "sales_channels"}, **values)
        return attrs


class ItemFilter(FilterSet):
    category = IdFilter(field_name="category_id")

    class Meta:
        model = Item
        fields = ("active", "category", "admission", "hide_without_voucher")


class ItemViewSet(EventResourceMixin, viewsets.ModelViewSet):
    """Items of the event with their variations, add-on offers, bundles and sales channels."""

    queryset = Item.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    ordering_fields = ("id", "position", "name", "default_price")
    ordering = ("position", "id")

    def get_queryset(self):
        return self.event.items.prefetch_related("variations", "addons", "bundles", "limit_sales_channels")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = item_create(
            event=self.event,
            sales_channels=data.pop("limit_sales_channels", ()),
            variations=[NewVariation(**v) for v in data.pop("variations", ())],
            addons=[NewAddOn(**a) for a in data.pop("addons", ())],
            bundles=[NewBundle(**b) for b in data.pop("bundles", ())],
            **data,
        )

    def perform_destroy(self, instance):
        item_delete(item=instance)

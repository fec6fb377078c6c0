"""What hangs off an item: variations, add-on offers and bundles.

Each is its own resource below ``items/<item_pk>/`` and is also written inline
when an item is created (see ``ticketing.api.items``).
"""

from __future__ import annotations

from rest_framework import serializers, viewsets

from core.serializers import StrictModelSerializer
from ticketing.api.common import ItemChildMixin, ReplaceOnPutMixin, VisiblePrimaryKeyRelatedField
from ticketing.api.fields import MoneyField
from ticketing.api.filters import FilterSet
from ticketing.api.validation import SharedValidationMixin
from ticketing.models import Item, ItemAddOn, ItemBundle, ItemCategory, ItemVariation
from ticketing.services import item_variation_delete
from ticketing.validation import validate_addon, validate_bundle


def context_base_item(serializer: serializers.Serializer) -> Item:
    """The item addressed in the URL, or, while an item is being created, an unsaved stand-in of it."""
    item = serializer.context.get("item")
    return item if item is not None else Item(event=serializer.context["event"])


class ItemVariationSerializer(ReplaceOnPutMixin, StrictModelSerializer):
    default_price = MoneyField(allow_null=True, required=False, help_text="null: the item's default price.")
    price = MoneyField(read_only=True, help_text="The price that applies: default_price, else the item's.")

    class Meta:
        model = ItemVariation
        fields = ("id", "value", "default_price", "price", "active", "position")


class ItemAddOnSerializer(ReplaceOnPutMixin, SharedValidationMixin, StrictModelSerializer):
    shared_validator = validate_addon
    addon_category = VisiblePrimaryKeyRelatedField(queryset=ItemCategory.objects.all())

    class Meta:
        model = ItemAddOn
        fields = ("id", "addon_category", "min_count", "max_count", "price_included", "position")

    def extra_validation_values(self):
        return {"base_item": context_base_item(self)}

    def validate_addon_category(self, value: ItemCategory) -> ItemCategory:
        item = self.context.get("item")
        if item is None:
            return value  # inline on item creation: the item serializer refuses repeated categories
        offers = ItemAddOn.objects.filter(base_item=item, addon_category=value)
        if self.instance is not None:
            offers = offers.exclude(pk=self.instance.pk)
        if offers.exists():
            raise serializers.ValidationError("This category is already offered as add-ons of this item.")
        return value


class ItemBundleSerializer(ReplaceOnPutMixin, SharedValidationMixin, StrictModelSerializer):
    shared_validator = validate_bundle
    bundled_item = VisiblePrimaryKeyRelatedField(queryset=Item.objects.all())
    bundled_variation = VisiblePrimaryKeyRelatedField(
        queryset=ItemVariation.objects.all(), event_lookup="item__event", allow_null=True, required=False
    )
    designated_price = MoneyField(
        required=False, help_text="The bundled item's share of the base item's price."
    )

    class Meta:
        model = ItemBundle
        fields = ("id", "bundled_item", "bundled_variation", "count", "designated_price")

    def extra_validation_values(self):
        return {"base_item": context_base_item(self)}


class ItemVariationFilter(FilterSet):
    class Meta:
        model = ItemVariation
        fields = ("active",)


class ItemVariationViewSet(ItemChildMixin, viewsets.ModelViewSet):
    """Variations of an item (sizes, seat classes ...); ``default_price`` null inherits the item's price."""

    queryset = ItemVariation.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = ItemVariationSerializer
    filterset_class = ItemVariationFilter
    ordering_fields = ("id", "position")
    ordering = ("position", "id")

    def get_queryset(self):
        return self.item.variations.all()

    def perform_create(self, serializer):
        serializer.save(item=self.item)

    def perform_destroy(self, instance):
        item_variation_delete(variation=instance)


class ItemAddOnViewSet(ItemChildMixin, viewsets.ModelViewSet):
    """Categories whose products can be added to this item, with how many and whether they are included."""

    queryset = ItemAddOn.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = ItemAddOnSerializer
    ordering_fields = ("id", "position")
    ordering = ("position", "id")

    def get_queryset(self):
        return self.item.addons.all()

    def perform_create(self, serializer):
        serializer.save(base_item=self.item)


class ItemBundleViewSet(ItemChildMixin, viewsets.ModelViewSet):
    """Items included when this item is bought, each at a designated share of its price."""

    queryset = ItemBundle.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = ItemBundleSerializer
    ordering_fields = ("id",)
    ordering = ("id",)

    def get_queryset(self):
        return self.item.bundles.all()

    def perform_create(self, serializer):
        serializer.save(base_item=self.item)

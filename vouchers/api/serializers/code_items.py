"""The code ↔ items relationship, one shape for coupon series, promo codes and vouchers.

``{"allow_all_items": bool, "items": [{"id", "name", "event"}]}``. PATCH either ``{"items": [ids]}``
(limit the code to these items) or ``{"allow_all_items": true}`` (every item again; the items are
emptied). Both at once, an empty list, or neither is a 400 naming ``items``.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.serializers import StrictModelSerializer, StrictSerializer
from ticketing.api.validation import run_shared_validator
from ticketing.models import Item
from vouchers.models import CouponSeries, Voucher
from vouchers.services.checks import validate_series_items

BOTH = "Send either allow_all_items: true or items, not both."
NEITHER = "Choose at least one item, or allow all items."


class CodeItemSerializer(StrictModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Item
        fields = ("id", "name", "event")


class CodeItemsSerializer(StrictSerializer):
    """The items a code is limited to. ``allow_all_items``: true — every item (``items`` empty)."""

    allow_all_items = serializers.BooleanField(required=False)
    items = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Item.objects.none())

    def get_fields(self):
        fields = super().get_fields()
        queryset = self.context.get("items_queryset")
        if queryset is not None:
            fields["items"].child_relation.queryset = queryset
        return fields

    def validate(self, attrs):
        all_items = attrs.get("allow_all_items")
        if all_items and "items" in attrs:
            raise serializers.ValidationError({"items": [BOTH]})
        if not all_items and not attrs.get("items"):
            raise serializers.ValidationError({"items": [NEITHER]})
        return attrs

    def to_representation(self, code) -> dict[str, Any]:
        allow_all, items = self.code_items(code)
        ordered = sorted(items, key=lambda item: (item.event.slug, item.pk))
        return {"allow_all_items": allow_all, "items": CodeItemSerializer(ordered, many=True).data}

    def code_items(self, code) -> tuple[bool, list[Item]]:
        raise NotImplementedError


class SeriesItemsSerializer(CodeItemsSerializer):
    """The items of a coupon series or a promo code (its series): of the series' allowed events."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("items"):
            run_shared_validator(
                validate_series_items,
                organizer=self.context["organizer"],
                series=self.context["series"],
                items=attrs["items"],
            )
        return attrs

    def code_items(self, series: CouponSeries) -> tuple[bool, list[Item]]:
        return series.allow_all_items, list(series.allowed_items.select_related("event"))


class VoucherItemsSerializer(CodeItemsSerializer):
    """The item of a voucher (of its event); a quota-limited voucher shows its quota's items."""

    def code_items(self, voucher: Voucher) -> tuple[bool, list[Item]]:
        if voucher.item_id is not None:
            return False, [Item.objects.select_related("event").get(pk=voucher.item_id)]
        if voucher.quota_id is not None:
            return False, list(voucher.quota.items.select_related("event"))
        return True, []

"""The code ↔ items relationship, one shape for coupon series, promo codes and vouchers.

``{"allow_all_items": bool, "items": [{"id", "name", "event"}]}`` (:class:`CodeItemsSerializer`). PATCH
either ``{"items": [ids]}`` (limit the code to these items) or ``{"allow_all_items": true}`` (every item
again; the items are emptied): :class:`SeriesItemsSerializer`, :class:`VoucherItemsSerializer`.
Both at once, an empty list, or neither is a 400 naming ``items``.
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
    """The items a code is limited to (by event slug, then id); ``allow_all_items`` true: every item, and
    ``items`` is empty. A voucher limited to a quota shows the quota's items."""

    allow_all_items = serializers.BooleanField()
    items = CodeItemSerializer(many=True)


def code_items(code: CouponSeries | Voucher) -> dict[str, Any]:
    """The answer of ``items/`` for a series (a coupon series' or a promo code's) or a voucher."""
    if isinstance(code, CouponSeries):
        allow_all, items = code.allow_all_items, list(code.allowed_items.select_related("event"))
    elif code.item_id is not None:
        allow_all, items = False, [Item.objects.select_related("event").get(pk=code.item_id)]
    elif code.quota_id is not None:
        allow_all, items = False, list(code.quota.items.select_related("event"))
    else:
        allow_all, items = True, []
    ordered = sorted(items, key=lambda item: (item.event.slug, item.pk))
    return CodeItemsSerializer({"allow_all_items": allow_all, "items": ordered}).data


class CodeItemsInputSerializer(StrictSerializer):
    """``{"items": [ids]}`` (with ``allow_all_items`` false or left out), or ``{"allow_all_items": true}``."""

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


class SeriesItemsSerializer(CodeItemsInputSerializer):
    """Items of the series' allowed events (a coupon series', or a promo code's series)."""

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


class VoucherItemsSerializer(CodeItemsInputSerializer):
    """One item of the voucher's event (more: 400 ``voucher_one_item``)."""

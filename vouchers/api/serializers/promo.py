"""Promo codes in the API, shaped like Ticket Evolution's promo code resource."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.serializers import StrictSerializer
from ticketing.api.validation import run_shared_validator
from ticketing.models import Event, Item
from vouchers.api.fields import AmountField, CodeField
from vouchers.models import DiscountType, PromoCode
from vouchers.selectors import series_limited_items
from vouchers.services.checks import validate_promo_code


def promo_values(promo: PromoCode) -> dict[str, Any]:
    series = promo.series
    return {
        "code": promo.code,
        "name": series.name,
        "value": series.discount_value,
        "percentage": series.discount_type == DiscountType.PERCENT,
        "start_date": series.valid_from,
        "end_date": series.valid_until,
        "active": promo.active,
        "one_time_use": series.single_usage,
        "allowed_events": [] if series.allow_all_events else list(series.allowed_events.all()),
        "unlocks": list(series.unlocks.all()),
    }


class PromoCodeSerializer(StrictSerializer):
    """``percentage``: true — ``value`` percent off the order's tickets; false — ``value`` off the order.
    ``one_time_use``: its first redemption deactivates it. ``allowed_events`` (event slugs): the events it is
    valid in, empty (the default) for every event of the organizer; its items: ``items/``."""

    id = serializers.IntegerField(read_only=True)
    code = CodeField()
    name = serializers.CharField(max_length=200, allow_blank=True, default="")
    value = AmountField()
    percentage = serializers.BooleanField(default=False)
    start_date = serializers.DateTimeField(allow_null=True, default=None)
    end_date = serializers.DateTimeField(allow_null=True, default=None)
    active = serializers.BooleanField(default=True)
    one_time_use = serializers.BooleanField(default=False)
    unlocks = serializers.PrimaryKeyRelatedField(
        many=True,
        default=list,
        queryset=Item.objects.none(),
        help_text="Ids of hidden items a cart holding the promo code may buy (at their own price less the "
        "promo code's discount).",
    )
    allowed_events = serializers.SlugRelatedField(
        slug_field="slug", many=True, default=list, queryset=Event.objects.none(),
        help_text="Event slugs; empty: every event of the organizer.",
    )  # fmt: skip
    used = serializers.IntegerField(source="used_orders", read_only=True, help_text="Orders that used it.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_fields(self):
        fields = super().get_fields()
        organizer = self.context.get("organizer")
        if organizer is not None:
            fields["unlocks"].child_relation.queryset = Item.objects.filter(
                event__organizer=organizer
            ).select_related("event")
            fields["allowed_events"].child_relation.queryset = Event.objects.filter(organizer=organizer)
        return fields

    def validate(self, attrs):
        current = promo_values(self.instance) if self.instance is not None else {}
        run_shared_validator(
            validate_promo_code,
            id=self.instance.pk if self.instance is not None else None,
            organizer=self.context["organizer"],
            items=series_limited_items(self.instance.series if self.instance is not None else None),
            **{**current, **attrs},
        )
        return attrs

    def to_representation(self, promo: PromoCode) -> dict[str, Any]:
        data = {"id": promo.pk, **promo_values(promo)}
        data["unlocks"] = [item.pk for item in data["unlocks"]]
        data["used"] = promo.used_orders
        data["created_at"] = promo.created_at
        data["updated_at"] = max(promo.updated_at, promo.series.updated_at)
        for name in ("value", "start_date", "end_date", "created_at", "updated_at"):
            data[name] = self.fields[name].to_representation(data[name]) if data[name] is not None else None
        data["allowed_events"] = sorted(event.slug for event in data["allowed_events"])
        return data

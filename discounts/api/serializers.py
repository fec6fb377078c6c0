"""The discount rule resource, shaped like pretix's (``/events/<e>/discounts/``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import StrictModelSerializer
from discounts.models import Discount, validate_discount
from ticketing.api.common import ReplaceOnPutMixin
from ticketing.api.fields import MoneyField
from ticketing.api.validation import SharedValidationMixin
from ticketing.models import Item, SalesChannel

_CHANNEL_CACHE = "_discount_organizer_channels"

#: pretix's names of the date window, and the names this API used first (still read, deprecated).
DATE_WINDOW_NAMES = {"event_date_from": "subevent_date_from", "event_date_until": "subevent_date_until"}
DATE_WINDOW_LEGACY = {legacy: name for name, legacy in DATE_WINDOW_NAMES.items()}


def organizer_channels(serializer: serializers.Field) -> dict[str, SalesChannel]:
    """The organizer's sales channels by identifier, loaded once per request (lists stay constant-query)."""
    context = serializer.context
    if _CHANNEL_CACHE not in context:
        organizer = context["organizer"]
        context[_CHANNEL_CACHE] = {c.identifier: c for c in SalesChannel.objects.filter(organizer=organizer)}
    return context[_CHANNEL_CACHE]


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class LegacySalesChannelsField(serializers.Field):
    """pretix's older ``sales_channels`` list of identifiers, kept for clients written against it.

    Reading gives every channel of the organizer when the rule is on all channels,
    else the limited ones. Writing the organizer's full list means all channels;
    any other list limits the rule to it.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_representation(self, discount: Discount) -> list[str]:
        if discount.all_sales_channels:
            return sorted(organizer_channels(self))
        return sorted(channel.identifier for channel in discount.limit_sales_channels.all())

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, list) or not all(isinstance(identifier, str) for identifier in data):
            raise serializers.ValidationError("Expected a list of sales channel identifiers.")
        channels = organizer_channels(self)
        unknown = sorted(set(data) - set(channels))
        if unknown:
            raise serializers.ValidationError(
                [f"Sales channel '{identifier}' does not exist for this organizer." for identifier in unknown]
            )
        if set(data) == set(channels):
            return {"all_sales_channels": True, "limit_sales_channels": []}
        return {"all_sales_channels": False, "limit_sales_channels": [channels[i] for i in sorted(set(data))]}


class DiscountSerializer(ReplaceOnPutMixin, SharedValidationMixin, StrictModelSerializer):
    shared_validator = validate_discount

    limit_sales_channels = serializers.SlugRelatedField(
        slug_field="identifier", many=True, required=False, queryset=SalesChannel.objects.none()
    )
    sales_channels = LegacySalesChannelsField()
    condition_limit_products = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Item.objects.none()
    )
    benefit_limit_products = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Item.objects.none()
    )
    condition_min_value = MoneyField(required=False)
    event_date_from = serializers.DateTimeField(
        source="subevent_date_from", required=False, allow_null=True
    )
    event_date_until = serializers.DateTimeField(
        source="subevent_date_until", required=False, allow_null=True
    )

    class Meta:
        model = Discount
        fields = (
            "id", "active", "internal_name", "position",
            "all_sales_channels", "limit_sales_channels", "sales_channels",
            "available_from", "available_until",
            "subevent_mode", "event_date_from", "event_date_until",
            "condition_all_products", "condition_limit_products", "condition_apply_to_addons",
            "condition_ignore_voucher_discounted", "condition_min_count", "condition_min_value",
            "benefit_same_products", "benefit_limit_products", "benefit_apply_to_addons",
            "benefit_ignore_voucher_discounted", "benefit_discount_matching_percent",
            "benefit_only_apply_to_cheapest_n_matches",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        event = self.context.get("event")
        if event is not None:
            # Ids of another event's products are "object does not exist": no hint that they exist elsewhere.
            self.fields["condition_limit_products"].child_relation.queryset = event.items.all()
            self.fields["benefit_limit_products"].child_relation.queryset = event.items.all()
            self.fields["limit_sales_channels"].child_relation.queryset = event.organizer.sales_channels.all()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict) and DATE_WINDOW_LEGACY.keys() & data.keys():
            data = self.renamed_date_window(data)
        return super().to_internal_value(data)

    def renamed_date_window(self, data: dict[str, Any]) -> dict[str, Any]:
        """The deprecated ``subevent_date_from``/``_until`` under pretix's names; both names with different
        values are a 400 naming the field."""
        data = dict(data)
        for legacy, name in DATE_WINDOW_LEGACY.items():
            if legacy not in data:
                continue
            old = data.pop(legacy)
            if name in data and not same_datetime(data[name], old):
                message = f"{legacy} is the deprecated name of {name}: send one of them, or the same value."
                raise serializers.ValidationError({name: [message]})
            data.setdefault(name, old)
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        self.check_legacy_sales_channels(attrs)
        if attrs.get("all_sales_channels"):
            attrs["limit_sales_channels"] = []
        try:
            return super().validate(attrs)
        except serializers.ValidationError as exc:
            # The shared validator speaks the model's names; the API names the date window as pretix does.
            if isinstance(exc.detail, dict):
                exc.detail = {DATE_WINDOW_LEGACY.get(key, key): value for key, value in exc.detail.items()}
            raise

    def check_legacy_sales_channels(self, attrs: dict[str, Any]) -> None:
        """Like pretix: ``sales_channels`` next to the new fields must say the same thing."""
        data = self.initial_data if isinstance(getattr(self, "initial_data", None), dict) else {}
        if "sales_channels" not in data:
            return
        legacy = set(data["sales_channels"])
        if data.get("all_sales_channels") and not attrs["all_sales_channels"]:
            raise serializers.ValidationError({"all_sales_channels": [
                "With all_sales_channels set, sales_channels must be left out or list every sales channel."
            ]})
        limit = data.get("limit_sales_channels")
        if limit and set(limit) != legacy:
            raise serializers.ValidationError({"limit_sales_channels": [
                "With limit_sales_channels set, sales_channels must be left out or be the same list."
            ]})

    def extra_validation_values(self) -> dict[str, Any]:
        # A new rule: what the request leaves out takes the model default (the validator checks every rule).
        defaults = self.writable_defaults() if self.instance is None else {}
        return {**defaults, **super().extra_validation_values()}

    def writable_defaults(self) -> dict[str, Any]:
        defaults: dict[str, Any] = {}
        sources = {field.source for field in self.fields.values()}
        for field in Discount._meta.get_fields():
            if field.name not in sources or field.name in ("id", "internal_name"):
                continue
            defaults[field.name] = [] if field.many_to_many else field.get_default()
        return defaults


def same_datetime(first: Any, second: Any) -> bool:
    """Whether two values of a datetime field say the same instant (``null`` equals only ``null``)."""
    if first == second:
        return True
    if first is None or second is None:
        return False
    parse = serializers.DateTimeField().to_internal_value
    try:
        return parse(first) == parse(second)
    except serializers.ValidationError:
        return False  # unreadable and not equal: not the same value

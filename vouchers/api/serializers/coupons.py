"""Coupon series and coupons in the API (organizer-wide)."""

from __future__ import annotations

from rest_framework import serializers

from core.serializers import StrictModelSerializer, StrictSerializer
from ticketing.api.common import ReplaceOnPutMixin
from ticketing.api.validation import SharedValidationMixin
from ticketing.models import Event, Item
from vouchers.api.fields import AmountField, CodeField
from vouchers.codes import (
    CODE_CHARACTERS_MESSAGE,
    DEFAULT_LENGTH,
    MAX_PREFIX_LENGTH,
    MAX_RANDOM_LENGTH,
    MIN_RANDOM_LENGTH,
    PREFIX_PATTERN,
    normalise_code,
)
from vouchers.models import Coupon, CouponSeries, SeriesKind
from vouchers.services.checks import validate_coupon
from vouchers.services.coupons import MAX_GENERATE_JOB
from vouchers.validation import validate_coupon_series


class OrganizerValidationMixin(SharedValidationMixin):
    def extra_validation_values(self):
        return {"organizer": self.context["organizer"]}


class CouponSeriesSerializer(ReplaceOnPutMixin, OrganizerValidationMixin, StrictModelSerializer):
    """``allowed_events`` are event slugs, ``allowed_items`` item ids; amounts have up to 3 places."""

    shared_validator = validate_coupon_series

    discount_value = AmountField()
    discount_max_value = AmountField(required=False, allow_null=True)
    allowed_events = serializers.SlugRelatedField(
        slug_field="slug", many=True, default=list, queryset=Event.objects.none()
    )
    allowed_items = serializers.PrimaryKeyRelatedField(many=True, default=list, queryset=Item.objects.none())
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    coupon_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CouponSeries
        fields = (
            "id",
            "name",
            "active",
            "single_usage",
            "max_usage",
            "max_usage_per_event",
            "max_tickets",
            "can_be_combined",
            "discount_type",
            "discount_value",
            "discount_max_value",
            "allow_all_events",
            "allowed_events",
            "allow_all_items",
            "allowed_items",
            "valid_from",
            "valid_until",
            "min_tickets_in_cart",
            "max_tickets_in_cart",
            "tags",
            "reveal_allowed_items",
            "note",
            "coupon_count",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "coupon_count", "created_at", "updated_at")

    def get_fields(self):
        fields = super().get_fields()
        organizer = self.context.get("organizer")
        if organizer is not None:
            fields["allowed_events"].child_relation.queryset = Event.objects.filter(organizer=organizer)
            fields["allowed_items"].child_relation.queryset = Item.objects.filter(
                event__organizer=organizer
            ).select_related("event")
        return fields


class GenerateSerializer(StrictSerializer):
    count = serializers.IntegerField(min_value=1, max_value=MAX_GENERATE_JOB)
    prefix = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_PREFIX_LENGTH)
    length = serializers.IntegerField(
        required=False,
        default=DEFAULT_LENGTH,
        min_value=MIN_RANDOM_LENGTH,
        max_value=MAX_RANDOM_LENGTH,
        help_text="Random characters after the prefix.",
    )

    def validate_prefix(self, value: str) -> str:
        value = normalise_code(value)
        if not PREFIX_PATTERN.match(value):
            raise serializers.ValidationError(CODE_CHARACTERS_MESSAGE)
        return value


class GeneratedSerializer(StrictSerializer):
    created = serializers.IntegerField()


class GeneratedCouponSerializer(StrictSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()


class GeneratedCouponsSerializer(StrictSerializer):
    """What ``generate`` created, in the order the codes were drawn."""

    created = serializers.IntegerField()
    coupons = GeneratedCouponSerializer(many=True)


class EventUsageSerializer(StrictSerializer):
    event = serializers.CharField(source="event.slug")
    orders = serializers.IntegerField()
    tickets = serializers.IntegerField()


class CouponSerializer(ReplaceOnPutMixin, OrganizerValidationMixin, StrictModelSerializer):
    """``code`` may be left empty on create (a 16-character code is generated); a PUT without it keeps it."""

    shared_validator = validate_coupon

    code = CodeField(required=False, allow_blank=True)
    series = serializers.PrimaryKeyRelatedField(queryset=CouponSeries.objects.none())
    usage_per_event = EventUsageSerializer(source="event_usages", many=True, read_only=True)

    class Meta:
        model = Coupon
        fields = (
            "id",
            "code",
            "series",
            "customer_email",
            "active",
            "used_orders",
            "used_tickets",
            "usage_per_event",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "used_orders", "used_tickets", "created_at", "updated_at")

    def get_fields(self):
        fields = super().get_fields()
        organizer = self.context.get("organizer")
        if organizer is not None:
            fields["series"].queryset = CouponSeries.objects.filter(
                organizer=organizer, kind=SeriesKind.COUPON
            )
        return fields

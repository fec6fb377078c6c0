"""Coupon series and coupons in the API (organizer-wide)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
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
from vouchers.services.standalone import is_standalone
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
    unlocks = serializers.PrimaryKeyRelatedField(
        many=True,
        default=list,
        queryset=Item.objects.none(),
        help_text="Ids of hidden items a cart holding its code may buy (of allowed events); discounted only "
        "when also among the allowed items.",
    )
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
            "unlocks",
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
            fields["unlocks"].child_relation.queryset = Item.objects.filter(
                event__organizer=organizer
            ).select_related("event")
        return fields


class CouponSettingsSerializer(CouponSeriesSerializer):
    """A stand-alone coupon's settings: the fields of a coupon series, validated as a series is (by the
    coupon's serializer, which knows the stored settings a PATCH changes)."""

    shared_validator = None

    class Meta(CouponSeriesSerializer.Meta):
        fields = tuple(
            name
            for name in CouponSeriesSerializer.Meta.fields
            if name not in ("id", "coupon_count", "created_at", "updated_at")
        )
        read_only_fields = ()


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
    """``code`` may be left empty on create (a 16-character code is generated); a PUT without it keeps it.

    A coupon of a series has ``"series": <id>, "settings": null``; a stand-alone coupon
    ``"series": null, "settings": {…}`` (the fields of a coupon series). Created without a series, a
    coupon is stand-alone and needs its ``settings``; a PATCH or PUT of a stand-alone coupon may change
    them (a PATCH only those it names)."""

    shared_validator = validate_coupon

    code = CodeField(required=False, allow_blank=True)
    series = serializers.PrimaryKeyRelatedField(
        queryset=CouponSeries.objects.none(),
        required=False,
        allow_null=True,
        help_text="The coupon series; null for a stand-alone coupon.",
    )
    settings = CouponSettingsSerializer(
        required=False,
        allow_null=True,
        help_text="A stand-alone coupon's settings (null for a coupon of a series).",
    )
    usage_per_event = EventUsageSerializer(source="event_usages", many=True, read_only=True)

    class Meta:
        model = Coupon
        fields = (
            "id",
            "code",
            "series",
            "settings",
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

    def validate(self, attrs):
        check_series_or_settings(self.instance, attrs)
        settings = attrs.get("settings")
        if settings is not None:
            private = self.instance.series if self.instance is not None else None
            if private is not None and not self.partial:
                settings = attrs["settings"] = settings_replaced(settings)
            run_settings_validator(organizer=self.context["organizer"], private=private, settings=settings)
        if self.instance is not None and is_standalone(self.instance):
            attrs.pop("series", None)  # null: it stays on its private series
        return super().validate(attrs)

    def to_representation(self, coupon):
        data = super().to_representation(coupon)
        if is_standalone(coupon):
            data["series"] = None
            data["settings"] = CouponSettingsSerializer(coupon.series, context=self.context).data
        else:
            data["settings"] = None
        return data


def check_series_or_settings(instance: Coupon | None, attrs) -> None:
    """A coupon has a series or settings of its own (stand-alone), never both; which one it has is
    changed by ``decouple/`` only."""
    series, settings = attrs.get("series"), attrs.get("settings")
    if series is not None and settings is not None:
        raise serializers.ValidationError(
            {"settings": ["Give either a series or the settings of a stand-alone coupon, not both."]}
        )
    if instance is None:
        if series is None and settings is None:
            raise serializers.ValidationError(
                {"settings": ["A coupon without a series is stand-alone: give its settings."]}
            )
    elif is_standalone(instance):
        if series is not None:
            raise serializers.ValidationError({"series": ["A stand-alone coupon cannot join a series."]})
    else:
        if settings is not None:
            raise serializers.ValidationError(
                {"settings": ["This coupon takes its settings from its series; decouple it first."]}
            )
        if "series" in attrs and series is None:
            raise serializers.ValidationError(
                {"series": ["A coupon of a series becomes stand-alone through decouple/."]}
            )


def settings_replaced(settings: dict) -> dict:
    """A PUT's settings: every field left out back to its default (as a PUT of a series)."""
    replaced = dict(settings)
    opts = CouponSeries._meta
    for name in CouponSettingsSerializer.Meta.fields:
        if name not in replaced:
            field = opts.get_field(name)
            replaced[name] = [] if field.many_to_many else field.get_default()
    return replaced


def run_settings_validator(*, organizer, private: CouponSeries | None, settings: dict) -> None:
    """The settings as a series is validated: the stored ones (``private``, a PATCH) with the given."""
    values: dict = {}
    if private is not None:
        values = {field.name: getattr(private, field.name) for field in CouponSeries._meta.concrete_fields}
        for name in ("allowed_events", "allowed_items", "unlocks"):
            values[name] = list(getattr(private, name).all())
    values.update(settings)
    values["organizer"] = organizer
    try:
        validate_coupon_series(**values)
    except DjangoValidationError as exc:
        raise serializers.ValidationError({"settings": exc.message_dict}) from exc

"""Request bodies: positions and codes in pretix's order shape, carts, checkout, preview."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import rawsql
from core.serializers import StrictSerializer
from orders.checkout.draft import FeeSpec, PositionSpec
from orders.checkout.gather import MAX_POSITIONS
from orders.models import FeeType
from ticketing.api.fields import MoneyField
from ticketing.models import SalesChannel
from vouchers.codes import MAX_CODE_LENGTH, normalise_code

MAX_CODES = 20
MAX_GIFT_CARDS = 10
MAX_FEES = 20


class PositionInputSerializer(StrictSerializer):
    item = serializers.IntegerField(min_value=1)
    variation = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    subevent = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    addon_to = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, default=None,
        help_text="Index (in this list) of the position this one is an add-on to.",
    )  # fmt: skip
    voucher = serializers.CharField(
        max_length=MAX_CODE_LENGTH, required=False, allow_null=True, allow_blank=True, default=None,
        help_text="A code for this position (a voucher; a coupon or promo code applies to the order).",
    )  # fmt: skip


class OrderPositionInputSerializer(PositionInputSerializer):
    """A position of ``POST orders/``: pretix's, with its optional manual ``price``."""

    price = MoneyField(
        required=False, allow_null=True, default=None,
        help_text="A manual price: the position costs exactly this, no code or rule changes it (pretix's "
        "explicit price). Not together with a voucher on the position.",
    )  # fmt: skip

    def validate(self, attrs):
        if attrs["price"] is not None and attrs["voucher"]:
            raise serializers.ValidationError(
                {"price": ["A position with a manual price cannot carry a voucher: send one or the other."]}
            )
        return attrs


def position_specs(rows: list[dict]) -> list[PositionSpec]:
    return [
        PositionSpec(
            item=row["item"], variation=row["variation"], subevent=row["subevent"], addon_to=row["addon_to"],
            voucher=normalise_code(row["voucher"]) or None, price=row.get("price"),
        )  # fmt: skip
        for row in rows
    ]


class CodesField(serializers.ListField):
    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.CharField(max_length=MAX_CODE_LENGTH))
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", list)
        kwargs.setdefault("max_length", MAX_CODES)
        kwargs.setdefault("help_text", "Order-wide codes: coupons, promo codes, vouchers for all positions.")
        super().__init__(**kwargs)


class GiftCardsField(serializers.ListField):
    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.CharField(max_length=MAX_CODE_LENGTH))
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", list)
        kwargs.setdefault("max_length", MAX_GIFT_CARDS)
        kwargs.setdefault(
            "help_text",
            "Codes of gift cards that pay the total, in this order, each as much as it holds; they change no "
            "price.",
        )
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.STR)
class SalesChannelField(serializers.SlugRelatedField):
    """A sales channel of the organizer, by identifier (``web`` when omitted)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "identifier")
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_queryset(self):
        organizer = self.context.get("organizer")
        return SalesChannel.objects.filter(organizer=organizer)


class OrderFeeInputSerializer(StrictSerializer):
    """A fee line of ``POST orders/`` (pretix's ``fees``): the order's total includes it."""

    fee_type = serializers.ChoiceField(choices=FeeType.choices)
    value = MoneyField()
    description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    internal_type = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    tax_rule = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text="pretix's tax rule of the fee: only null is taken (this version does not tax fees).",
    )  # fmt: skip

    def validate_tax_rule(self, value):
        if value is not None:
            raise serializers.ValidationError(
                "Taxes are not computed in this version: send null or leave it out."
            )
        return value


def fee_specs(rows: list[dict]) -> list[FeeSpec]:
    return [
        FeeSpec(fee_type=row["fee_type"], value=row["value"], description=row["description"],
                internal_type=row["internal_type"])
        for row in rows
    ]  # fmt: skip


class PositionsAndCodesSerializer(StrictSerializer):
    sales_channel = SalesChannelField()
    positions = PositionInputSerializer(many=True, max_length=MAX_POSITIONS)
    codes = CodesField()
    gift_cards = GiftCardsField()

    def validate(self, attrs):
        if attrs.get("sales_channel") is None:
            organizer = self.context.get("organizer")
            # Plain SQL (``core.rawsql``): every checkout without a channel asks this.
            found = rawsql.select(
                SalesChannel, "organizer_id = %s AND identifier = %s",
                [organizer.pk if organizer is not None else None, SalesChannel.WEB],
            )  # fmt: skip
            channel = found[0] if found else None
            if channel is None:
                raise serializers.ValidationError({"sales_channel": ["This organizer has no 'web' channel."]})
            attrs["sales_channel"] = channel
        return attrs


class OrderCreateSerializer(PositionsAndCodesSerializer):
    """``POST orders/``: pretix's body shape."""

    email = serializers.EmailField()
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    expected_total = MoneyField(required=False, allow_null=True, default=None)
    positions = OrderPositionInputSerializer(many=True, min_length=1, max_length=MAX_POSITIONS)
    simulate = serializers.BooleanField(
        required=False, default=False,
        help_text="Price and check everything, store and redeem nothing: the answer is the order that would "
        "be created, with the code PREVIEW.",
    )  # fmt: skip
    consume_carts = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, max_length=MAX_CODES,
        help_text="Ids of this event's carts that the order replaces: what they hold counts as the order's "
        "own, and they are deleted with it (ids of carts that are gone are passed over).",
    )  # fmt: skip
    fees = OrderFeeInputSerializer(
        many=True, required=False, default=list, max_length=MAX_FEES,
        help_text="Fee lines (service, shipping …); the total includes them.",
    )  # fmt: skip
    expires = serializers.DateTimeField(
        required=False, allow_null=True, default=None,
        help_text="The payment deadline while the order is pending (default: the event's payment terms).",
    )  # fmt: skip

    def validate_expires(self, value):
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("The payment deadline must be in the future.")
        return value


class CartCreateSerializer(PositionsAndCodesSerializer):
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    positions = PositionInputSerializer(many=True, required=False, default=list, max_length=MAX_POSITIONS)


class PreviewSerializer(PositionsAndCodesSerializer):
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    positions = PositionInputSerializer(many=True, min_length=1, max_length=MAX_POSITIONS)


class CartPositionAddSerializer(PositionInputSerializer):
    addon_to = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None,
        help_text="Id of the cart position this one is an add-on to.",
    )  # fmt: skip


class CodeInputSerializer(StrictSerializer):
    code = serializers.CharField(max_length=MAX_CODE_LENGTH)


class CheckoutSerializer(StrictSerializer):
    email = serializers.EmailField()
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    expected_total = MoneyField(
        required=False, allow_null=True, default=None,
        help_text="The total the customer saw; a different total now is a 409 price_changed.",
    )  # fmt: skip
    gift_cards = GiftCardsField(help_text="Gift cards that pay too, after the cart's own, in this order.")

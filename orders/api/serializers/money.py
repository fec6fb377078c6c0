"""Request bodies of an order's money: mark paid, mark canceled, new payments and refunds (pretix's)."""

from __future__ import annotations

from rest_framework import serializers

from core.serializers import StrictSerializer
from orders.models import GIFT_CARD_PROVIDER, PaymentState, RefundSource, RefundState
from ticketing.api.fields import MoneyField

PROVIDER_HELP = 'Who moved the money: "manual", "banktransfer", your payment provider\'s name …'


class ProviderField(serializers.RegexField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", PROVIDER_HELP)
        super().__init__(r"^[a-z0-9_.-]+$", **kwargs)
        self.error_messages["invalid"] = "Lowercase letters, digits and . _ - only."


def refused_when_true(reason: str):
    def check(value: bool) -> None:
        if value:
            raise serializers.ValidationError(reason)

    return check


def send_email_field() -> serializers.BooleanField:
    """pretix's ``send_email``: this backend sends no e-mails, so only false is taken."""
    return serializers.BooleanField(
        required=False, default=False, help_text="pretix's; this backend sends no e-mails (false only).",
        validators=[refused_when_true("This backend sends no e-mails: send false or leave it out.")],
    )  # fmt: skip


def refuse_gift_card_provider(value: str) -> str:
    if value == GIFT_CARD_PROVIDER:
        raise serializers.ValidationError("Gift cards pay through the checkout's gift_cards, not here.")
    return value


class EmptySerializer(StrictSerializer):
    """An action that takes no body: any field sent is refused."""


class MarkPaidSerializer(StrictSerializer):
    """``POST orders/<code>/mark_paid/``: a confirmed payment of what is due (or of ``amount``)."""

    amount = MoneyField(
        required=False, allow_null=True, default=None,
        help_text="What arrived (default: what is still due). Less than due leaves the order pending.",
    )  # fmt: skip
    provider = ProviderField(required=False, default="manual", validators=[refuse_gift_card_provider])
    info = serializers.DictField(required=False, default=dict, help_text="What the provider recorded.")
    send_email = send_email_field()


class MarkCanceledSerializer(StrictSerializer):
    """``POST orders/<code>/mark_canceled/``."""

    cancellation_fee = MoneyField(
        required=False, allow_null=True, default=None,
        help_text="Kept as a fee: the order stays, as a pending or paid order of just this fee.",
    )  # fmt: skip
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    send_email = send_email_field()


class PaymentCreateSerializer(StrictSerializer):
    """``POST orders/<code>/payments/``."""

    provider = ProviderField(validators=[refuse_gift_card_provider])
    amount = MoneyField()
    state = serializers.ChoiceField(
        choices=[PaymentState.CREATED, PaymentState.PENDING, PaymentState.CONFIRMED], required=False,
        default=PaymentState.CREATED,
    )  # fmt: skip
    payment_date = serializers.DateTimeField(required=False, allow_null=True, default=None)
    info = serializers.DictField(required=False, default=dict)
    send_email = send_email_field()

    def validate_amount(self, value):
        if value <= 0:
            raise serializers.ValidationError("A payment is of more than 0.")
        return value


class PaymentConfirmSerializer(StrictSerializer):
    payment_date = serializers.DateTimeField(required=False, allow_null=True, default=None)
    force = serializers.BooleanField(
        required=False, default=False,
        help_text="pretix's: confirm even without quota. Only false: this backend never oversells; a payment "
        "of an expired order without room is recorded and a refund is due.",
        validators=[refused_when_true("This backend never oversells a quota: send false or leave it out.")],
    )  # fmt: skip
    send_email = send_email_field()


class PaymentRefundSerializer(StrictSerializer):
    """``POST orders/<code>/payments/<local_id>/refund/``."""

    amount = MoneyField(required=False, allow_null=True, default=None, help_text="Default: all that is left.")
    mark_canceled = serializers.BooleanField(required=False, default=False, help_text="Cancel the order too.")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RefundCreateSerializer(StrictSerializer):
    """``POST orders/<code>/refunds/``."""

    amount = MoneyField()
    payment = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="The payment's local_id."
    )
    provider = ProviderField(required=False, allow_null=True, default=None)
    state = serializers.ChoiceField(
        choices=[RefundState.CREATED, RefundState.TRANSIT, RefundState.DONE, RefundState.EXTERNAL],
        required=False, default=RefundState.CREATED,
    )  # fmt: skip
    source = serializers.ChoiceField(choices=RefundSource.choices, required=False, default=RefundSource.ADMIN)
    execution_date = serializers.DateTimeField(required=False, allow_null=True, default=None)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    info = serializers.DictField(required=False, default=dict)
    mark_canceled = serializers.BooleanField(required=False, default=False)

    def validate_amount(self, value):
        if value <= 0:
            raise serializers.ValidationError("A refund is of more than 0.")
        return value

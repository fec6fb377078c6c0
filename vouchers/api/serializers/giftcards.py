"""Gift cards in the API (organizer-wide), with their ledger.

Money is written with the card's currency's places (``"50.00"`` for EUR, ``"5000"`` for JPY); an amount
with more places than the currency has is refused.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import StrictModelSerializer, StrictSerializer
from ticketing.api.fields import MoneyField
from ticketing.api.validation import run_shared_validator
from ticketing.currency import ISO_4217, amount_text, currency_exponent, currency_places
from ticketing.models import Event
from vouchers.api.fields import CodeField
from vouchers.codes import (
    CODE_CHARACTERS_MESSAGE,
    DEFAULT_LENGTH,
    MAX_PREFIX_LENGTH,
    MAX_RANDOM_LENGTH,
    MIN_RANDOM_LENGTH,
    PREFIX_PATTERN,
    normalise_code,
)
from vouchers.models import GiftCard, GiftCardTransaction
from vouchers.services.checks import validate_gift_card
from vouchers.services.giftcards import MAX_GIFT_CARDS_GENERATE


def places_problem(value: Decimal | None, currency: str | None) -> str | None:
    """What is wrong with an amount's places in ``currency`` (a currency that is not one is reported on
    its own field)."""
    if value is None or currency not in ISO_4217:
        return None
    if value == value.quantize(currency_exponent(currency)):
        return None
    places = currency_places(currency)
    return f"{currency} amounts have at most {places} decimal place{'s' if places != 1 else ''}."


def check_places(value: Decimal | None, currency: str | None, field: str) -> None:
    problem = places_problem(value, currency)
    if problem:
        raise serializers.ValidationError({field: [problem]})


def amount_field(**kwargs) -> serializers.DecimalField:
    """An amount as a decimal string, up to 3 places (the currency's places are checked on top)."""
    return serializers.DecimalField(max_digits=13, decimal_places=3, **kwargs)


class EventSlugsField(serializers.SlugRelatedField):
    """Events of the organizer, by slug."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "slug")
        kwargs.setdefault("queryset", Event.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        return Event.objects.filter(organizer=self.context.get("organizer"))


class GiftCardSerializer(StrictModelSerializer):
    """A gift card. ``balance`` is the sum of its ledger; ``allowed_events`` (slugs) empty: every event of
    the organizer. Only ``expires``, ``note`` and ``allowed_events`` change after issue (PATCH); the value
    only through ``transact/``."""

    balance = serializers.SerializerMethodField(help_text="What is on the card: the sum of its transactions.")
    expired = serializers.SerializerMethodField()
    allowed_events = serializers.ManyRelatedField(
        child_relation=EventSlugsField(), required=False,
        help_text="Slugs of the events it may pay in; empty: every event of the organizer.",
    )  # fmt: skip

    class Meta:
        model = GiftCard
        fields = (
            "id",
            "code",
            "currency",
            "balance",
            "expires",
            "expired",
            "note",
            "allowed_events",
            "created",
        )
        read_only_fields = ("id", "code", "currency", "balance", "created")

    @extend_schema_field(MoneyField())
    def get_balance(self, card: GiftCard) -> str:
        return amount_text(card.balance, card.currency)

    def get_expired(self, card: GiftCard) -> bool:
        return card.is_expired(self.context.get("now"))


class GiftCardCreateSerializer(StrictSerializer):
    """Issue a card: ``initial_value`` becomes its first transaction (``issue``); an empty ``code`` is
    generated."""

    code = CodeField(required=False, allow_blank=True, default="", help_text="Empty: a random code.")
    currency = serializers.CharField(max_length=3, help_text="ISO 4217, e.g. EUR.")
    initial_value = amount_field(
        min_value=Decimal("0"), required=False, default=Decimal("0"),
        help_text="What is on the card when issued, with the currency's places.",
    )  # fmt: skip
    expires = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    allowed_events = serializers.ManyRelatedField(
        child_relation=EventSlugsField(), required=False, default=list,
        help_text="Slugs of the events it may pay in; empty: every event of the organizer.",
    )  # fmt: skip

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        run_shared_validator(validate_gift_card, organizer=self.context["organizer"], **attrs)
        check_places(attrs["initial_value"], attrs["currency"], "initial_value")
        return attrs


class GiftCardGenerateSerializer(StrictSerializer):
    """``count`` cards worth ``value`` each, with random codes (``prefix`` + ``length`` characters)."""

    count = serializers.IntegerField(min_value=1, max_value=MAX_GIFT_CARDS_GENERATE)
    value = amount_field(
        min_value=Decimal("0"), help_text="What is on each card, with the currency's places."
    )
    prefix = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_PREFIX_LENGTH)
    length = serializers.IntegerField(
        required=False, default=DEFAULT_LENGTH, min_value=MIN_RANDOM_LENGTH, max_value=MAX_RANDOM_LENGTH,
        help_text="Random characters after the prefix.",
    )  # fmt: skip
    currency = serializers.CharField(max_length=3, help_text="ISO 4217, e.g. EUR.")
    expires = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    allowed_events = serializers.ManyRelatedField(
        child_relation=EventSlugsField(), required=False, default=list,
        help_text="Slugs of the events they may pay in; empty: every event of the organizer.",
    )  # fmt: skip

    def validate_prefix(self, value: str) -> str:
        value = normalise_code(value)
        if not PREFIX_PATTERN.match(value):
            raise serializers.ValidationError(CODE_CHARACTERS_MESSAGE)
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        run_shared_validator(
            validate_gift_card, organizer=self.context["organizer"], currency=attrs["currency"],
            allowed_events=attrs["allowed_events"],
        )  # fmt: skip
        check_places(attrs["value"], attrs["currency"], "value")
        return attrs


class GeneratedGiftCardSerializer(StrictSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()


class GiftCardsGeneratedSerializer(StrictSerializer):
    created = serializers.IntegerField()
    gift_cards = GeneratedGiftCardSerializer(many=True, help_text="The cards made, in code order.")


class GiftCardTransactSerializer(StrictSerializer):
    """A top-up (positive ``value``) or a correction (negative), with the reason."""

    value = amount_field(help_text='Signed, with the card\'s currency\'s places: "20.00" or "-10.00".')
    text = serializers.CharField(required=False, allow_blank=True, default="", help_text="Why.")

    def validate_value(self, value: Decimal) -> Decimal:
        if not value:
            raise serializers.ValidationError("A transaction moves some value: 0 is not one.")
        card = self.context.get("card")
        problem = places_problem(value, card.currency) if card is not None else None
        if problem:
            raise serializers.ValidationError(problem)
        return value


class GiftCardTransactionSerializer(StrictModelSerializer):
    """One entry of the ledger. ``order_code`` names the order it belongs to (payments, refunds, cards
    bought with an order); ``user``/``token`` who wrote it through the API or the admin."""

    value = serializers.SerializerMethodField()
    user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = GiftCardTransaction
        fields = ("id", "kind", "value", "created", "order_code", "text", "user", "token")
        read_only_fields = fields

    @extend_schema_field(MoneyField(min_value=None, help_text="Added to the balance; taken when negative."))
    def get_value(self, row: GiftCardTransaction) -> str:
        return amount_text(row.value, row.card.currency)

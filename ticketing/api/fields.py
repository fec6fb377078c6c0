"""Serializer fields shared by every app's API."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from ticketing.currency import amount_text, currency_exponent, currency_places


def context_currency(field: serializers.Field) -> str:
    event = field.context.get("event")
    return event.currency if event is not None else "EUR"


class MoneyField(serializers.DecimalField):
    """Money as a decimal string with the currency's places (``"23.00"``, JPY ``"2300"``).

    The currency comes from the event in the serializer context. Input with more
    places than the currency has is refused rather than silently rounded.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 13)
        kwargs.setdefault("decimal_places", 3)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value is None:
            return value
        currency = context_currency(self)
        if value != value.quantize(currency_exponent(currency)):
            places = currency_places(currency)
            self.fail_places(places, currency)
        return value

    def fail_places(self, places: int, currency: str):
        raise serializers.ValidationError(
            f"{currency} amounts have at most {places} decimal place{'s' if places != 1 else ''}."
        )

    def to_representation(self, value):
        if value is None:
            return None
        return amount_text(value, context_currency(self))

"""Serializer pieces shared by this app's resources."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from vouchers.codes import normalise_code


class CodeField(serializers.CharField):
    """A code as typed: stored normalised (stripped, upper-cased)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return normalise_code(super().to_internal_value(data))


class AmountField(serializers.DecimalField):
    """An organizer-wide amount or percentage: no single currency, so up to 3 places, at least 2 shown."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 13)
        kwargs.setdefault("decimal_places", 3)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value is None:
            return None
        value = Decimal(value)
        places = Decimal("0.01") if value == value.quantize(Decimal("0.01")) else Decimal("0.001")
        return str(value.quantize(places))

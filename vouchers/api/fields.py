"""Serializer pieces shared by this app's resources."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from rest_framework import serializers

from vouchers.codes import normalise_code

NOT_PROVIDED = object()


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


class PutResetsDefaultsMixin:
    """``PUT`` replaces every writable field: the ones left out go back to their defaults (API conventions);
    a create leaves out many-to-many fields as empty.

    ``put_keeps`` names fields a PUT leaves alone when they are missing (e.g. a code).
    """

    put_keeps: tuple[str, ...] = ()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.partial:
            return attrs
        creating = self.instance is None
        model = self.Meta.model
        for name, field in self.fields.items():
            if field.read_only or name in attrs or name in self.put_keeps:
                continue
            source = field.source if field.source != "*" else name
            try:
                model_field = model._meta.get_field(source)
            except Exception:  # noqa: BLE001 - not a model field: nothing to reset
                continue
            if model_field.many_to_many:
                attrs[source] = []  # on create too, so validation sees the empty relation
            elif not creating and isinstance(model_field, models.Field):
                attrs[source] = model_field.get_default()
        return attrs

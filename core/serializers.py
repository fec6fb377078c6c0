"""Serializer bases that refuse what the resource does not have.

DRF drops unknown fields without a word, so a client that sends ``promo_code``
or ``positions[2].vouchr`` gets a 201 at the wrong price. Every serializer of
the API derives from :class:`StrictSerializer` or :class:`StrictModelSerializer`:
a field the resource does not have is a 400 naming it, at any depth (nested
serializers check their own part); a field it has but that is read-only is
accepted and ignored, so a client can send back what it read.

Every integer field (and the integers of a list field) is also bounded by what
the database holds (``core.bounds``), so an id of 2**63 is a 400 naming the field,
not a 500 from the driver. Numbers sent as text must be plain ASCII digits
(``"1_000"`` and full-width digits are refused), and a negative zero is stored
as zero. JSON types are those of the schema: a boolean is ``true`` or ``false``
(not ``"yes"`` or ``1``), a string field takes a string (not ``42``), an amount a
decimal string (``"10.50"``, not the float ``10.5``), a list a list (not ``{}``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.settings import api_settings

from core.bounds import MAX_INTEGER, MIN_INTEGER

UNKNOWN_FIELD = "Unknown field."


def bound(field) -> None:
    """Give an integer field without limits the database's (a list field: its child)."""
    child = getattr(field, "child", None)
    if isinstance(field, serializers.ListField) and child is not None:
        bound(child)
        return
    if not isinstance(field, serializers.IntegerField) or field.read_only:
        return
    if field.max_value is None:
        field.max_value = MAX_INTEGER
        message = field.error_messages["max_value"].format(max_value=MAX_INTEGER)
        field.validators.append(MaxValueValidator(MAX_INTEGER, message=message))
    if field.min_value is None:
        field.min_value = MIN_INTEGER
        message = field.error_messages["min_value"].format(min_value=MIN_INTEGER)
        field.validators.append(MinValueValidator(MIN_INTEGER, message=message))


class StrictFieldsMixin:
    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            bound(field)
        return fields

    def to_internal_value(self, data):
        refused = {}
        if isinstance(data, Mapping):
            for key, raw in data.items():
                field = self.fields.get(key)
                if field is None:
                    refused[key] = [ErrorDetail(UNKNOWN_FIELD, code="unknown_field")]
                elif not plain_number(field, raw):
                    refused[key] = [ErrorDetail(NOT_PLAIN, code="invalid")]
                elif (wrong := wrong_json_type(field, raw)) is not None:
                    refused[key] = [ErrorDetail(wrong, code="invalid")]
        if refused:  # the rest is still checked, without sending a refused value on (to the database)
            data = {key: raw for key, raw in data.items() if key not in refused}
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            if not refused:
                raise
            detail = (
                exc.detail
                if isinstance(exc.detail, Mapping)
                else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
            )
            raise ValidationError({**detail, **refused}) from exc
        if refused:
            raise ValidationError(refused)
        return unsigned_zeros(value)


#: A number as JSON or in plain ASCII: an optional sign, digits, optionally a point and digits.
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?|[+-]?\.[0-9]+")
NOT_PLAIN = "A number in plain digits is required, like 1000 or 10.50."


def plain_number(field, raw) -> bool:
    """Whether ``raw`` is fine for ``field`` as far as number syntax goes. Python's ``int()`` and
    ``Decimal()`` read ``"1_000"``, ``"١٢"`` or full-width digits; the API reads ASCII digits only."""
    if isinstance(field, serializers.ListField) and isinstance(raw, list):
        return all(plain_number(field.child, item) for item in raw)
    if not isinstance(field, (serializers.IntegerField, serializers.DecimalField)) or not isinstance(
        raw, str
    ):
        return True
    text = raw.strip()
    return text == "" or PLAIN_NUMBER.fullmatch(text) is not None


NOT_BOOLEAN = "Must be true or false."
NOT_STRING = "A string is required."
NOT_DECIMAL_STRING = 'A decimal number as a string is required, like "10.50".'
NOT_LIST = "A list is required."
NUL_IN_STRING = "Null characters are not allowed."


def wrong_json_type(field, raw) -> str | None:
    """What is wrong with the JSON type of ``raw`` for ``field``, if anything. DRF reads ``"yes"`` or
    ``1`` as a boolean, ``42`` as a string, the float ``0.1`` as an amount and ``{}`` as an empty
    list; the schema says boolean, string, decimal string and array, and so does the API."""
    if raw is None or field.read_only:
        return None
    if isinstance(raw, str) and "\x00" in raw:  # DRF's CharField refuses it, a slug or id field does not
        return NUL_IN_STRING
    if isinstance(field, (serializers.ListField, serializers.ManyRelatedField)):
        if not isinstance(raw, list):
            return NOT_LIST
        child = field.child if isinstance(field, serializers.ListField) else field.child_relation
        return next((wrong for item in raw if (wrong := wrong_json_type(child, item)) is not None), None)
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(raw, bool) else NOT_BOOLEAN
    if isinstance(field, (serializers.CharField, serializers.SlugRelatedField)):
        return None if isinstance(raw, str) else NOT_STRING
    if isinstance(field, serializers.DecimalField):  # "" is no amount (null is, where allowed)
        return None if isinstance(raw, str) and raw.strip() else NOT_DECIMAL_STRING
    if isinstance(raw, bool) and isinstance(field, serializers.RelatedField):
        return "An id is required."
    if isinstance(raw, bool) and isinstance(field, serializers.IntegerField):
        return "A number is required."
    return None


def unsigned_zeros(value):
    """``-0`` and ``-0.00`` are stored as ``0``: a signed zero would show as ``-0.00`` (and a budget of
    ``-0`` made a voucher unusable)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, Decimal) and item.is_zero() and item.is_signed():
                value[key] = item.copy_abs()
    return value


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    pass

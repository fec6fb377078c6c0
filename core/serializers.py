"""Serializer bases that refuse what the resource does not have.

DRF drops unknown fields without a word, so a client that sends ``promo_code``
or ``positions[2].vouchr`` gets a 201 at the wrong price. Every serializer of
the API derives from :class:`StrictSerializer` or :class:`StrictModelSerializer`:
a field the resource does not have is a 400 naming it, at any depth (nested
serializers check their own part); a field it has but that is read-only is
accepted and ignored, so a client can send back what it read.

Every integer field (and the integers of a list field) is also bounded by what
the database holds (``core.bounds``), so an id of 2**63 is a 400 naming the field,
not a 500 from the driver.
"""

from __future__ import annotations

from collections.abc import Mapping

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
        unknown = {}
        if isinstance(data, Mapping):
            unknown = {
                key: [ErrorDetail(UNKNOWN_FIELD, code="unknown_field")]
                for key in data
                if key not in self.fields
            }
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            if not unknown:
                raise
            detail = (
                exc.detail
                if isinstance(exc.detail, Mapping)
                else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
            )
            raise ValidationError({**detail, **unknown}) from exc
        if unknown:
            raise ValidationError(unknown)
        return value


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    pass

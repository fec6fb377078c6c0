"""Serializer bases that refuse what the resource does not have.

DRF drops unknown fields without a word, so a client that sends ``promo_code``
or ``positions[2].vouchr`` gets a 201 at the wrong price. Every serializer of
the API derives from :class:`StrictSerializer` or :class:`StrictModelSerializer`:
a field the resource does not have is a 400 naming it, at any depth (nested
serializers check their own part); a field it has but that is read-only is
accepted and ignored, so a client can send back what it read.
"""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.settings import api_settings

UNKNOWN_FIELD = "Unknown field."


class StrictFieldsMixin:
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

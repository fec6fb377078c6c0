"""Serializers call the same validation functions as ``Model.clean()`` and the admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers


def merged_values(serializer: serializers.Serializer, attrs: dict[str, Any]) -> dict[str, Any]:
    """The resource's values after this request: the instance's, overridden by the validated input."""
    values: dict[str, Any] = {}
    instance = serializer.instance
    if instance is not None:
        for field in instance._meta.concrete_fields:
            values[field.name] = getattr(instance, field.name, None)
        for field in instance._meta.many_to_many:
            if field.name not in attrs:
                values[field.name] = list(getattr(instance, field.name).all())
    values.update(attrs)
    return values


def run_shared_validator(validator: Callable[..., None], **values: Any) -> None:
    try:
        validator(**values)
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise serializers.ValidationError(exc.message_dict) from exc
        raise serializers.ValidationError({"non_field_errors": exc.messages}) from exc


class SharedValidationMixin:
    """Set ``shared_validator`` to the resource's validation function."""

    shared_validator: Callable[..., None] | None = None

    def extra_validation_values(self) -> dict[str, Any]:
        event = self.context.get("event")
        return {"event": event} if event is not None else {}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.shared_validator is not None:
            values = {**self.extra_validation_values(), **merged_values(self, attrs)}
            run_shared_validator(type(self).shared_validator, **values)
        return attrs

"""One place that turns exceptions into API responses.

Domain errors (``DomainError`` subclasses raised by services) become
``{"code": ..., "detail": ..., **context}`` with their status; everything else is
left to DRF's default handler. Django's ``ValidationError`` raised by shared
validation functions becomes a DRF 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        headers = {}
        retry_after = exc.context.get("retry_after")
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return Response(exc.as_dict(), status=exc.status_code, headers=headers)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = ValidationError(exc.message_dict)
        else:
            exc = ValidationError({"non_field_errors": exc.messages})
    return drf_exception_handler(exc, context)

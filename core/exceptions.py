"""One place that turns exceptions into API responses.

Domain errors (``DomainError`` subclasses raised by services) become
``{"code": ..., "detail": ..., **context}`` with their status; DRF's own errors
(401, 403, 404, 405, 429 …) get the same shape; field errors stay DRF's 400 shape,
``{"field": ["message"]}``. Django's ``ValidationError`` raised by shared
validation functions becomes a DRF 400 naming the field. A database that is lost or
unreachable (``OperationalError``, ``InterfaceError``) becomes 503 ``unavailable`` with
``Retry-After``; the transaction it interrupted is rolled back by the database.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError
from core.metrics import count_refusal
from core.middleware import UNAVAILABLE_DETAIL, UNAVAILABLE_RETRY_AFTER


def unavailable_response() -> Response:
    return Response(
        {"code": "unavailable", "detail": UNAVAILABLE_DETAIL},
        status=503,
        headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)},
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = render_exception(exc, context)
    if response is not None:  # every error answer of a view counts by its code (``core.metrics``)
        count_refusal(response.data.get("code", "invalid") if isinstance(response.data, dict) else "invalid")
    return response


def render_exception(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        headers = {}
        retry_after = exc.context.get("retry_after")
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return Response(exc.as_dict(), status=exc.status_code, headers=headers)
    if isinstance(exc, (OperationalError, InterfaceError)):
        return unavailable_response()
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = ValidationError(exc.message_dict)
        else:
            exc = ValidationError({"non_field_errors": exc.messages})
    response = drf_exception_handler(exc, context)
    if response is not None and not isinstance(exc, ValidationError):
        add_error_code(response, exc)
    return response


def add_error_code(response: Response, exc: Exception) -> None:
    """DRF answers 401, 403, 404, 405, 415, 429 and parse errors with ``{"detail"}`` only; they get the
    domain errors' shape, ``{"code", "detail"}`` (``not_authenticated``, ``permission_denied``,
    ``not_found``, ``method_not_allowed``, ``throttled``, ``parse_error`` …)."""
    data = response.data
    if not isinstance(data, dict) or "detail" not in data or "code" in data:
        return
    detail = data["detail"]
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    response.data = {"code": code, **data}

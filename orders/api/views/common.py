"""Pieces the orders views share: the idempotency scope of a caller, and the key header."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter

IDEMPOTENCY_HEADER = "X-Idempotency-Key"
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The same key with the same body returns the first response without creating "
    "another order; with a different body it is a 409 idempotency_key_reused.",
)


def caller_scope(view) -> str:
    """Keys are unique per organizer, event and caller (token, or user for session auth)."""
    user = view.request.user
    token = getattr(user, "token", None)
    who = f"token:{token.pk}" if token is not None else f"user:{user.pk}"
    return f"{view.organizer.pk}:{view.event.pk}:{who}"


def validated_body(view, serializer_class) -> dict:
    """The request's body through ``serializer_class`` (400 naming the fields it refuses)."""
    body = serializer_class(data=view.request.data, context=view.get_serializer_context())
    body.is_valid(raise_exception=True)
    return body.validated_data


def idempotency_key(request) -> str | None:
    return request.headers.get(IDEMPOTENCY_HEADER) or None

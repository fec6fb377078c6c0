"""The ``items/`` action of every code that can be limited to items (docs/codes.md, "Codes and items")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.response import Response

from vouchers.api.serializers.code_items import CodeItemsInputSerializer, code_items


def items_answer(
    view,
    request,
    code: Any,
    patch_class: type[CodeItemsInputSerializer],
    *,
    limit: Callable[[Any, list], Any],
    allow_all: Callable[[Any], Any],
    **context: Any,
) -> Response:
    """GET: the code's items; PATCH: ``limit(code, items)`` or ``allow_all(code)``, then its items."""
    if request.method == "PATCH":
        body = patch_class(data=request.data, context={**view.get_serializer_context(), **context})
        body.is_valid(raise_exception=True)
        if body.validated_data.get("allow_all_items"):
            code = allow_all(code)
        else:
            code = limit(code, body.validated_data["items"])
    return Response(code_items(code))

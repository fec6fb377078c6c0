"""The ``items/`` action of every code that can be limited to items (docs/codes.md, "Codes and items")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.response import Response

from vouchers.api.serializers.code_items import CodeItemsInputSerializer, SeriesItemsSerializer, code_items
from vouchers.api.views.scoped import items_queryset
from vouchers.services.code_items import series_items_allow_all, series_items_set


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


def series_items_answer(view, request, series) -> Response:
    """:func:`items_answer` for a series (a coupon series, or a promo code's own): its items are of the
    organizer's events the caller may see."""
    return items_answer(
        view, request, series, SeriesItemsSerializer, series=series,
        items_queryset=items_queryset(view.organizer, view.access),
        limit=lambda s, items: series_items_set(series=s, items=items),
        allow_all=lambda s: series_items_allow_all(series=s),
    )  # fmt: skip

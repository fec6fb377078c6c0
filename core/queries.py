"""Lists answer only the query parameters they document.

django-filter ignores a parameter it does not know, so ``coupons/?couponSeriesId=1``
answered every coupon. A list now refuses unknown parameters with a 400 naming
each (``{"couponSeriesId": ["Unknown query parameter."]}``). Known are: the view's
filters (with their widgets' suffixes), the ordering and search parameters of its
filter backends, the page parameters, ``format``, and what a view declares in
``extra_query_parameters`` for parameters it reads itself.
"""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

UNKNOWN_PARAMETER = "Unknown query parameter."


def filter_parameters(view, backend) -> set[str]:
    get_class = getattr(backend, "get_filterset_class", None)
    if get_class is None:
        return set()
    filterset_class = get_class(view, view.get_queryset())
    if filterset_class is None:
        return set()
    names: set[str] = set()
    for name, declared in filterset_class.base_filters.items():
        widget = declared.field_class.widget if hasattr(declared.field_class, "widget") else None
        suffixes = getattr(declared.extra.get("widget", widget), "suffixes", None)
        names.add(name)
        for suffix in suffixes or ():
            names.add(f"{name}_{suffix}" if suffix else name)
    return names


def known_query_parameters(view, paginator) -> set[str]:
    known = {api_settings.URL_FORMAT_OVERRIDE, *getattr(view, "extra_query_parameters", ())}
    for param in ("page_query_param", "page_size_query_param"):
        if getattr(paginator, param, None):
            known.add(getattr(paginator, param))
    for backend_class in getattr(view, "filter_backends", ()):
        backend = backend_class()
        for param in ("ordering_param", "search_param"):
            if getattr(backend, param, None):
                known.add(getattr(backend, param))
        known |= filter_parameters(view, backend)
    return known


def refuse_unknown_query_parameters(request, view, paginator) -> None:
    unknown = sorted(set(request.query_params) - known_query_parameters(view, paginator))
    if unknown:
        raise ValidationError({name: [UNKNOWN_PARAMETER] for name in unknown})

"""Lists answer only the query parameters they document.

django-filter ignores a parameter it does not know, so ``coupons/?couponSeriesId=1``
answered every coupon. A list now refuses unknown parameters with a 400 naming
each (``{"couponSeriesId": ["Unknown query parameter."]}``). Known are: the view's
filters (with their widgets' suffixes), the ordering and search parameters of its
filter backends, the page parameters, ``format``, and the fields of the form a view
declares as ``query_form`` for parameters it reads itself (and a cursor pagination's ``cursor``).

One rule for empty values, wherever a parameter is declared: ``?name=`` is a value
for a parameter that takes text (a text filter, ``ordering``, ``format``) and a 400
for any other (a boolean, number, choice or date), which would otherwise read as
"not given". The page parameters check their own values (``core.pagination``).
"""

from __future__ import annotations

from django import forms
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

UNKNOWN_PARAMETER = "Unknown query parameter."
EMPTY_VALUE = "A value is required; leave the parameter out not to filter by it."


def takes_text(field_class: type[forms.Field]) -> bool:
    return issubclass(field_class, forms.CharField)


def form_parameters(view) -> dict[str, bool]:
    """The fields of the view's ``query_form``, each with whether it takes text."""
    form_class = getattr(view, "query_form", None)
    if form_class is None:
        return {}
    return {name: takes_text(type(field)) for name, field in form_class.base_fields.items()}


def filter_parameters(view, backend) -> dict[str, bool]:
    """The parameters of the backend's filters, each with whether it takes text (an empty value
    of a text filter is a value; of a boolean, number, choice or date it is nothing)."""
    get_class = getattr(backend, "get_filterset_class", None)
    if get_class is None:
        return {}
    filterset_class = get_class(view, view.get_queryset())
    if filterset_class is None:
        return {}
    names: dict[str, bool] = {}
    for name, declared in filterset_class.base_filters.items():
        widget = declared.field_class.widget if hasattr(declared.field_class, "widget") else None
        suffixes = getattr(declared.extra.get("widget", widget), "suffixes", None)
        text = takes_text(declared.field_class)
        names[name] = text
        for suffix in suffixes or ():
            names[f"{name}_{suffix}" if suffix else name] = text
    return names


def known_query_parameters(view, paginator) -> dict[str, bool]:
    """Every parameter the list documents, each with whether it takes text (``filter_parameters``,
    ``form_parameters``; the format, ordering and search parameters do, and so do the page parameters
    here because the paginator refuses their bad values, the empty one included, itself)."""
    known = {api_settings.URL_FORMAT_OVERRIDE: True, **form_parameters(view)}
    for param in ("page_query_param", "page_size_query_param", "cursor_query_param"):
        if getattr(paginator, param, None):
            known[getattr(paginator, param)] = True
    for backend_class in getattr(view, "filter_backends", ()):
        backend = backend_class()
        for param in ("ordering_param", "search_param"):
            if getattr(backend, param, None):
                known[getattr(backend, param)] = True
        known.update(filter_parameters(view, backend))
    return known


def check_query_parameters(request, view, paginator) -> None:
    """Unknown parameters are a 400 naming each; so is an empty value of a filter that does not
    take text (``?active=``), which django-filter would ignore."""
    known = known_query_parameters(view, paginator)
    unknown = sorted(set(request.query_params) - set(known))
    if unknown:
        raise ValidationError({name: [UNKNOWN_PARAMETER] for name in unknown})
    empty = sorted(name for name, values in request.query_params.lists() if not known[name] and "" in values)
    if empty:
        raise ValidationError({name: [EMPTY_VALUE] for name in empty})

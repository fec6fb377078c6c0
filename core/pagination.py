"""The list envelope of the API: ``{"count", "next", "previous", "results"}``, by page number
(``PageNumberPagination``, every list's) or by a cursor over ids (``IdCursorPagination``, for a list a
client polls for what is new)."""

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from core.bounds import MAX_ID
from core.queries import check_query_parameters


def whole_number_from_1(raw: str) -> int | None:
    """``raw`` as a whole number from 1, or None: ASCII digits only (no sign, space, point or ``1_000``).
    More than 18 significant digits read as 10**18, beyond any page (``int()`` refuses 4,300)."""
    digits = raw.lstrip("0")
    if not (raw.isascii() and raw.isdigit() and digits):
        return None
    return int(digits) if len(digits) <= 18 else 10**18


class PageNumberPagination(pagination.PageNumberPagination):
    """Every list is paginated through here, so this is also where a list refuses query parameters
    it does not document (``core.queries``) and page parameters that are not page numbers: DRF answers
    ``?page=abc`` with a 404 as if the page were past the end, and falls back to the default for
    ``?page_size=abc`` or ``0``; the API says what is wrong, a 400 naming the parameter. ``?page=last``
    is DRF's (and pretix's) name of the last page."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        if view is not None:
            check_query_parameters(request, view, self)
        self.refuse_bad_page(request)
        self.refuse_bad_page_size(request)
        return super().paginate_queryset(queryset, request, view)

    def refuse_bad_page(self, request) -> None:
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw in self.last_page_strings or whole_number_from_1(raw) is not None:
            return
        raise ValidationError({self.page_query_param: ["A whole number from 1, or last, is required."]})

    def refuse_bad_page_size(self, request) -> None:
        refuse_bad_page_size(request, self.page_size_query_param, self.max_page_size)


def refuse_bad_page_size(request, param: str, most: int) -> None:
    """400 naming ``param`` unless it is absent or a whole number from 1 to ``most``."""
    raw = request.query_params.get(param)
    if raw is None:
        return
    size = whole_number_from_1(raw)
    if size is None or size > most:
        raise ValidationError({param: [f"A whole number from 1 to {most} is required."]})


def is_id(raw: str) -> bool:
    """Whether ``raw`` is an id the database can hold, written plainly (ASCII digits, no sign)."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 19 and 1 <= int(raw) <= MAX_ID


INVALID_CURSOR = "Not a cursor this list gave out: follow the next or previous link of an answer."


class IdCursorPagination(pagination.CursorPagination):
    """Pages in the order of the rows' ids, oldest first, linked by opaque cursors (``?cursor=``, DRF's
    cursor pagination): a row written meanwhile neither shifts a page nor shows twice, as it would with
    page numbers. The envelope is the API's, ``count`` being the number of rows the filters select. A
    cursor that is not one the list gave out, and bad page sizes, are a 400 naming the parameter (DRF
    answers a 404, or a 500 for a cursor whose position is not an id)."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        if view is not None:
            check_query_parameters(request, view, self)
        refuse_bad_page_size(request, self.page_size_query_param, self.max_page_size)
        page = super().paginate_queryset(queryset, request, view)
        self.count = queryset.count()
        return page

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor, position = None, "not an id"
        else:
            position = None if cursor is None else cursor.position
        if position is not None and not is_id(position):
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
        return cursor

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        envelope = super().get_paginated_response_schema(schema)
        count = {"type": "integer", "description": "How many rows the filters select, on every page."}
        envelope["properties"] = {"count": count, **envelope["properties"]}
        return envelope

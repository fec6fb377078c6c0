"""The list envelope of the API: ``{"count", "next", "previous", "results"}``."""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

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
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return
        size = whole_number_from_1(raw)
        if size is None or size > self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size} is required."]}
            )

"""The list envelope of the API: ``{"count", "next", "previous", "results"}``."""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from core.queries import check_query_parameters


class PageNumberPagination(pagination.PageNumberPagination):
    """Every list is paginated through here, so this is also where a list refuses query parameters
    it does not document (``core.queries``)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
    last_page_strings = ()  # DRF reads ``page=last`` as the last page; the API documents numbers only

    def paginate_queryset(self, queryset, request, view=None):
        if view is not None:
            check_query_parameters(request, view, self)
        self.refuse_bad_page_size(request)
        return super().paginate_queryset(queryset, request, view)

    def get_page_number(self, request, paginator):
        """DRF reads an empty ``page=`` as page 1; like any other page that is no number, it is a 404."""
        if request.query_params.get(self.page_query_param) == "":
            return ""
        return super().get_page_number(request, paginator)

    def refuse_bad_page_size(self, request) -> None:
        """DRF falls back to the default for ``page_size=abc`` or ``0``; the API says what is wrong."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size} is required."]}
            )

"""The list envelope of the API: ``{"count", "next", "previous", "results"}``."""

from rest_framework import pagination

from core.queries import refuse_unknown_query_parameters


class PageNumberPagination(pagination.PageNumberPagination):
    """Every list is paginated through here, so this is also where a list refuses query parameters
    it does not document (``core.queries``)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        if view is not None:
            refuse_unknown_query_parameters(request, view, self)
        return super().paginate_queryset(queryset, request, view)

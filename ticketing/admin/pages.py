"""Figures a list column needs for the whole page, computed once for the page's rows.

A model admin built on ``PreparedPageAdmin`` gets ``prepare_page(rows)`` called with the rows of the
page being listed (after pagination, before rendering), so a column can show what one selector call
computes for all of them (quota availability, a series' currencies …) instead of querying per row.
"""

from __future__ import annotations

from django.contrib.admin.views.main import ChangeList


class PreparedPageChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        # Evaluating the page's queryset fills its cache: the rows prepared are the rows rendered.
        self.model_admin.prepare_page(list(self.result_list))


class PreparedPageAdmin:
    """Mix into a model admin; override ``prepare_page``."""

    def get_changelist(self, request, **kwargs):
        return PreparedPageChangeList

    def prepare_page(self, rows: list) -> None:
        """Attach to each row what its columns show."""

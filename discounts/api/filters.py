"""Query filters and ordering of the discount rule list."""

from __future__ import annotations

from rest_framework.filters import OrderingFilter

from discounts.models import Discount
from ticketing.api.filters import FilterSet


class DiscountFilter(FilterSet):
    class Meta:
        model = Discount
        fields = ("active", "subevent_mode")


class TieBreakingOrderingFilter(OrderingFilter):
    """``?ordering=position`` keeps rules of equal position in a stable order (by id, same direction)."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if ordering and not any(term.lstrip("-") == "id" for term in ordering):
            ordering.append("-id" if ordering[-1].startswith("-") else "id")
        return ordering

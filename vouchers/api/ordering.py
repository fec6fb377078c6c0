"""``?ordering=`` that sorts nulls the same way on SQLite and PostgreSQL.

The databases disagree on where NULL sorts; a view names the fields where null
means "no limit" (``ordering_nulls_largest``, e.g. no end date) and those where
it means "nothing" (``ordering_nulls_smallest``, e.g. no value).
"""

from __future__ import annotations

from django.db.models import F
from rest_framework import filters


class NullsOrderingFilter(filters.OrderingFilter):
    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        largest = set(getattr(view, "ordering_nulls_largest", ()))
        smallest = set(getattr(view, "ordering_nulls_smallest", ()))
        terms = []
        for term in ordering:
            name, descending = term.lstrip("-"), term.startswith("-")
            if name in largest:
                terms.append(F(name).desc(nulls_first=True) if descending else F(name).asc(nulls_last=True))
            elif name in smallest:
                terms.append(F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_first=True))
            else:
                terms.append(term)
        return queryset.order_by(*terms)

"""Reads of discount rules."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from discounts.models import Discount
from ticketing.models import Item, SalesChannel


def with_relations(queryset: QuerySet[Discount]) -> QuerySet[Discount]:
    """Prefetch the product and channel lists: one query per list, whatever the number of rules."""
    return queryset.prefetch_related(
        Prefetch("condition_limit_products", queryset=Item.objects.only("id").order_by("id")),
        Prefetch("benefit_limit_products", queryset=Item.objects.only("id").order_by("id")),
        Prefetch(
            "limit_sales_channels",
            queryset=SalesChannel.objects.only("id", "identifier").order_by("identifier"),
        ),
    )

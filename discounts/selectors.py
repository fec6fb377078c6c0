"""Reads of discount rules."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from discounts.models import Discount
from ticketing.models import Event, Item, SalesChannel


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


def active_rules_for(event: Event) -> list[Discount]:
    """The event's active rules in application order ``(position, id)``, lists prefetched.

    The checkout turns them into engine inputs through ``Discount.condition_product_ids``,
    ``benefit_product_ids`` and ``sales_channel_identifiers`` (no further queries). Time
    window and sales channel are not filtered here: the engine decides with the checkout's
    ``now`` and channel (contract section 2, *which rules run*).
    """
    return list(with_relations(event.discounts.filter(active=True).order_by("position", "id")))

"""Plain data the order workflows pass around: positions (as asked for, before and after bundles)
and discount rules with their lists.

A cart, a ``POST orders/`` body and a price preview all become a list of
:class:`PositionSpec`; ``addon_to`` is the index of the parent in that list.
"""

from __future__ import annotations

from dataclasses import dataclass

from discounts.models import Discount


@dataclass(frozen=True, slots=True)
class PositionSpec:
    """One position. ``voucher`` is the normalised event-voucher code it carries (None: none).

    ``ref`` is the stored cart position's id when the spec comes from a cart.
    ``is_bundled`` positions are never asked for: they come from the parent
    item's bundle configuration (:func:`orders.catalog.with_bundles`).
    """

    item: int
    variation: int | None = None
    subevent: int | None = None
    addon_to: int | None = None
    is_bundled: bool = False
    voucher: str | None = None
    ref: int | None = None


@dataclass(frozen=True)
class LoadedRule:
    """A discount rule with its lists read (``orders.catalog.load_rules``): ``sales_channels`` is
    None when the rule is on every channel; a list a rule does not use is empty."""

    discount: Discount
    condition_products: frozenset[int] = frozenset()
    benefit_products: frozenset[int] = frozenset()
    sales_channels: frozenset[str] | None = None

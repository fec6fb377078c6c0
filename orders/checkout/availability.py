"""Whether the positions may be sold together now, on this channel (everything but quotas and codes).

Each refusal is a :class:`~core.errors.DomainError` with a stable code and the
index of the offending ``position`` in the request (or its cart position ``id``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from core.errors import DomainError
from orders.checkout.catalog import Catalog
from orders.checkout.draft import PositionSpec, refuse

#: ``unlocks(index, item_id)``: whether a code of the cart unlocks the hidden item of that position.
Unlocks = Callable[[int, int], bool]


def in_window(now: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or start <= now) and (end is None or now <= end)


def check_position(
    index: int,
    spec: PositionSpec,
    catalog: Catalog,
    *,
    channel: str,
    now: datetime,
    parent: PositionSpec | None,
    unlocks: Unlocks,
) -> None:
    """One position: the item, variation and date exist, are active, on sale now and on this channel."""
    event = catalog.event
    item = catalog.items.get(spec.item)
    if item is None:
        raise refuse("item_not_found", "There is no such item in this event.", index, spec)
    if spec.variation is None:
        if not spec.is_bundled and catalog.has_variations(item.pk):
            raise refuse("variation_required", "This item is sold in variations: choose one.", index, spec)
    else:
        variation = catalog.variations.get(spec.variation)
        if variation is None or variation.item_id != item.pk:
            raise refuse("variation_not_found", "There is no such variation of this item.", index, spec)
        if not variation.active and not spec.is_bundled:
            raise refuse("variation_inactive", "This variation is not sold.", index, spec)
    if event.has_subevents:
        if spec.subevent is None:
            raise refuse("subevent_required", "This event has several dates: choose one.", index, spec)
        date = catalog.subevents.get(spec.subevent)
        if date is None:
            raise refuse("subevent_not_found", "There is no such date in this event.", index, spec)
        if not date.active:
            raise refuse("subevent_inactive", "This date is not on sale.", index, spec)
        if not in_window(now, date.presale_start, date.presale_end):
            raise refuse("subevent_not_on_sale", "This date is not on sale now.", index, spec)
    elif spec.subevent is not None:
        raise refuse("subevent_not_allowed", "This event has no dates to choose from.", index, spec)
    if spec.is_bundled:
        return  # part of its parent's offer: sold whenever the parent is
    if not item.active:
        raise refuse("item_inactive", "This item is not sold.", index, spec)
    if not in_window(now, item.available_from, item.available_until) or not in_window(
        now, event.presale_start, event.presale_end
    ):
        raise refuse("item_not_on_sale", "This item is not on sale now.", index, spec)
    if not item.all_sales_channels and channel not in catalog.item_channels.get(item.pk, frozenset()):
        raise refuse("item_not_in_channel", "This item is not sold on this sales channel.", index, spec)
    if item.require_bundling:
        raise refuse("item_only_bundled", "This item is only sold as part of a bundle.", index, spec)
    if parent is None:
        if item.only_as_addon:
            raise refuse("item_only_addon", "This item is only sold as an add-on.", index, spec)
    else:
        offers = catalog.addon_offers.get(parent.item, {})
        if item.category_id not in offers:
            raise refuse("addon_not_offered", "The parent position does not offer this add-on.", index, spec)
        if spec.subevent != parent.subevent:
            raise refuse("addon_subevent_mismatch", "An add-on is for its parent's date.", index, spec)
    if item.hide_without_voucher and not unlocks(index, item.pk):
        raise refuse("item_hidden", "This item is only sold with a code that unlocks it.", index, spec)


def check_positions(
    positions: Sequence[PositionSpec],
    catalog: Catalog,
    *,
    channel: str,
    now: datetime,
    unlocks: Unlocks,
    checked: Collection[int],
    complete: bool,
) -> None:
    """Check the positions at the indices ``checked`` (bundled ones included, add-ons after their
    parents), and the counts (maxima per order and per parent) over all positions whenever one
    is checked. ``complete``: the positions are a whole order, so there must be one and minima
    apply too.
    """
    if complete and not positions:
        raise DomainError("An order needs at least one position.", code="cart_empty")
    for index in sorted(checked):
        spec = positions[index]
        parent = positions[spec.addon_to] if spec.addon_to is not None else None
        check_position(index, spec, catalog, channel=channel, now=now, parent=parent, unlocks=unlocks)
    if checked or complete:
        check_counts(positions, catalog, complete=complete)


def check_counts(positions: Sequence[PositionSpec], catalog: Catalog, *, complete: bool) -> None:
    per_item = Counter(p.item for p in positions if not p.is_bundled)
    for item_id, count in per_item.items():
        item = catalog.items[item_id]
        last = max(i for i, p in enumerate(positions) if p.item == item_id and not p.is_bundled)
        if item.max_per_order is not None and count > item.max_per_order:
            raise refuse(
                "max_per_order",
                f"At most {item.max_per_order} of this item per order.",
                last,
                positions[last],
                item=item_id,
                max_per_order=item.max_per_order,
            )
        if complete and item.min_per_order is not None and count < item.min_per_order:
            raise refuse(
                "min_per_order",
                f"At least {item.min_per_order} of this item per order.",
                last,
                positions[last],
                item=item_id,
                min_per_order=item.min_per_order,
            )
    per_parent: Counter[tuple[int, int | None]] = Counter()
    for spec in positions:
        if spec.addon_to is not None and not spec.is_bundled:
            per_parent[(spec.addon_to, catalog.items[spec.item].category_id)] += 1
    for index, spec in enumerate(positions):
        if spec.addon_to is not None:
            continue
        for category_id, offer in catalog.addon_offers.get(spec.item, {}).items():
            count = per_parent[(index, category_id)]
            if count > offer.max_count:
                raise refuse(
                    "addon_max_count",
                    f"At most {offer.max_count} add-ons of this kind per position.",
                    index,
                    spec,
                    category=category_id,
                    max_count=offer.max_count,
                )
            if complete and count < offer.min_count:
                raise refuse(
                    "addon_min_count",
                    f"At least {offer.min_count} add-ons of this kind per position.",
                    index,
                    spec,
                    category=category_id,
                    min_count=offer.min_count,
                )

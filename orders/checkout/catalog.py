"""Gathering the products and rules of a draft, in a fixed number of queries (the gather stage's reads).

:func:`load_catalog` fetches the items asked for (and the items their bundles
include), their variations, channels, add-on offers and bundles, and the dates
with their price overrides; everything else works on that in memory, so the
number of queries does not grow with the number of positions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from core import rawsql
from discounts.models import Discount
from orders.checkout.draft import PositionSpec
from ticketing.models import Event, Item, ItemAddOn, ItemBundle, ItemCategory, ItemVariation, Quota, SubEvent


@dataclass(frozen=True)
class LoadedRule:
    """A discount rule with its lists read (:func:`load_rules`): ``sales_channels`` is None when the
    rule is on every channel; a list a rule does not use is empty."""

    discount: Discount
    condition_products: frozenset[int] = frozenset()
    benefit_products: frozenset[int] = frozenset()
    sales_channels: frozenset[str] | None = None


@dataclass
class Catalog:
    event: Event
    items: dict[int, Item] = field(default_factory=dict)
    variations: dict[int, ItemVariation] = field(default_factory=dict)
    item_channels: dict[int, frozenset[str]] = field(default_factory=dict)
    #: base item → add-on category → offer
    addon_offers: dict[int, dict[int, ItemAddOn]] = field(default_factory=dict)
    bundles: dict[int, list[ItemBundle]] = field(default_factory=dict)
    subevents: dict[int, SubEvent] = field(default_factory=dict)
    item_overrides: dict[tuple[int, int], Decimal] = field(default_factory=dict)  # (date, item)
    variation_overrides: dict[tuple[int, int], Decimal] = field(default_factory=dict)  # (date, variation)

    def has_variations(self, item_id: int) -> bool:
        return any(v.item_id == item_id for v in self.variations.values())


def list_prices(positions: Sequence[PositionSpec], catalog: Catalog) -> list[Decimal]:
    """The list price of each position (docs/pricing.md, section 1, step 1), read once by the gather stage.

    A bundled position costs its bundle's designated price, an add-on whose offer
    includes the price costs 0. Otherwise the most specific price wins: the date's
    override of the variation, the variation's own price, the date's override of the
    item, the item's price.
    """
    return [
        list_price(catalog, p, positions[p.addon_to] if p.addon_to is not None else None) for p in positions
    ]


def list_price(catalog: Catalog, spec: PositionSpec, parent: PositionSpec | None) -> Decimal:
    if spec.is_bundled and parent is not None:
        for bundle in catalog.bundles.get(parent.item, ()):
            if bundle.bundled_item_id == spec.item and bundle.bundled_variation_id == spec.variation:
                return bundle.designated_price
    item = catalog.items[spec.item]
    if parent is not None and not spec.is_bundled:
        offer = catalog.addon_offers.get(parent.item, {}).get(item.category_id)
        if offer is not None and offer.price_included:
            return Decimal("0")
    date = spec.subevent
    if spec.variation is not None:
        if date is not None and (date, spec.variation) in catalog.variation_overrides:
            return catalog.variation_overrides[(date, spec.variation)]
        own = catalog.variations[spec.variation].default_price
        if own is not None:
            return own
    if date is not None and (date, spec.item) in catalog.item_overrides:
        return catalog.item_overrides[(date, spec.item)]
    return item.default_price


def load_catalog(event: Event, positions: Sequence[PositionSpec]) -> Catalog:
    """Items asked for and the items their bundles include, with everything checks and prices need.

    Unknown ids (or ids of another event) are simply absent from the result. Plain
    queries over the related tables (no prefetch machinery: this runs in every
    checkout); the sales channels only for items limited to some, the dates only for
    positions that have one.
    """
    catalog = Catalog(event=event)
    item_ids = {p.item for p in positions}
    if not item_ids:
        return catalog
    items, flags = _items(event, item_ids)
    with_bundles = [i.pk for i in items if flags[i.pk][0]]
    bundles = (
        rawsql.select(ItemBundle, f"base_item_id IN ({rawsql.placeholders(with_bundles)})", with_bundles,
                      order_by="id")
        if with_bundles else []
    )  # fmt: skip
    missing = {b.bundled_item_id for b in bundles} - {i.pk for i in items}
    if missing:
        more, more_flags = _items(event, missing)
        items += more
        flags.update(more_flags)
    for item in items:
        catalog.items[item.pk] = item
        catalog.addon_offers[item.pk] = {}
        catalog.bundles[item.pk] = []
        catalog.item_channels[item.pk] = frozenset()
    for bundle in bundles:
        catalog.bundles[bundle.base_item_id].append(bundle)
    # Most items have no variations or add-on offers: ask only about those that do.
    with_variations = [i.pk for i in items if flags[i.pk][1]]
    if with_variations:
        where = f"item_id IN ({rawsql.placeholders(with_variations)})"
        for variation in rawsql.select(ItemVariation, where, with_variations, order_by="position, id"):
            catalog.variations[variation.pk] = variation
    with_addons = [i.pk for i in items if flags[i.pk][2]]
    if with_addons:
        where = f"base_item_id IN ({rawsql.placeholders(with_addons)})"
        for offer in rawsql.select(ItemAddOn, where, with_addons, order_by="position, id"):
            catalog.addon_offers[offer.base_item_id][offer.addon_category_id] = offer
    limited = [item.pk for item in items if not item.all_sales_channels]
    if limited:
        channels: dict[int, set[str]] = {}
        rows = Item.limit_sales_channels.through.objects.filter(item_id__in=limited).values_list(
            "item_id", "saleschannel__identifier"
        )
        for item_id, identifier in rows:
            channels.setdefault(item_id, set()).add(identifier)
        catalog.item_channels.update({k: frozenset(v) for k, v in channels.items()})
    date_ids = {p.subevent for p in positions if p.subevent is not None}
    if date_ids:
        dates = SubEvent.objects.filter(event=event, pk__in=date_ids).prefetch_related(
            "item_overrides", "variation_overrides"
        )
        for date in dates:
            catalog.subevents[date.pk] = date
            for o in date.item_overrides.all():
                catalog.item_overrides[(date.pk, o.item_id)] = o.price
            for o in date.variation_overrides.all():
                catalog.variation_overrides[(date.pk, o.variation_id)] = o.price
    return catalog


def _items(event: Event, ids: Iterable[int]) -> tuple[list[Item], dict[int, tuple[bool, bool, bool]]]:
    """The event's items among ``ids`` with their category (``select_related``), in the items'
    order, and per item whether it has bundles, variations, add-on offers — one query."""
    ids = sorted(ids)
    item, category = rawsql.table(Item), rawsql.table(ItemCategory)
    sql = (
        f"SELECT {rawsql.columns(Item)}, {rawsql.columns(ItemCategory)},"
        f" EXISTS (SELECT 1 FROM {rawsql.table(ItemBundle)} b WHERE b.base_item_id = {item}.id),"
        f" EXISTS (SELECT 1 FROM {rawsql.table(ItemVariation)} v WHERE v.item_id = {item}.id),"
        f" EXISTS (SELECT 1 FROM {rawsql.table(ItemAddOn)} a WHERE a.base_item_id = {item}.id)"
        f" FROM {item} LEFT OUTER JOIN {category} ON {category}.id = {item}.category_id"
        f" WHERE {item}.event_id = %s AND {item}.id IN ({rawsql.placeholders(ids)})"
        f" ORDER BY {item}.position, {item}.id"
    )
    width = rawsql.width(Item)
    end = width + rawsql.width(ItemCategory)
    items, flags = [], {}
    for row in rawsql.fetch(sql, [event.pk, *ids]):
        obj = rawsql.instance(Item, row[:width])
        category_obj = rawsql.instance(ItemCategory, row[width:end]) if row[width] is not None else None
        rawsql.set_related(obj, "category", category_obj)
        items.append(obj)
        flags[obj.pk] = (bool(row[end]), bool(row[end + 1]), bool(row[end + 2]))
    return items, flags


def bundled_positions(parent: PositionSpec, parent_index: int, catalog: Catalog) -> list[PositionSpec]:
    """The bundled positions buying ``parent`` (at ``parent_index``) includes, from its item's bundles."""
    result = []
    for bundle in catalog.bundles.get(parent.item, ()):
        bundled = PositionSpec(
            item=bundle.bundled_item_id,
            variation=bundle.bundled_variation_id,
            subevent=parent.subevent,
            addon_to=parent_index,
            is_bundled=True,
        )
        result.extend([bundled] * bundle.count)
    return result


def with_bundles(positions: Sequence[PositionSpec], catalog: Catalog) -> list[PositionSpec]:
    """The positions with the bundled positions their items include, each right after its parent.

    Stored positions (with a ``ref``) are kept as they are, their bundled ones included.
    A position asked for as bundled is dropped (a bundle is always rebuilt from the
    configuration). ``addon_to`` indices are renumbered accordingly; the structure must
    have been checked (``orders.checkout.gather.check_structure``).
    """
    new_index: dict[int, int] = {}
    result: list[PositionSpec] = []
    for old_index, position in enumerate(positions):
        if position.is_bundled and position.ref is None:
            continue
        new_index[old_index] = len(result)
        if position.addon_to is not None:
            position = replace(position, addon_to=new_index[position.addon_to])
        result.append(position)
        if position.ref is None:
            result.extend(bundled_positions(position, new_index[old_index], catalog))
    return result


def quota_membership(
    event: Event, positions: Iterable[PositionSpec]
) -> tuple[dict[int, Quota], list[list[int]]]:
    """The quotas the positions draw from: ``({quota_id: quota}, [quota ids of each position])``.

    The sizes read here may be stale: the room is checked against the rows of
    :func:`ticketing.quotas.limited_quotas`, read again (under the locks) once it is known which to check.
    Two queries: the quota rows listing the items, and (when a position has a
    variation) which of those quotas list the variations.
    """
    positions = list(positions)
    item_ids = {p.item for p in positions}
    quotas: dict[int, Quota] = {}
    by_item: dict[int, list[Quota]] = {}
    if item_ids:
        ids = sorted(item_ids)
        quota, through = rawsql.table(Quota), rawsql.table(Quota.items.through)
        sql = (
            f"SELECT {through}.item_id, {rawsql.columns(Quota)} FROM {through}"
            f" JOIN {quota} ON {quota}.id = {through}.quota_id"
            f" WHERE {through}.item_id IN ({rawsql.placeholders(ids)}) AND {quota}.event_id = %s"
            f" ORDER BY {through}.id"
        )
        for item_id, *values in rawsql.fetch(sql, [*ids, event.pk]):
            row_quota = quotas.setdefault(values[0], rawsql.instance(Quota, values))
            by_item.setdefault(item_id, []).append(row_quota)
    variation_ids = {p.variation for p in positions if p.variation is not None}
    listed: set[tuple[int, int]] = set()
    if variation_ids and quotas:
        listed = set(
            Quota.variations.through.objects.filter(
                quota_id__in=quotas, itemvariation_id__in=variation_ids
            ).values_list("quota_id", "itemvariation_id")
        )
    membership = []
    for p in positions:
        membership.append(
            [
                q.pk
                for q in by_item.get(p.item, ())
                if q.subevent_id == p.subevent and (p.variation is None or (q.pk, p.variation) in listed)
            ]
        )
    return quotas, membership


def load_rules(event: Event) -> list[LoadedRule]:
    """The event's active rules in application order ``(position, id)`` with the lists they use.

    One query, plus one per kind of list that some rule actually uses (product limits,
    channel limits); the time window and channel are left to the engine.
    """
    rules = rawsql.select(Discount, "event_id = %s AND active", [event.pk], order_by="position, id")

    def lists(relation, ids: list[int], value: str) -> dict[int, frozenset]:
        if not ids:
            return {}
        found: dict[int, set] = {}
        rows = relation.through.objects.filter(discount_id__in=ids).values_list("discount_id", value)
        for discount_id, target in rows:
            found.setdefault(discount_id, set()).add(target)
        return {key: frozenset(values) for key, values in found.items()}

    conditions = lists(
        Discount.condition_limit_products, [r.pk for r in rules if not r.condition_all_products], "item_id"
    )
    benefits = lists(
        Discount.benefit_limit_products, [r.pk for r in rules if not r.benefit_same_products], "item_id"
    )
    channels = lists(
        Discount.limit_sales_channels, [r.pk for r in rules if not r.all_sales_channels],
        "saleschannel__identifier",
    )  # fmt: skip
    return [
        LoadedRule(
            discount=rule,
            condition_products=conditions.get(rule.pk, frozenset()),
            benefit_products=benefits.get(rule.pk, frozenset()),
            sales_channels=None if rule.all_sales_channels else channels.get(rule.pk, frozenset()),
        )
        for rule in rules
    ]

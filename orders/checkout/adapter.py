"""The one adapter between models and the pure pricing engine (``orders.pricing``).

Models and resolved codes go in; the engine's frozen dataclasses come out. Nothing
here reads the database or the clock: the gather stage loads everything first
(``orders.checkout.gather``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from functools import cache

from discounts.models import SubeventMode
from orders.checkout.catalog import Catalog, LoadedRule
from orders.checkout.draft import PositionSpec
from orders.pricing import (
    CartLine,
    Code,
    CodeMode,
    CodeScope,
    Currency,
    DateGrouping,
    PricedCart,
    PricedLine,
    Rule,
    price_cart,
    voucher_price,
)
from ticketing.currency import currency_places
from vouchers.choices import CodeKind
from vouchers.resolution import ResolvedCode

_ZERO = Decimal("0")

# The domain's names onto the engine's, written out: a new kind or mode fails here, not silently later.
SCOPES = {
    CodeKind.VOUCHER: CodeScope.POSITION,
    CodeKind.COUPON: CodeScope.ORDER,
    CodeKind.PROMO_CODE: CodeScope.ORDER,
}
GROUPINGS = {
    SubeventMode.MIXED: DateGrouping.MIXED,
    SubeventMode.SAME: DateGrouping.SAME,
    SubeventMode.DISTINCT: DateGrouping.DISTINCT,
}


def rule_from(loaded: LoadedRule) -> Rule:
    """A discount rule as the engine sees it."""
    discount = loaded.discount
    return Rule(
        id=discount.pk,
        position=discount.position,
        active=discount.active,
        sales_channels=loaded.sales_channels,
        available_from=discount.available_from,
        available_until=discount.available_until,
        subevent_mode=GROUPINGS[SubeventMode(discount.subevent_mode)],
        subevent_date_from=discount.subevent_date_from,
        subevent_date_until=discount.subevent_date_until,
        condition_all_products=discount.condition_all_products,
        condition_limit_products=loaded.condition_products,
        condition_apply_to_addons=discount.condition_apply_to_addons,
        condition_ignore_voucher_discounted=discount.condition_ignore_voucher_discounted,
        condition_min_count=discount.condition_min_count,
        condition_min_value=discount.condition_min_value,
        benefit_same_products=discount.benefit_same_products,
        benefit_limit_products=loaded.benefit_products,
        benefit_apply_to_addons=discount.benefit_apply_to_addons,
        benefit_ignore_voucher_discounted=discount.benefit_ignore_voucher_discounted,
        benefit_discount_matching_percent=discount.benefit_discount_matching_percent,
        benefit_only_apply_to_cheapest_n_matches=discount.benefit_only_apply_to_cheapest_n_matches,
    )


def code_from(resolved: ResolvedCode) -> Code:
    """A resolved code as the engine applies it (docs/pricing.md, section 3).

    A voucher's uses are checked before pricing (every position carrying it may
    use it), so only its budget limits it here; a coupon's remaining ticket
    allowance becomes ``max_tickets``.
    """
    scope = SCOPES[CodeKind(resolved.kind)]
    if scope == CodeScope.POSITION:
        return Code(
            key=resolved.code,
            scope=scope,
            mode=CodeMode(resolved.mode),
            value=resolved.value,
            budget=resolved.budget_remaining,
            event_ids=resolved.event_ids,
            item_ids=resolved.item_ids,
            all_addons_included=resolved.all_addons_included,
            all_bundles_included=resolved.all_bundles_included,
        )
    return Code(
        key=resolved.code,
        scope=scope,
        mode=CodeMode(resolved.mode),
        value=resolved.value,
        max_tickets=resolved.tickets_remaining,
        max_value=resolved.discount_max_value,
        event_ids=resolved.event_ids,
        item_ids=resolved.item_ids,
    )


@cache
def engine_currency(code: str) -> Currency:
    """An event's currency as the engine takes it: the code with its minor units from the ISO 4217 table."""
    return Currency(code, currency_places(code))


def voucher_saving(resolved: ResolvedCode, list_price: Decimal, currency: str) -> Decimal:
    """What the voucher would take off one position before any budget (to choose where it goes):
    the engine's own voucher price, so the choice and the price never disagree."""
    return list_price - voucher_price(code_from(resolved), list_price, engine_currency(currency))


def cart_lines(
    positions: Sequence[PositionSpec], prices: Sequence[Decimal], catalog: Catalog
) -> list[CartLine]:
    """The engine's lines, in order; a line's code is the voucher it carries (coupons need none)."""
    event_id = catalog.event.pk
    lines = []
    for spec, price in zip(positions, prices, strict=True):
        date = catalog.subevents.get(spec.subevent) if spec.subevent is not None else None
        lines.append(
            CartLine(
                item=spec.item,
                list_price=price,
                event=event_id,
                variation=spec.variation,
                subevent=spec.subevent,
                subevent_date_from=date.date_from if date is not None else None,
                addon_to=spec.addon_to,
                is_bundled=spec.is_bundled,
                code=spec.voucher,
            )
        )
    return lines


def price_positions(
    positions: Sequence[PositionSpec],
    prices: Sequence[Decimal],
    catalog: Catalog,
    *,
    rules: Sequence[LoadedRule],
    codes: Sequence[ResolvedCode],
    now: datetime,
    channel: str,
) -> PricedCart:
    """Price the positions through the engine: list price → codes → rules → totals; a position with a
    manual price keeps it (:func:`keep_manual_prices`)."""
    result = price_cart(
        cart_lines(positions, prices, catalog),
        [rule_from(rule) for rule in rules],
        [code_from(code) for code in codes],
        now=now,
        channel=channel,
        currency=engine_currency(catalog.event.currency),
    )
    if any(spec.price is not None for spec in positions):
        result = keep_manual_prices(result, positions)
    return result


def keep_manual_prices(result: PricedCart, positions: Sequence[PositionSpec]) -> PricedCart:
    """The engine's result with each manually priced line back at its price (its list price): no code
    and no rule changed it. Such a line still counted towards the rules' conditions (as in pretix);
    what a code or rule would have given it is given to nobody. Totals and each code's discount are
    summed again from the lines."""
    lines = []
    for spec, line in zip(positions, result.lines, strict=True):
        if spec.price is not None:
            line = PricedLine(
                list_price=line.list_price, codes=(), code_discount=_ZERO, line_price=line.list_price,
                rule=None, rule_discount=_ZERO, price=line.list_price,
            )  # fmt: skip
        lines.append(line)
    taken: dict[str, Decimal] = {}
    for line in lines:
        for share in line.codes:
            taken[share.code] = taken.get(share.code, _ZERO) + share.amount
    codes = tuple(replace(c, discount=taken.get(c.code, _ZERO)) for c in result.codes)
    list_total = sum((ln.list_price for ln in lines), _ZERO)
    code_total = sum((ln.code_discount for ln in lines), _ZERO)
    rule_total = sum((ln.rule_discount for ln in lines), _ZERO)
    return replace(
        result, lines=tuple(lines), list_total=list_total, code_discount_total=code_total,
        rule_discount_total=rule_total, total=list_total - code_total - rule_total, codes=codes,
    )  # fmt: skip

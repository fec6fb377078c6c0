"""The full pricing pipeline (contract, section 1): list price → code → rules → totals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from .codes import apply_codes
from .money import quantize, zero
from .rules import apply_rules
from .types import CartLine, Code, Position, PricedCart, PricedLine, Rule

__all__ = ["price_cart"]


def price_cart(
    lines: Sequence[CartLine],
    rules: Sequence[Rule],
    codes: Sequence[Code],
    *,
    now: datetime,
    channel: str,
    currency: str,
) -> PricedCart:
    """Price a cart: one :class:`PricedLine` per line, in order, plus totals.

    1. List price: ``line.list_price``, rounded to ``currency``.
    2. Code price: vouchers, then coupons and promo codes (section 3) give the
       *line price*; what a code took off is the position's voucher discount.
    3. Automatic rules (section 2) run over the line prices at ``now`` on
       sales channel ``channel``.
    4. Totals: sums of the rounded per-line figures (fees are not included).

    Pure: reads nothing but its arguments. Raises ``ValueError`` for a
    negative list price or a line naming a code that is not in ``codes``.
    """
    list_prices = []
    for index, line in enumerate(lines):
        if line.list_price < 0:
            raise ValueError(f"line {index}: negative list price {line.list_price}")
        list_prices.append(quantize(line.list_price, currency))
    if any(price != line.list_price for price, line in zip(list_prices, lines, strict=True)):
        # Later steps compare and split list prices: give them the rounded ones.
        lines = [replace(line, list_price=price) for line, price in zip(lines, list_prices, strict=True)]

    code_outcomes = apply_codes(lines, codes, currency=currency)
    nothing = zero(currency)
    positions = [
        Position(
            item=line.item,
            line_price=outcome.line_price,
            subevent=line.subevent,
            subevent_date_from=line.subevent_date_from,
            addon_to=line.addon_to,
            is_bundled=line.is_bundled,
            voucher_discount=max(outcome.discount, nothing),
        )
        for line, outcome in zip(lines, code_outcomes, strict=True)
    ]
    rule_outcomes = apply_rules(positions, rules, now=now, channel=channel, currency=currency)

    priced = tuple(
        PricedLine(
            list_price=list_price,
            code=code.code,
            code_discount=code.discount,
            line_price=code.line_price,
            rule=rule.rule,
            rule_discount=rule.discount,
            price=rule.price,
        )
        for list_price, code, rule in zip(list_prices, code_outcomes, rule_outcomes, strict=True)
    )
    return PricedCart(
        currency=currency,
        lines=priced,
        list_total=sum(list_prices, nothing),
        code_discount_total=sum((line.code_discount for line in priced), nothing),
        rule_discount_total=sum((line.rule_discount for line in priced), nothing),
        total=sum((line.price for line in priced), nothing),
    )

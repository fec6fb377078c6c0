"""The full pricing pipeline (docs/pricing.md, section 1): list price → code → rules → totals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from .codes import run_codes
from .money import Currency, quantize, zero
from .rules import CartColumns, run_rules
from .types import CartLine, Code, PricedCart, PricedLine, Rule

__all__ = ["price_cart"]


def price_cart(
    lines: Sequence[CartLine],
    rules: Sequence[Rule],
    codes: Sequence[Code],
    *,
    now: datetime,
    channel: str,
    currency: Currency,
) -> PricedCart:
    """Price a cart: one :class:`PricedLine` per line, in order, plus totals.

    1. List price: ``line.list_price``, rounded to ``currency``.
    2. Code price: vouchers, then coupons and promo codes stacked in the order
       given (sections 3, 3.1) give the *line price*; what the codes took off is
       the position's voucher discount.
    3. Automatic rules (section 2) run over the line prices at ``now`` on
       sales channel ``channel``.
    4. Totals: sums of the rounded per-line figures (fees are not included).

    Pure: reads nothing but its arguments. Raises ``ValueError`` for a
    negative list price or a line naming a code that is not in ``codes``.
    """
    list_prices = []
    rounded: dict[Decimal, Decimal] = {}  # carts repeat a handful of prices
    for index, line in enumerate(lines):
        price = rounded.get(line.list_price)
        if price is None:
            if line.list_price < 0:
                raise ValueError(f"line {index}: negative list price {line.list_price}")
            price = rounded[line.list_price] = quantize(line.list_price, currency)
        list_prices.append(price)
    applied = run_codes(lines, list_prices, codes, currency=currency)
    code_discounts = applied.discounts
    line_prices = [price - discount for price, discount in zip(list_prices, code_discounts, strict=True)]
    # Columns straight from the lines: no intermediate Position per line, which
    # matters for carts of thousands of positions.
    cart = CartColumns(
        prices=line_prices,
        items=[line.item for line in lines],
        dates=[line.subevent for line in lines],
        starts=[line.subevent_date_from for line in lines],
        addon_to=[line.addon_to for line in lines],
        # The voucher discount is never negative: a set voucher above the
        # list price is no discount.
        no_voucher=[discount <= 0 for discount in code_discounts],
    )
    visible = [i for i, line in enumerate(lines) if not line.is_bundled]
    new_prices, consumed_by = run_rules(cart, visible, rules, now=now, channel=channel, currency=currency)

    nothing = zero(currency)
    priced = []
    for i, (list_price, shares, code_discount, line_price) in enumerate(
        zip(list_prices, applied.shares, code_discounts, line_prices, strict=True)
    ):
        price = new_prices.get(i)
        if price is None:
            rule, rule_discount, price = None, nothing, line_price
        else:
            rule, rule_discount = consumed_by[i], line_price - price
        priced.append(PricedLine(list_price, shares, code_discount, line_price, rule, rule_discount, price))
    return PricedCart(
        currency=currency,
        lines=tuple(priced),
        list_total=sum(list_prices, nothing),
        code_discount_total=sum(code_discounts, nothing),
        rule_discount_total=sum((line.rule_discount for line in priced), nothing),
        total=sum((line.price for line in priced), nothing),
        codes=applied.results,
    )

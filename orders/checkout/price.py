"""Stage 3, price: the checked positions and codes through the one adapter to the pure engine.

What comes back is plain data (:class:`PricedView`) that the API renders and the
commit stage stores: each position with its price breakdown and the rule that
consumed it, the codes applied, the totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from config.errors import ConflictError
from discounts.models import Discount
from orders.checkout.adapter import price_positions
from orders.checkout.codes import AppliedCodes
from orders.checkout.draft import PositionSpec
from orders.checkout.gather import Gathered
from orders.pricing import PricedLine
from orders.pricing.money import quantize
from vouchers.resolution import ResolvedCode


@dataclass(frozen=True)
class PricedPosition:
    spec: PositionSpec
    line: PricedLine
    rule: Discount | None


@dataclass(frozen=True)
class PricedView:
    """Positions with their price breakdown, the totals, and the codes that were applied."""

    currency: str
    positions: list[PricedPosition]
    codes: list[ResolvedCode]
    list_total: Decimal
    code_discount_total: Decimal
    rule_discount_total: Decimal
    total: Decimal


class PriceChanged(ConflictError):
    code = "price_changed"
    default_detail = "The total is not the expected one any more; check the new price and confirm again."


def price(gathered: Gathered, applied: AppliedCodes) -> PricedView:
    """Price through the engine (list price → codes → rules → totals). When the draft names the
    total the customer saw and it differs: 409 ``price_changed`` with both totals."""
    rules = gathered.rules
    result = price_positions(
        applied.positions, gathered.prices, gathered.catalog, rules=rules, codes=applied.codes,
        now=gathered.now, channel=gathered.channel,
    )  # fmt: skip
    by_id = {rule.discount.pk: rule.discount for rule in rules}
    view = PricedView(
        currency=result.currency,
        positions=[
            PricedPosition(spec=spec, line=line, rule=by_id.get(line.rule) if line.rule else None)
            for spec, line in zip(applied.positions, result.lines, strict=True)
        ],
        codes=list(applied.codes),
        list_total=result.list_total,
        code_discount_total=result.code_discount_total,
        rule_discount_total=result.rule_discount_total,
        total=result.total,
    )
    expected = gathered.draft.expected_total
    if expected is not None:
        expected = quantize(expected, view.currency)
        if expected != view.total:
            raise PriceChanged(total=str(view.total), expected_total=str(expected))
    return view

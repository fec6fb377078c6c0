"""Stage 3, price: the checked positions and codes through the one adapter to the pure engine,
with the order service's decisions around it (``orders.checkout.decide``: codes that would make
the order dearer set aside, what each code saved, codes only partly applied). Then the fee lines the
caller added, and on the total so decided, what the gift cards pay (``orders.checkout.giftcards``)
and what is still due.

What comes back is plain data (:class:`PricedView`) that the API renders and the
commit stage stores: each position with its price breakdown (every code applied to it
and the rule that consumed it), the codes applied and set aside, the totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core.errors import ConflictError
from discounts.models import Discount
from orders.checkout.adapter import price_positions, voucher_saving
from orders.checkout.codes import AppliedCodes
from orders.checkout.decide import PartlyApplied, SetAside, decide
from orders.checkout.draft import FeeSpec, PositionSpec, refuse
from orders.checkout.gather import Gathered
from orders.checkout.giftcards import GiftCardShare, gift_card_shares
from orders.pricing import PricedLine
from orders.pricing.money import quantize
from vouchers.choices import CodeKind
from vouchers.resolution import ResolvedCode
from vouchers.resolution.types import CodeErrorCode


@dataclass(frozen=True)
class PricedPosition:
    spec: PositionSpec
    line: PricedLine
    rule: Discount | None


@dataclass(frozen=True)
class PricedView:
    """Positions with their price breakdown, the totals, the codes that were applied (what each
    took off: ``discounts``, and for coupons and promo codes what each saved: ``savings``, both by
    code text), those set aside, and the warnings; what each gift card pays of the total
    (``gift_cards``) and what is left to pay (``amount_due``). ``total`` includes the fee lines the
    caller added (``fees``, summing to ``fee_total``)."""

    currency: str
    positions: list[PricedPosition]
    codes: list[ResolvedCode]
    list_total: Decimal
    code_discount_total: Decimal
    rule_discount_total: Decimal
    total: Decimal
    discounts: dict[str, Decimal] = field(default_factory=dict)
    savings: dict[str, Decimal] = field(default_factory=dict)
    set_aside: list[SetAside] = field(default_factory=list)
    warnings: list[PartlyApplied] = field(default_factory=list)
    gift_cards: list[GiftCardShare] = field(default_factory=list)
    fees: tuple[FeeSpec, ...] = ()
    fee_total: Decimal = Decimal("0")

    @property
    def amount_due(self) -> Decimal:
        return self.total - sum((share.amount for share in self.gift_cards), Decimal("0"))

    @property
    def paid_by_gift_cards(self) -> bool:
        """Gift cards were given and they pay the whole total."""
        return bool(self.gift_cards) and self.amount_due == 0

    def applied_codes(self) -> list[CodeSummary]:
        """Each applied code, in application order, with what it took off (the engine's figure)
        and what it saved."""
        return [
            CodeSummary(code=code, discount=self.discounts[code.code], saving=self.savings.get(code.code))
            for code in self.codes
        ]


@dataclass(frozen=True)
class CodeSummary:
    """An applied code: what it took off the positions and, for a coupon or promo code, what it
    saved (the total without it minus the total with it; ``None`` for a voucher)."""

    code: ResolvedCode
    discount: Decimal
    saving: Decimal | None


class PriceChanged(ConflictError):
    code = "price_changed"
    default_detail = "The total is not the expected one any more; check the new price and confirm again."


def price(gathered: Gathered, applied: AppliedCodes, *, whole_order: bool = False) -> PricedView:
    """Price through the engine (list price → codes → rules → totals). When the draft names the
    total the customer saw and it differs: 409 ``price_changed`` with both totals. For a
    ``whole_order`` (an order is created), a position whose voucher's budget is spent before it is
    refused (:func:`check_budgets`)."""
    rules = gathered.rules

    def price_with(codes):
        return price_positions(
            applied.positions, gathered.prices, gathered.catalog, rules=rules, codes=codes,
            now=gathered.now, channel=gathered.channel,
        )  # fmt: skip

    decision = decide(
        applied.codes, price_with, keep=applied.unlocks_in_cart(gathered.catalog), partly=applied.partly
    )
    result = decision.result
    by_id = {rule.discount.pk: rule.discount for rule in rules}
    fees = gathered.draft.fees
    fee_total = quantize(sum((fee.value for fee in fees), Decimal("0")), result.currency)
    total = result.total + fee_total
    view = PricedView(
        currency=result.currency.code,
        positions=[
            PricedPosition(spec=spec, line=line, rule=by_id.get(line.rule) if line.rule else None)
            for spec, line in zip(applied.positions, result.lines, strict=True)
        ],
        codes=decision.codes,
        list_total=result.list_total,
        code_discount_total=result.code_discount_total,
        rule_discount_total=result.rule_discount_total,
        total=total,
        discounts={r.code: r.discount for r in result.codes},
        savings=decision.savings,
        set_aside=decision.set_aside,
        warnings=decision.warnings,
        gift_cards=gift_card_shares(applied.gift_cards, total, result.currency.code),
        fees=fees,
        fee_total=fee_total,
    )
    if whole_order:
        check_budgets(view, decision.codes)
    expected = gathered.draft.expected_total
    if expected is not None:
        expected = quantize(expected, result.currency)
        if expected != view.total:
            raise PriceChanged(total=str(view.total), expected_total=str(expected))
    return view


def check_budgets(view: PricedView, codes: list[ResolvedCode]) -> None:
    """A position carrying a voucher with a budget, to which the voucher would give a discount but
    whose budget the positions before it have spent, is refused (400 ``budget_exhausted`` naming the
    position), as pretix refuses it; one the budget still covers in part keeps the smaller discount."""
    budgeted = {
        code.code: code
        for code in codes
        if code.kind == CodeKind.VOUCHER and code.budget_remaining is not None
    }
    if not budgeted:
        return
    for index, priced in enumerate(view.positions):
        code = budgeted.get(priced.spec.voucher) if priced.spec.voucher else None
        if code is None:
            continue
        own = sum((s.amount for s in priced.line.codes if s.code == code.code), Decimal("0"))
        if own <= 0 < voucher_saving(code, priced.line.list_price, view.currency):
            raise refuse(
                CodeErrorCode.BUDGET_EXHAUSTED.value,
                f"The voucher's remaining budget of {code.budget_remaining} is spent by the positions "
                "before this one.",
                index, priced.spec, kind=code.kind.value, code_text=code.code,
            )  # fmt: skip

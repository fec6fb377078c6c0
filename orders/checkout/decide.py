"""The order service's decisions around the engine (docs/pricing.md, section 3.2), part of the
price stage and the same for a preview, a priced cart, a cart change and an order.

- **A discount code never makes the order dearer.** A coupon or promo code whose removal
  (everything else the same) gives a lower total is set aside: not applied, not redeemed,
  listed with ``not_beneficial`` and the total it would have given. Codes are examined one at
  a time, the most recently added first, until setting aside no further code lowers the total.
  If the total is then still above the total without any of them (codes that lose a rule only
  together), the most recently added is set aside and the examination starts again: the order
  never costs more than it would without coupons and promo codes.
  A code that unlocks a hidden item of the cart is never set aside; vouchers never are (a
  ``set`` voucher may raise a price on purpose, as in pretix).
- **What a code saved.** For each applied coupon or promo code: the total with it set aside
  minus the total with it. With automatic rules after the codes this differs from what the code
  took off the positions.
- **Partly applied.** A code whose remaining ticket allowance reached fewer of its eligible
  positions than the cart has gets a ``partly_applied`` warning.

The engine stays a pure function of what it is handed: this module only chooses which codes to
hand it, through ``price_with``, and reads its answers. Each subset of codes is priced once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from orders.pricing import PricedCart
from vouchers.choices import CodeKind
from vouchers.resolution import ResolvedCode

NOT_BENEFICIAL = "not_beneficial"
PARTLY_APPLIED = "partly_applied"


@dataclass(frozen=True)
class SetAside:
    """A code that was not applied, and why: with it the total would have been ``total_with``."""

    code: ResolvedCode
    total_with: Decimal
    reason: str = NOT_BENEFICIAL


@dataclass(frozen=True)
class PartlyApplied:
    """A code that reached ``discounted`` of the ``eligible`` positions it could have changed."""

    code: ResolvedCode
    discounted: int
    eligible: int
    reason: str = PARTLY_APPLIED


@dataclass(frozen=True)
class Decision:
    """The priced cart with the applied codes, in order; those set aside; each applied order-wide
    code's saving (by code text); the warnings."""

    result: PricedCart
    codes: list[ResolvedCode]
    set_aside: list[SetAside]
    savings: dict[str, Decimal]
    warnings: list[PartlyApplied]


def decide(
    codes: Sequence[ResolvedCode],
    price_with: Callable[[Sequence[ResolvedCode]], PricedCart],
    *,
    keep: Callable[[ResolvedCode], bool],
    partly: dict[str, tuple[int, int]] | None = None,
) -> Decision:
    """Price with ``codes`` (in the order the engine applies them), setting aside what makes the
    order dearer. ``keep(code)``: the code is never set aside (it unlocks an item of the cart).
    ``partly``: vouchers the check stage attached to fewer positions than could take them, as
    code text → (attached, eligible)."""
    priced: dict[tuple[str, ...], PricedCart] = {}

    def total_of(applied: Sequence[ResolvedCode]) -> PricedCart:
        key = tuple(code.code for code in applied)
        result = priced.get(key)
        if result is None:
            result = priced[key] = price_with(applied)
        return result

    applied = list(codes)
    result = total_of(applied)
    set_aside: list[SetAside] = []

    def may_go(code: ResolvedCode) -> bool:
        return order_wide(code) and not keep(code)

    def removable() -> list[ResolvedCode]:
        """The codes that may be set aside, the most recently added first."""
        return [c for c in reversed(applied) if may_go(c)]

    # Without any code that may be set aside: the total no decision may leave the order above.
    fixed = [c for c in applied if not may_go(c)]
    while True:
        for code in removable():
            without = [c for c in applied if c is not code]
            cheaper = total_of(without)
            if cheaper.total < result.total:
                set_aside.append(SetAside(code=code, total_with=result.total))
                applied, result = without, cheaper
                break  # the most recently added of what is left is examined first again
        else:
            # No single code lowers the total by going. Two codes can still together lose a rule
            # that neither loses alone (two 1 % codes under a "from 100.00" rule): while the total
            # is above the floor, the most recently added goes, and the search starts again.
            if result.total <= total_of(fixed).total:
                break
            code = removable()[0]
            set_aside.append(SetAside(code=code, total_with=result.total))
            applied = [c for c in applied if c is not code]
            result = total_of(applied)
    savings = {
        code.code: total_of([c for c in applied if c is not code]).total - result.total
        for code in applied
        if order_wide(code)
    }
    return Decision(
        result=result,
        codes=applied,
        set_aside=set_aside,
        savings=savings,
        warnings=warnings_of(applied, result, partly or {}),
    )


def order_wide(code: ResolvedCode) -> bool:
    return code.kind != CodeKind.VOUCHER


def warnings_of(
    applied: Sequence[ResolvedCode], result: PricedCart, partly: dict[str, tuple[int, int]]
) -> list[PartlyApplied]:
    """``partly_applied`` for each code, in application order, that reached fewer positions than
    were eligible for it."""
    reached = {r.code: (r.discounted, r.eligible) for r in result.codes if r.discounted < r.eligible}
    warnings = []
    for code in applied:
        counts = partly.get(code.code) if code.kind == CodeKind.VOUCHER else reached.get(code.code)
        if counts is not None:
            warnings.append(PartlyApplied(code=code, discounted=counts[0], eligible=counts[1]))
    return warnings

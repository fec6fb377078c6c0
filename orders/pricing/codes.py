"""Codes: vouchers, coupons and promo codes (docs/pricing.md, sections 3 and 3.1).

Vouchers go first, position by position, from the list price. Then each coupon or
promo code, in the order given (the order they were added to the cart), computes one
discount D over its eligible positions' *current* prices (what the codes before it
left) and splits it by those prices: combinable order-wide codes stack. What the codes
took off a position, summed, is that position's *voucher discount* for the automatic
rules (section 2).

Which line a code may change:

* a **voucher** changes the lines that carry its key (and, with its
  ``all_addons_included`` / ``all_bundles_included`` flags, the add-ons /
  bundled positions of those lines that carry no code, which cost 0);
* a **coupon / promo code** may change lines that carry its key or no code at
  all, that are not bundled, not changed by a voucher, and are of an allowed
  event and item; a line an earlier coupon or promo code changed stays eligible.

Choosing which codes may be combined, setting aside a code that would make the order
dearer, and counting redemptions are the order service's job; the engine only applies
what it is handed.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .money import Currency, allocate, percent_of, percent_off, quantize, zero
from .types import CartLine, Code, CodeMode, CodeResult, CodeScope, CodeShare

__all__ = ["CodeOutcome", "apply_codes", "run_codes", "voucher_price"]

_VOUCHER_MODES = frozenset({CodeMode.NONE, CodeMode.SET, CodeMode.SUBTRACT, CodeMode.PERCENT})
_ORDER_MODES = frozenset({CodeMode.NONE, CodeMode.PERCENT, CodeMode.FIX, CodeMode.FIX_PER_ITEM})
_NONE: tuple[CodeShare, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeOutcome:
    """What codes did to one line.

    ``line_price = list_price − discount``. ``codes`` lists each code applied to the
    line with its amount, in application order; ``discount`` is their sum. It is
    negative only for a ``set`` voucher above the list price; the *voucher discount*
    the rules see is ``max(discount, 0)``.
    """

    codes: tuple[CodeShare, ...]
    discount: Decimal
    line_price: Decimal

    @property
    def code(self) -> str | None:
        return self.codes[0].code if self.codes else None


def apply_codes(lines: Sequence[CartLine], codes: Sequence[Code], *, currency: Currency) -> list[CodeOutcome]:
    """Apply ``codes`` to ``lines``; list prices are rounded to ``currency`` first.

    Raises ``ValueError`` when a line names a code that is not in ``codes``,
    a key is given twice, or a code's mode does not fit its scope.
    """
    list_prices = [quantize(line.list_price, currency) for line in lines]
    applied = run_codes(lines, list_prices, codes, currency=currency)
    return [
        CodeOutcome(shares, discount, price - discount)
        for price, shares, discount in zip(list_prices, applied.shares, applied.discounts, strict=True)
    ]


def voucher_price(code: Code, list_price: Decimal, currency: Currency) -> Decimal:
    """The price a voucher gives a position of ``list_price`` (rounded to ``currency``), before its
    budget (docs/pricing.md, section 3): ``set`` → its value (which may be above the list price),
    ``subtract`` → the list price less the value, never below 0, ``percent`` → the list price less
    the percentage, rounded half up; ``none`` or no value → the list price."""
    value = code.value
    if value is None or code.mode == CodeMode.NONE:
        return list_price
    if code.mode == CodeMode.SET:
        return quantize(value, currency)
    if code.mode == CodeMode.SUBTRACT:
        return max(quantize(list_price - value, currency), zero(currency))
    return percent_off(list_price, value, currency)


@dataclass(frozen=True, slots=True)
class AppliedColumns:
    """:func:`run_codes`' answer as columns: per line the codes' shares and their sum; per code
    its :class:`CodeResult`, in application order."""

    shares: list[tuple[CodeShare, ...]]
    discounts: list[Decimal]
    results: tuple[CodeResult, ...]


def run_codes(
    lines: Sequence[CartLine], list_prices: Sequence[Decimal], codes: Sequence[Code], *, currency: Currency
) -> AppliedColumns:
    """:func:`apply_codes` as columns: the engine's fast path.

    ``list_prices[i]`` is line i's list price already rounded to ``currency``.
    """
    by_key: dict[str, Code] = {}
    for code in codes:
        if code.key in by_key:
            raise ValueError(f"code {code.key!r} given twice")
        allowed = _VOUCHER_MODES if code.scope == CodeScope.POSITION else _ORDER_MODES
        if code.mode not in allowed:
            raise ValueError(
                f"code {code.key!r}: mode {code.mode} does not apply to a code of scope {code.scope}"
            )
        by_key[code.key] = code
    for index, line in enumerate(lines):
        if line.code is not None and line.code not in by_key:
            raise ValueError(f"line {index} carries unknown code {line.code!r}")

    state = _Codes(lines, list_prices, currency)
    results = [state.apply_voucher(code) for code in codes if code.scope == CodeScope.POSITION]
    results += [state.apply_order_code(code) for code in codes if code.scope == CodeScope.ORDER]
    return AppliedColumns(shares=state.shares, discounts=state.discounts, results=tuple(results))


def _in_scope(code: Code, line: CartLine) -> bool:
    return (code.event_ids is None or line.event in code.event_ids) and (
        code.item_ids is None or line.item in code.item_ids
    )


class _Codes:
    """The running state of one cart's codes: which codes took how much off each line.

    ``prices`` are the list prices; ``discounts[i]`` is what the codes took off line i so
    far, so ``prices[i] − discounts[i]`` is its current price; ``vouchered[i]`` says a
    voucher changed it (no order-wide code may then).
    """

    def __init__(self, lines: Sequence[CartLine], prices: Sequence[Decimal], currency: Currency) -> None:
        self.lines = lines
        self.prices = prices
        self.currency = currency
        self.zero = zero(currency)
        self.shares: list[tuple[CodeShare, ...]] = [_NONE] * len(lines)
        self.discounts: list[Decimal] = [self.zero] * len(lines)
        self.vouchered: list[bool] = [False] * len(lines)
        self.made: dict[tuple[str, Decimal], CodeShare] = {}

    def money(self, amount: Decimal) -> Decimal:
        return quantize(amount, self.currency)

    def take(self, i: int, key: str, amount: Decimal) -> None:
        # Carts repeat a handful of amounts: one (frozen) share object per code and amount.
        share = self.made.get((key, amount))
        if share is None:
            share = self.made[key, amount] = CodeShare(key, amount)
        had = self.shares[i]
        self.shares[i] = (*had, share) if had else (share,)
        self.discounts[i] += amount

    def apply_voucher(self, code: Code) -> CodeResult:
        prices = self.prices
        carrying = [i for i, line in enumerate(self.lines) if line.code == code.key and _in_scope(code, line)]
        eligible = len(carrying)
        if code.max_tickets is not None and len(carrying) > code.max_tickets:
            # As far as uses remain, the voucher goes to the largest savings
            # (docs/codes.md, "Voucher behaviour: applying a voucher to a whole cart"); ties: earlier.
            def saving(i: int) -> tuple[Decimal, int]:
                return (voucher_price(code, prices[i], self.currency) - prices[i], i)

            carrying = sorted(heapq.nsmallest(max(code.max_tickets, 0), carrying, key=saving))
        budget = None if code.budget is None else max(self.money(code.budget), self.zero)
        total = self.zero
        for i in carrying:
            discount = prices[i] - voucher_price(code, prices[i], self.currency)
            if budget is not None and discount > 0:
                # The budget shrinks the discount, it never refuses the voucher.
                discount = min(discount, budget)
                budget -= discount
            self.take(i, code.key, discount)
            self.vouchered[i] = True
            total += discount
        if code.all_addons_included or code.all_bundles_included:
            total += self.include_children(code, set(carrying))
        return CodeResult(code.key, total, eligible, len(carrying))

    def include_children(self, code: Code, parents: set[int]) -> Decimal:
        """Add-ons / bundled positions of the voucher's lines cost 0; what that took off.

        They are attributed to the voucher but do not use its budget: only the
        voucher's own discount counts (docs/codes.md, "Voucher behaviour: budget").
        """
        total = self.zero
        for i, line in enumerate(self.lines):
            if line.addon_to not in parents or line.code is not None or self.shares[i]:
                continue
            if code.all_bundles_included if line.is_bundled else code.all_addons_included:
                self.take(i, code.key, self.prices[i])
                self.vouchered[i] = True
                total += self.prices[i]
        return total

    def apply_order_code(self, code: Code) -> CodeResult:
        vouchered = self.vouchered
        eligible = [
            i
            for i, line in enumerate(self.lines)
            if not vouchered[i]
            and not line.is_bundled
            and (line.code is None or line.code == code.key)
            and _in_scope(code, line)
        ]
        count = len(eligible)
        list_prices, discounts = self.prices, self.discounts
        current = [list_prices[i] - discounts[i] for i in eligible]
        if code.max_tickets is not None and count > code.max_tickets:
            chosen = self.take_dearest(eligible, current, code.max_tickets)
            current = [list_prices[i] - discounts[i] for i in chosen]
            eligible = chosen
        if not eligible:
            return CodeResult(code.key, self.zero, count, 0)
        prices = current
        value = self.zero if code.value is None else self.money(code.value)
        if code.mode == CodeMode.FIX_PER_ITEM:
            shares = [max(min(value, price), self.zero) for price in prices]
            if code.budget is not None:
                shares = self.within_budget(shares, code.budget)
        else:
            total = sum(prices, self.zero)
            if code.mode == CodeMode.PERCENT:
                amount = percent_of(total, code.value or self.zero, self.currency)
                if code.max_value is not None:
                    amount = min(amount, self.money(code.max_value))
            elif code.mode == CodeMode.FIX:
                amount = min(value, total)
            else:
                amount = self.zero
            if code.budget is not None:
                amount = min(amount, self.money(code.budget))
            # Never more than is left: a position goes no lower than 0.
            shares = allocate(min(max(amount, self.zero), total), prices, self.currency)
        for i, share in zip(eligible, shares, strict=True):
            self.take(i, code.key, share)
        return CodeResult(code.key, sum(shares, self.zero), count, len(eligible))

    def take_dearest(self, indices: list[int], prices: list[Decimal], allowance: int) -> list[int]:
        """``allowance`` of ``indices`` (``prices``: their current prices, in the same order):
        highest current price first, ties to the earlier line.

        The result is back in cart order, so that later steps (budget,
        allocation ties) go by position. ``nsmallest`` keeps this O(n log k)
        for an allowance of k tickets.
        """
        ranked = heapq.nsmallest(max(allowance, 0), range(len(indices)), key=lambda k: (-prices[k], k))
        return [indices[k] for k in sorted(ranked)]

    def within_budget(self, shares: list[Decimal], budget: Decimal) -> list[Decimal]:
        """Per-position discounts in cart order, each shrunk to what is left of the budget."""
        left = max(self.money(budget), self.zero)
        kept = []
        for share in shares:
            share = min(share, left)
            left -= share
            kept.append(share)
        return kept

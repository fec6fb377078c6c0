"""Codes: vouchers, coupons and promo codes (contract, section 3).

Each position is changed by at most one code. Vouchers go first, position by
position; then each coupon or promo code, in the order given, computes one
discount D over its eligible positions and splits it. The amount a code took
off a position becomes that position's *voucher discount* for the automatic
rules (section 2).

Which line a code may change:

* a **voucher** changes the lines that carry its key (and, with its
  ``all_addons_included`` / ``all_bundles_included`` flags, the add-ons /
  bundled positions of those lines that carry no code, which cost 0);
* a **coupon / promo code** may change lines that carry its key or no code at
  all, that are not bundled, not already changed by another code, and are of
  an allowed event and item.

Choosing which codes may be combined, and counting redemptions, is the order
service's job; the engine only applies what it is handed.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .money import allocate, percent_of, percent_off, quantize, zero
from .types import CartLine, Code, CodeKind, CodeMode

__all__ = ["CodeOutcome", "apply_codes", "run_codes"]

_VOUCHER_MODES = frozenset({CodeMode.NONE, CodeMode.SET, CodeMode.SUBTRACT, CodeMode.PERCENT})
_ORDER_MODES = frozenset({CodeMode.NONE, CodeMode.PERCENT, CodeMode.FIX, CodeMode.FIX_PER_ITEM})


@dataclass(frozen=True, slots=True)
class CodeOutcome:
    """What codes did to one line.

    ``line_price = list_price − discount``. ``code`` is the key of the code
    that changed the line, or ``None``. ``discount`` is negative only for a
    ``set`` voucher above the list price; the *voucher discount* the rules see
    is ``max(discount, 0)``.
    """

    code: str | None
    discount: Decimal
    line_price: Decimal


def apply_codes(lines: Sequence[CartLine], codes: Sequence[Code], *, currency: str) -> list[CodeOutcome]:
    """Apply ``codes`` to ``lines``; list prices are rounded to ``currency`` first.

    Raises ``ValueError`` when a line names a code that is not in ``codes``,
    a key is given twice, or a code's mode does not fit its kind.
    """
    list_prices = [quantize(line.list_price, currency) for line in lines]
    applied, discounts = run_codes(lines, list_prices, codes, currency=currency)
    return [
        CodeOutcome(key, discount, price - discount)
        for price, key, discount in zip(list_prices, applied, discounts, strict=True)
    ]


def run_codes(
    lines: Sequence[CartLine], list_prices: Sequence[Decimal], codes: Sequence[Code], *, currency: str
) -> tuple[list[str | None], list[Decimal]]:
    """:func:`apply_codes` as two columns, code key and discount per line: the engine's fast path.

    ``list_prices[i]`` is line i's list price already rounded to ``currency``.
    """
    by_key: dict[str, Code] = {}
    for code in codes:
        if code.key in by_key:
            raise ValueError(f"code {code.key!r} given twice")
        allowed = _VOUCHER_MODES if code.kind == CodeKind.VOUCHER else _ORDER_MODES
        if code.mode not in allowed:
            raise ValueError(f"code {code.key!r}: mode {code.mode} does not apply to a {code.kind}")
        by_key[code.key] = code
    for index, line in enumerate(lines):
        if line.code is not None and line.code not in by_key:
            raise ValueError(f"line {index} carries unknown code {line.code!r}")

    state = _Codes(lines, list_prices, currency)
    for code in codes:
        if code.kind == CodeKind.VOUCHER:
            state.apply_voucher(code)
    for code in codes:
        if code.kind != CodeKind.VOUCHER:
            state.apply_order_code(code)
    return state.applied, state.discounts


def _in_scope(code: Code, line: CartLine) -> bool:
    return (code.event_ids is None or line.event in code.event_ids) and (
        code.item_ids is None or line.item in code.item_ids
    )


class _Codes:
    """The running state of one cart's codes: which code took how much off each line."""

    def __init__(self, lines: Sequence[CartLine], prices: Sequence[Decimal], currency: str) -> None:
        self.lines = lines
        self.prices = prices
        self.currency = currency
        self.zero = zero(currency)
        self.applied: list[str | None] = [None] * len(lines)
        self.discounts: list[Decimal] = [self.zero] * len(lines)

    def money(self, amount: Decimal) -> Decimal:
        return quantize(amount, self.currency)

    def voucher_price(self, code: Code, list_price: Decimal) -> Decimal:
        """The price a voucher gives ``list_price``, before its budget."""
        value = code.value
        if value is None or code.mode == CodeMode.NONE:
            return list_price
        if code.mode == CodeMode.SET:
            return self.money(value)  # may be above the list price
        if code.mode == CodeMode.SUBTRACT:
            return max(self.money(list_price - value), self.zero)
        return percent_off(list_price, value, self.currency)

    def apply_voucher(self, code: Code) -> None:
        prices = self.prices
        carrying = [i for i, line in enumerate(self.lines) if line.code == code.key and _in_scope(code, line)]
        if code.max_tickets is not None and len(carrying) > code.max_tickets:
            # As far as uses remain, the voucher goes to the largest savings
            # (VOUCHERS.md, "Applying a voucher to a whole cart"); ties: earlier.
            def saving(i: int) -> tuple[Decimal, int]:
                return (self.voucher_price(code, prices[i]) - prices[i], i)

            carrying = sorted(heapq.nsmallest(max(code.max_tickets, 0), carrying, key=saving))
        budget = None if code.budget is None else max(self.money(code.budget), self.zero)
        for i in carrying:
            discount = prices[i] - self.voucher_price(code, prices[i])
            if budget is not None and discount > 0:
                # The budget shrinks the discount, it never refuses the voucher.
                discount = min(discount, budget)
                budget -= discount
            self.applied[i] = code.key
            self.discounts[i] = discount
        if code.all_addons_included or code.all_bundles_included:
            self.include_children(code, set(carrying))

    def include_children(self, code: Code, parents: set[int]) -> None:
        """Add-ons / bundled positions of the voucher's lines cost 0.

        They are attributed to the voucher but do not use its budget: only the
        voucher's own discount counts (VOUCHERS.md, "Budget").
        """
        for i, line in enumerate(self.lines):
            if line.addon_to not in parents or line.code is not None or self.applied[i] is not None:
                continue
            if code.all_bundles_included if line.is_bundled else code.all_addons_included:
                self.applied[i] = code.key
                self.discounts[i] = self.prices[i]

    def apply_order_code(self, code: Code) -> None:
        applied = self.applied
        eligible = [
            i
            for i, line in enumerate(self.lines)
            if applied[i] is None
            and not line.is_bundled
            and (line.code is None or line.code == code.key)
            and _in_scope(code, line)
        ]
        eligible = self.take_dearest(eligible, code.max_tickets)
        if not eligible:
            return
        prices = [self.prices[i] for i in eligible]
        value = self.zero if code.value is None else self.money(code.value)
        if code.mode == CodeMode.FIX_PER_ITEM:
            shares = [min(value, price) for price in prices]
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
            shares = allocate(max(amount, self.zero), prices, self.currency)
        for i, share in zip(eligible, shares, strict=True):
            applied[i] = code.key
            self.discounts[i] = share

    def take_dearest(self, indices: list[int], allowance: int | None) -> list[int]:
        """At most ``allowance`` of ``indices``: highest list price first, ties to the earlier line.

        The result is back in cart order, so that later steps (budget,
        allocation ties) go by position. ``nsmallest`` keeps this O(n log k)
        for an allowance of k tickets.
        """
        if allowance is None or len(indices) <= allowance:
            return indices
        prices = self.prices
        return sorted(heapq.nsmallest(max(allowance, 0), indices, key=lambda i: (-prices[i], i)))

    def within_budget(self, shares: list[Decimal], budget: Decimal) -> list[Decimal]:
        """Per-position discounts in cart order, each shrunk to what is left of the budget."""
        left = max(self.money(budget), self.zero)
        kept = []
        for share in shares:
            share = min(share, left)
            left -= share
            kept.append(share)
        return kept

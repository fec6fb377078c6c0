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

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .money import allocate, percent_of, percent_off, quantize, zero
from .types import CartLine, Code, CodeKind, CodeMode

__all__ = ["CodeOutcome", "apply_codes"]

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
    """Apply ``codes`` to ``lines`` (list prices already in ``currency`` units).

    Raises ``ValueError`` when a line names a code that is not in ``codes``,
    a key is given twice, or a code's mode does not fit its kind.
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

    nothing = zero(currency)
    applied: list[str | None] = [None] * len(lines)
    discounts: list[Decimal] = [nothing] * len(lines)
    for code in codes:
        if code.kind == CodeKind.VOUCHER:
            _apply_voucher(code, lines, applied, discounts, currency)
    for code in codes:
        if code.kind != CodeKind.VOUCHER:
            _apply_order_code(code, lines, applied, discounts, currency)
    return [
        CodeOutcome(key, discount, line.list_price - discount)
        for line, key, discount in zip(lines, applied, discounts, strict=True)
    ]


def _in_scope(code: Code, line: CartLine) -> bool:
    return (code.event_ids is None or line.event in code.event_ids) and (
        code.item_ids is None or line.item in code.item_ids
    )


def _take_dearest(indices: list[int], lines: Sequence[CartLine], allowance: int | None) -> list[int]:
    """At most ``allowance`` of ``indices``: highest list price first, ties to the earlier line.

    The result is back in cart order, so that later steps (budget, allocation
    ties) go by position.
    """
    if allowance is None or len(indices) <= allowance:
        return indices
    if allowance <= 0:
        return []
    chosen = sorted(indices, key=lambda i: (-lines[i].list_price, i))[:allowance]
    return sorted(chosen)


def _voucher_price(code: Code, list_price: Decimal, currency: str) -> Decimal:
    value = code.value
    if value is None or code.mode == CodeMode.NONE:
        return list_price
    if code.mode == CodeMode.SET:
        return quantize(value, currency)  # may be above the list price
    if code.mode == CodeMode.SUBTRACT:
        return max(quantize(list_price - value, currency), zero(currency))
    return percent_off(list_price, value, currency)


def _apply_voucher(
    code: Code,
    lines: Sequence[CartLine],
    applied: list[str | None],
    discounts: list[Decimal],
    currency: str,
) -> None:
    carrying = [i for i, line in enumerate(lines) if line.code == code.key and _in_scope(code, line)]
    if code.max_tickets is not None and len(carrying) > code.max_tickets:
        # As far as uses remain, the voucher goes to the largest savings
        # (VOUCHERS.md, "Applying a voucher to a whole cart").
        def saving(i: int) -> tuple[Decimal, int]:
            return (-(lines[i].list_price - _voucher_price(code, lines[i].list_price, currency)), i)

        carrying = sorted(sorted(carrying, key=saving)[: max(code.max_tickets, 0)])
    budget = code.budget
    for i in carrying:
        list_price = lines[i].list_price
        discount = list_price - _voucher_price(code, list_price, currency)
        if budget is not None and discount > 0:
            # The budget shrinks the discount, it never refuses the voucher.
            discount = min(discount, max(budget, zero(currency)))
            budget -= discount
        applied[i] = code.key
        discounts[i] = discount
    if code.all_addons_included or code.all_bundles_included:
        _include_children(code, carrying, lines, applied, discounts)


def _include_children(
    code: Code,
    parents: list[int],
    lines: Sequence[CartLine],
    applied: list[str | None],
    discounts: list[Decimal],
) -> None:
    """Add-ons / bundled positions of the voucher's lines cost 0.

    They are attributed to the voucher but do not use its budget: only the
    voucher's own discount counts (VOUCHERS.md, "Budget").
    """
    parent_set = set(parents)
    for i, line in enumerate(lines):
        if line.addon_to not in parent_set or line.code is not None or applied[i] is not None:
            continue
        if code.all_bundles_included if line.is_bundled else code.all_addons_included:
            applied[i] = code.key
            discounts[i] = line.list_price


def _apply_order_code(
    code: Code,
    lines: Sequence[CartLine],
    applied: list[str | None],
    discounts: list[Decimal],
    currency: str,
) -> None:
    eligible = [
        i
        for i, line in enumerate(lines)
        if applied[i] is None
        and not line.is_bundled
        and (line.code is None or line.code == code.key)
        and _in_scope(code, line)
    ]
    eligible = _take_dearest(eligible, lines, code.max_tickets)
    if not eligible:
        return
    prices = [lines[i].list_price for i in eligible]
    value = code.value if code.value is not None else zero(currency)
    if code.mode == CodeMode.FIX_PER_ITEM:
        shares = [min(quantize(value, currency), price) for price in prices]
        if code.budget is not None:
            shares = _within_budget(shares, code.budget, currency)
    else:
        total = sum(prices, zero(currency))
        if code.mode == CodeMode.PERCENT:
            amount = percent_of(total, value, currency)
            if code.max_value is not None:
                amount = min(amount, code.max_value)
        elif code.mode == CodeMode.FIX:
            amount = min(quantize(value, currency), total)
        else:
            amount = zero(currency)
        if code.budget is not None:
            amount = min(amount, code.budget)
        shares = allocate(max(amount, zero(currency)), prices, currency)
    for i, share in zip(eligible, shares, strict=True):
        applied[i] = code.key
        discounts[i] = share


def _within_budget(shares: list[Decimal], budget: Decimal, currency: str) -> list[Decimal]:
    """Per-position discounts in cart order, each shrunk to what is left of the budget."""
    left = max(budget, zero(currency))
    kept = []
    for share in shares:
        share = min(share, left)
        left -= share
        kept.append(share)
    return kept

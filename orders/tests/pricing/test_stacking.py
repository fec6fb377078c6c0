"""Stacked order-wide codes (docs/pricing.md, section 3.1): public vectors, one named case per row.

Each case prices a cart through :func:`orders.pricing.price_cart` and states, per line,
every code that was applied to it with its amount (in application order), the line
price after the codes and the final price; and per code what it took off the cart, how
many lines were eligible and how many it was applied to. The figures are worked out by
hand in the comments: the engine's allocation rule is D × current price / Σ current
prices rounded down, the missing minor units to the largest remainders (ties: earlier).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.pricing import CartLine, Code, CodeMode, CodeScope, price_cart

from .builders import NOW, as_currency, rule

D = Decimal


def line(price: str, item: int = 1, *, code: str | None = None, **fields) -> CartLine:
    return CartLine(item=item, list_price=D(price), event=1, code=code, **fields)


def coupon(key: str, mode: str, value: str, **fields) -> Code:
    return Code(key, CodeScope.ORDER, CodeMode(mode), D(value), **fields)


def promo(key: str, percentage: bool, value: str, **fields) -> Code:
    mode = CodeMode.PERCENT if percentage else CodeMode.FIX
    return Code(key, CodeScope.ORDER, mode, D(value), **fields)


def voucher(key: str, mode: str, value: str) -> Code:
    return Code(key, CodeScope.POSITION, CodeMode(mode), D(value))


THREE_FOR_TWO = rule(1, condition_min_count=3, benefit_discount_matching_percent="100.00",
                     benefit_only_apply_to_cheapest_n_matches=1)  # fmt: skip

# (name, currency, lines, codes, rules, expected lines, expected codes)
# expected line: ([(code, amount), ...], line price, final price)
# expected code: (code, discount, eligible, discounted)
CASES = [
    (
        "10 % then fix 3.00 on one ticket of 50.00: 50.00 - 5.00 - 3.00 = 42.00",
        "EUR", [line("50.00")], [coupon("TEN", "percent", "10"), promo("THREE", False, "3.00")], [],
        [([("TEN", "5.00"), ("THREE", "3.00")], "42.00", "42.00")],
        [("TEN", "5.00", 1, 1), ("THREE", "3.00", 1, 1)],
    ),
    (
        "fix 3.00 then 10 %: the percentage is of what is left, 50.00 - 3.00 - 4.70 = 42.30",
        "EUR", [line("50.00")], [promo("THREE", False, "3.00"), coupon("TEN", "percent", "10")], [],
        [([("THREE", "3.00"), ("TEN", "4.70")], "42.30", "42.30")],
        [("THREE", "3.00", 1, 1), ("TEN", "4.70", 1, 1)],
    ),
    (
        "a line one code changed stays eligible for the next",
        # C takes 5.00 off the first (dearest, tie to the earlier) line: 5.00 / 10.00 left.
        # P: 50 % of 15.00 = 7.50, split 5:10 → 2.50 and 5.00.
        "EUR", [line("10.00"), line("10.00")],
        [coupon("C", "fix", "5.00", max_tickets=1), promo("P", True, "50")], [],
        [([("C", "5.00"), ("P", "2.50")], "2.50", "2.50"), ([("P", "5.00")], "5.00", "5.00")],
        [("C", "5.00", 2, 1), ("P", "7.50", 2, 2)],
    ),
    (
        "the cap of a later percentage code applies to its own discount on current prices",
        # FIX takes 10.00 off each: 90.00 + 90.00 = 180.00; 50 % = 90.00, capped at 30.00.
        "EUR", [line("100.00"), line("100.00")],
        [coupon("FIX", "fix", "20.00"), coupon("HALF", "percent", "50", max_value=D("30.00"))], [],
        [
            ([("FIX", "10.00"), ("HALF", "15.00")], "75.00", "75.00"),
            ([("FIX", "10.00"), ("HALF", "15.00")], "75.00", "75.00"),
        ],
        [("FIX", "20.00", 2, 2), ("HALF", "30.00", 2, 2)],
    ),
    (
        "a code whose discount exceeds what is left takes only what is left",
        # ALL leaves 0.00 + 5.00; FIX 20.00 can take 5.00 at most, all of it from the second line.
        "EUR", [line("20.00", 1), line("10.00", 2)],
        [coupon("ALL", "fix_per_item", "20.00", item_ids=frozenset({1})), coupon("FIX", "fix", "20.00")], [],
        [([("ALL", "20.00"), ("FIX", "0.00")], "0.00", "0.00"), ([("FIX", "10.00")], "0.00", "0.00")],
        [("ALL", "20.00", 1, 1), ("FIX", "10.00", 2, 2)],
    ),
    (
        "max_tickets ranks the lines by their current price",
        # A takes 10.00 off item 1 (30.00 → 20.00); B's one ticket goes to the 25.00 line.
        "EUR", [line("30.00", 1), line("25.00", 2)],
        [coupon("A", "fix", "10.00", item_ids=frozenset({1})), coupon("B", "percent", "50", max_tickets=1)],
        [],
        [([("A", "10.00")], "20.00", "20.00"), ([("B", "12.50")], "12.50", "12.50")],
        [("A", "10.00", 1, 1), ("B", "12.50", 2, 1)],
    ),
    (
        "fix_per_item on current prices: each line at most what is left of it",
        # A: 50 % of 13.00 = 6.50, split 10:3 → 5.00 and 1.50; B: min(2.00, 5.00), min(2.00, 1.50).
        "EUR", [line("10.00"), line("3.00")],
        [coupon("A", "percent", "50"), coupon("B", "fix_per_item", "2.00")], [],
        [([("A", "5.00"), ("B", "2.00")], "3.00", "3.00"), ([("A", "1.50"), ("B", "1.50")], "0.00", "0.00")],
        [("A", "6.50", 2, 2), ("B", "3.50", 2, 2)],
    ),
    (
        "a later fix code is split by current prices, not list prices",
        # A leaves 10.00, 20.00, 20.00 (Σ 50.00): 10.00 split 1:2:2 → 2.00, 4.00, 4.00.
        "EUR", [line("10.00", 1), line("20.00", 2), line("30.00", 3)],
        [coupon("A", "fix", "10.00", item_ids=frozenset({3})), promo("B", False, "10.00")], [],
        [
            ([("B", "2.00")], "8.00", "8.00"),
            ([("B", "4.00")], "16.00", "16.00"),
            ([("A", "10.00"), ("B", "4.00")], "16.00", "16.00"),
        ],
        [("A", "10.00", 1, 1), ("B", "10.00", 3, 3)],
    ),
    (
        "a line carrying a voucher takes no order-wide code",
        "EUR", [line("10.00", code="V"), line("10.00")],
        [voucher("V", "subtract", "2.00"), coupon("C", "percent", "10"), promo("P", False, "1.00")], [],
        [([("V", "2.00")], "8.00", "8.00"), ([("C", "1.00"), ("P", "1.00")], "8.00", "8.00")],
        [("V", "2.00", 1, 1), ("C", "1.00", 1, 1), ("P", "1.00", 1, 1)],
    ),
    (
        "JPY: 10 % then fix 333 on 1000 yen = 567",
        "JPY", [line("1000")], [coupon("TEN", "percent", "10"), coupon("FIX", "fix", "333")], [],
        [([("TEN", "100"), ("FIX", "333")], "567", "567")],
        [("TEN", "100", 1, 1), ("FIX", "333", 1, 1)],
    ),
    (
        "JPY: fix 333 then 10 % of 667 = 66.7, rounded half up to 67: 600",
        "JPY", [line("1000")], [coupon("FIX", "fix", "333"), coupon("TEN", "percent", "10")], [],
        [([("FIX", "333"), ("TEN", "67")], "600", "600")],
        [("FIX", "333", 1, 1), ("TEN", "67", 1, 1)],
    ),
    (
        "JPY: the yen left over by the second split go to the largest remainders",
        # FIX 100 over 3 × 1000: 34, 33, 33 → 966, 967, 967 (Σ 2900). TEN: 290 split
        # 966:967:967 = 96.6, 96.7, 96.7 → 96, 96, 96 and 2 yen to the .7 remainders.
        "JPY", [line("1000"), line("1000"), line("1000")],
        [coupon("FIX", "fix", "100"), coupon("TEN", "percent", "10")], [],
        [
            ([("FIX", "34"), ("TEN", "96")], "870", "870"),
            ([("FIX", "33"), ("TEN", "97")], "870", "870"),
            ([("FIX", "33"), ("TEN", "97")], "870", "870"),
        ],
        [("FIX", "100", 3, 3), ("TEN", "290", 3, 3)],
    ),
    (
        "KWD: 10 % of 12.345 = 1.2345, half up to 1.235; then fix 0.500",
        "KWD", [line("12.345")], [coupon("TEN", "percent", "10"), coupon("HALF", "fix", "0.500")], [],
        [([("TEN", "1.235"), ("HALF", "0.500")], "10.610", "10.610")],
        [("TEN", "1.235", 1, 1), ("HALF", "0.500", 1, 1)],
    ),
    (
        "KWD: fix 0.500 then 10 % of 11.845 = 1.1845, half up to 1.185",
        "KWD", [line("12.345")], [coupon("HALF", "fix", "0.500"), coupon("TEN", "percent", "10")], [],
        [([("HALF", "0.500"), ("TEN", "1.185")], "10.660", "10.660")],
        [("HALF", "0.500", 1, 1), ("TEN", "1.185", 1, 1)],
    ),
    (
        "a stacked code on a position the rule then consumes: 3 for 2 makes the cheapest free",
        # FIX 10.00 over 23:23:20 (Σ 66): 3.48|48, 3.48|48, 3.03|03 → the cent to the first: 3.49.
        # Left 19.51, 19.52, 16.97 (Σ 56.00); TEN 5.60 split: 1.95|1, 1.95|2, 1.69|7 → 1.70.
        # Left 17.56, 17.57, 15.27: the rule consumes all three and the cheapest costs 0.
        "EUR", [line("23.00", 1), line("23.00", 1), line("20.00", 2)],
        [coupon("FIX", "fix", "10.00"), promo("TEN", True, "10")], [THREE_FOR_TWO],
        [
            ([("FIX", "3.49"), ("TEN", "1.95")], "17.56", "17.56"),
            ([("FIX", "3.48"), ("TEN", "1.95")], "17.57", "17.57"),
            ([("FIX", "3.03"), ("TEN", "1.70")], "15.27", "0.00"),
        ],
        [("FIX", "10.00", 3, 3), ("TEN", "5.60", 3, 3)],
    ),
    (
        "a code with no ticket left is applied to none of its eligible lines",
        "EUR", [line("10.00"), line("10.00")],
        [coupon("A", "percent", "10"), coupon("B", "fix", "5.00", max_tickets=0)], [],
        [([("A", "1.00")], "9.00", "9.00"), ([("A", "1.00")], "9.00", "9.00")],
        [("A", "2.00", 2, 2), ("B", "0.00", 2, 0)],
    ),
]


@pytest.mark.parametrize(
    ("currency", "lines", "codes", "rules", "expected_lines", "expected_codes"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_stacking(currency, lines, codes, rules, expected_lines, expected_codes):
    cart = price_cart(lines, rules, codes, now=NOW, channel="web", currency=as_currency(currency))
    assert [
        ([(s.code, str(s.amount)) for s in priced.codes], str(priced.line_price), str(priced.price))
        for priced in cart.lines
    ] == expected_lines
    assert [(r.code, str(r.discount), r.eligible, r.discounted) for r in cart.codes] == expected_codes
    # Every line reads as its breakdown: the code discount is the sum of its shares; totals add up.
    for priced in cart.lines:
        assert priced.code_discount == sum((share.amount for share in priced.codes), D(0))
        assert priced.line_price == priced.list_price - priced.code_discount
    assert cart.code_discount_total == sum((r.discount for r in cart.codes), D(0))
    assert cart.total == cart.list_total - cart.code_discount_total - cart.rule_discount_total

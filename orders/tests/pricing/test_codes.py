"""Codes (docs/pricing.md, section 3): vouchers, coupons, promo codes, allocation.

Each case is (lines, codes, expected (first code key, code discount, line price) per line).
Several order-wide codes on one line (stacking, section 3.1) are in ``test_stacking``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.pricing import CartLine, Code, CodeMode, CodeScope, apply_codes

from .builders import as_currency


def line(price: str, item: int = 1, *, code: str | None = None, event: int = 1, **fields) -> CartLine:
    return CartLine(item=item, list_price=Decimal(price), event=event, code=code, **fields)


def voucher(mode: str, value: str | None, key: str = "V", **fields) -> Code:
    return Code(key, CodeScope.POSITION, CodeMode(mode), None if value is None else Decimal(value), **fields)


def coupon(mode: str, value: str, key: str = "C", **fields) -> Code:
    return Code(key, CodeScope.ORDER, CodeMode(mode), Decimal(value), **fields)


def promo(percentage: bool, value: str, key: str = "P", **fields) -> Code:
    mode = CodeMode.PERCENT if percentage else CodeMode.FIX
    return Code(key, CodeScope.ORDER, mode, Decimal(value), **fields)


def price(lines, codes, currency: str = "EUR"):
    return [
        (o.code, str(o.discount), str(o.line_price))
        for o in apply_codes(lines, codes, currency=as_currency(currency))
    ]


D = Decimal

CASES = [
    # --- vouchers --------------------------------------------------------------
    pytest.param(
        [line("10.00", code="V"), line("10.00")],
        [voucher("set", "4.00")],
        [("V", "6.00", "4.00"), (None, "0.00", "10.00")],
        id="voucher set: only the line that carries it",
    ),
    pytest.param(
        [line("10.00", code="V")],
        [voucher("set", "12.00")],
        [("V", "-2.00", "12.00")],
        id="voucher set above the list price raises it",
    ),
    pytest.param(
        [line("10.00", code="V"), line("2.00", code="V")],
        [voucher("subtract", "3.00")],
        [("V", "3.00", "7.00"), ("V", "2.00", "0.00")],
        id="voucher subtract never goes below zero",
    ),
    pytest.param(
        [line("10.00", code="V")],
        [voucher("percent", "33.33")],
        [("V", "3.33", "6.67")],
        id="voucher percent rounds the price half up",
    ),
    pytest.param(
        [line("10.00", code="V"), line("10.00", code="W")],
        [voucher("none", "5.00"), voucher("percent", None, key="W")],
        [("V", "0.00", "10.00"), ("W", "0.00", "10.00")],
        id="voucher none, or without a value, leaves the price",
    ),
    pytest.param(
        [line("10.00", code="V"), line("10.00", code="V"), line("10.00", code="V")],
        [voucher("subtract", "6.00", budget=D("8.00"))],
        [("V", "6.00", "4.00"), ("V", "2.00", "8.00"), ("V", "0.00", "10.00")],
        id="voucher budget shrinks the discount in cart order",
    ),
    pytest.param(
        [line("10.00", code="V"), line("30.00", code="V")],
        [voucher("percent", "50", max_tickets=1)],
        [(None, "0.00", "10.00"), ("V", "15.00", "15.00")],
        id="voucher with one use left goes to the largest saving",
    ),
    pytest.param(
        [line("10.00", 1, code="V"), line("10.00", 2, code="V")],
        [voucher("set", "1.00", item_ids=frozenset({2}))],
        [(None, "0.00", "10.00"), ("V", "9.00", "1.00")],
        id="voucher leaves items outside its scope alone",
    ),
    pytest.param(
        [line("10.00", code="V"), line("5.00", addon_to=0), line("3.00", addon_to=0, is_bundled=True)],
        [voucher("set", "8.00", all_addons_included=True, budget=D("2.00"))],
        [("V", "2.00", "8.00"), ("V", "5.00", "0.00"), (None, "0.00", "3.00")],
        id="voucher all_addons_included: add-ons free, outside the budget; bundles untouched",
    ),
    pytest.param(
        [line("10.00", code="V"), line("5.00", addon_to=0), line("3.00", addon_to=0, is_bundled=True)],
        [voucher("none", None, all_bundles_included=True)],
        [("V", "0.00", "10.00"), (None, "0.00", "5.00"), ("V", "3.00", "0.00")],
        id="voucher all_bundles_included: bundled positions free",
    ),
    # --- coupons and promo codes -----------------------------------------------
    pytest.param(
        [line("50.00"), line("50.00")],
        [coupon("percent", "12")],
        [("C", "6.00", "44.00"), ("C", "6.00", "44.00")],
        id="Ticket Evolution: 12% on two tickets of 50.00 is 12.00, 6.00 each",
    ),
    pytest.param(
        [line("100.00"), line("100.00"), line("100.00")],
        [coupon("percent", "10", max_value=D("25.00"))],
        [("C", "8.34", "91.66"), ("C", "8.33", "91.67"), ("C", "8.33", "91.67")],
        id="coupon percent capped by discount_max_value",
    ),
    pytest.param(
        [line("10.00"), line("10.00"), line("10.00")],
        [coupon("fix", "10.00")],
        [("C", "3.34", "6.66"), ("C", "3.33", "6.67"), ("C", "3.33", "6.67")],
        id="coupon fix 10.00 over three equal positions: the earliest takes the extra cent",
    ),
    pytest.param(
        [line("10.00"), line("20.00"), line("30.00")],
        [coupon("fix", "10.00")],
        [("C", "1.67", "8.33"), ("C", "3.33", "16.67"), ("C", "5.00", "25.00")],
        id="coupon fix split by list price, largest remainder gets the cent",
    ),
    pytest.param(
        [line("10.00"), line("10.00")],
        [coupon("fix", "50.00")],
        [("C", "10.00", "0.00"), ("C", "10.00", "0.00")],
        id="coupon fix larger than the order: never below zero",
    ),
    pytest.param(
        [line("10.00"), line("3.00")],
        [coupon("fix_per_item", "4.00")],
        [("C", "4.00", "6.00"), ("C", "3.00", "0.00")],
        id="coupon fix_per_item: each position at most its own price",
    ),
    pytest.param(
        [line("10.00"), line("30.00"), line("30.00"), line("20.00")],
        [coupon("percent", "50", max_tickets=2)],
        [(None, "0.00", "10.00"), ("C", "15.00", "15.00"), ("C", "15.00", "15.00"), (None, "0.00", "20.00")],
        id="max_tickets takes the highest list prices first",
    ),
    pytest.param(
        [line("30.00"), line("10.00"), line("30.00"), line("30.00")],
        [coupon("fix_per_item", "5.00", max_tickets=2)],
        [("C", "5.00", "25.00"), (None, "0.00", "10.00"), ("C", "5.00", "25.00"), (None, "0.00", "30.00")],
        id="max_tickets ties go to the earlier position",
    ),
    pytest.param(
        [
            line("10.00", code="V"),
            line("10.00", code="C"),
            line("10.00"),
            line("10.00", is_bundled=True),
            line("10.00", code="X"),
        ],
        [voucher("subtract", "1.00"), coupon("percent", "10"), voucher("set", "9.99", key="X")],
        [
            ("V", "1.00", "9.00"),
            ("C", "1.00", "9.00"),
            ("C", "1.00", "9.00"),
            (None, "0.00", "10.00"),
            ("X", "0.01", "9.99"),
        ],
        id="coupon skips bundled positions and positions carrying another code",
    ),
    pytest.param(
        [line("10.00", 1, event=1), line("10.00", 2, event=1), line("10.00", 1, event=2)],
        [coupon("fix_per_item", "1.00", event_ids=frozenset({1}), item_ids=frozenset({1}))],
        [("C", "1.00", "9.00"), (None, "0.00", "10.00"), (None, "0.00", "10.00")],
        id="coupon limited to allowed events and items",
    ),
    pytest.param(
        [line("10.00"), line("10.00")],
        [coupon("percent", "50", budget=D("7.00"))],
        [("C", "3.50", "6.50"), ("C", "3.50", "6.50")],
        id="coupon budget caps the order discount",
    ),
    pytest.param(
        [line("10.00"), line("10.00")],
        [promo(True, "25")],
        [("P", "2.50", "7.50"), ("P", "2.50", "7.50")],
        id="promo code percentage: true is a percent discount",
    ),
    pytest.param(
        [line("10.00"), line("5.00")],
        [promo(False, "3.00")],
        [("P", "2.00", "8.00"), ("P", "1.00", "4.00")],
        id="promo code percentage: false is a fixed amount split by price",
    ),
]


@pytest.mark.parametrize(("lines", "codes", "expected"), CASES)
def test_codes(lines, codes, expected):
    assert price(lines, codes) == expected


@pytest.mark.parametrize(
    ("currency", "prices", "value", "expected"),
    [
        pytest.param("JPY", ["1000", "1000", "1000"], "1000", ["334", "333", "333"], id="JPY whole yen"),
        pytest.param("KWD", ["1.000", "1.000", "1.000"], "1.000", ["0.334", "0.333", "0.333"], id="KWD fils"),
    ],
)
def test_allocation_in_other_currencies(currency, prices, value, expected):
    outcomes = apply_codes([line(p) for p in prices], [coupon("fix", value)], currency=as_currency(currency))
    assert [str(o.discount) for o in outcomes] == expected


@pytest.mark.parametrize(
    ("lines", "codes", "message"),
    [
        pytest.param([line("1.00", code="NOPE")], [], "unknown code", id="unknown code key"),
        pytest.param(
            [line("1.00")], [voucher("fix", "1.00")], "does not apply", id="fix is not a voucher mode"
        ),
        pytest.param(
            [line("1.00")], [coupon("set", "1.00")], "does not apply", id="set is not a coupon mode"
        ),
        pytest.param([line("1.00")], [coupon("fix", "1"), coupon("fix", "2")], "twice", id="duplicate key"),
    ],
)
def test_code_errors(lines, codes, message):
    with pytest.raises(ValueError, match=message):
        apply_codes(lines, codes, currency=as_currency("EUR"))

"""The full pipeline: list price → code → automatic rules → totals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.pricing import CartLine, Code, CodeMode, CodeScope, PricedCart, price_cart

from .builders import NOW, as_currency, date_start, rule

D = Decimal


def price(lines, rules=(), codes=(), *, currency="EUR", channel="web") -> PricedCart:
    currency = as_currency(currency)
    return price_cart(lines, list(rules), list(codes), now=NOW, channel=channel, currency=currency)


def summary(cart: PricedCart):
    return [
        (ln.code, str(ln.code_discount), ln.rule, str(ln.rule_discount), str(ln.price)) for ln in cart.lines
    ]


def test_code_then_rules_percent_applies_to_the_line_price():
    cart = price(
        [CartLine(item=1, list_price=D("10.00"), code="V")],
        [rule(1, condition_min_count=1, benefit_discount_matching_percent="50")],
        [Code("V", CodeScope.POSITION, CodeMode.SUBTRACT, D("2.00"))],
    )
    assert summary(cart) == [("V", "2.00", 1, "4.00", "4.00")]
    assert cart.lines[0].line_price == D("8.00")


def test_voucher_discount_feeds_condition_ignore_voucher_discounted():
    lines = [
        CartLine(item=1, list_price=D("20.00"), code="V"),
        CartLine(item=1, list_price=D("20.00")),
        CartLine(item=1, list_price=D("20.00")),
    ]
    rules = [
        rule(
            1,
            condition_ignore_voucher_discounted=True,
            condition_min_count=2,
            benefit_discount_matching_percent="10",
        )
    ]
    cart = price(lines, rules, [Code("V", CodeScope.POSITION, CodeMode.SET, D("15.00"))])
    assert summary(cart) == [
        ("V", "5.00", None, "0.00", "15.00"),
        (None, "0.00", 1, "2.00", "18.00"),
        (None, "0.00", 1, "2.00", "18.00"),
    ]


def test_set_voucher_above_list_price_is_not_voucher_discounted():
    """A surcharge is no discount: the rule still counts the position."""
    lines = [CartLine(item=1, list_price=D("10.00"), code="V"), CartLine(item=1, list_price=D("10.00"))]
    rules = [
        rule(
            1,
            condition_ignore_voucher_discounted=True,
            condition_min_count=2,
            benefit_discount_matching_percent="50",
        )
    ]
    cart = price(lines, rules, [Code("V", CodeScope.POSITION, CodeMode.SET, D("12.00"))])
    assert summary(cart) == [("V", "-2.00", 1, "6.00", "6.00"), (None, "0.00", 1, "5.00", "5.00")]


def test_coupon_discount_counts_as_voucher_discount_for_rules():
    lines = [CartLine(item=1, list_price=D("30.00")), CartLine(item=1, list_price=D("10.00"))]
    coupon = Code("C", CodeScope.ORDER, CodeMode.FIX, D("5.00"), max_tickets=1)
    rules = [
        rule(
            1,
            condition_ignore_voucher_discounted=True,
            condition_min_count=1,
            benefit_discount_matching_percent="10",
        )
    ]
    cart = price(lines, rules, [coupon])
    assert summary(cart) == [("C", "5.00", None, "0.00", "25.00"), (None, "0.00", 1, "1.00", "9.00")]


def test_totals_add_up_and_are_rounded():
    lines = [
        CartLine(item=1, list_price=D("19.99"), code="V"),
        CartLine(item=2, list_price=D("5"), subevent=1, subevent_date_from=date_start(1)),
        CartLine(item=3, list_price=D("7.50"), addon_to=0, is_bundled=True),
    ]
    cart = price(
        lines,
        [rule(1, condition_min_count=1, benefit_discount_matching_percent="33.33")],
        [Code("V", CodeScope.POSITION, CodeMode.PERCENT, D("12.5"))],
    )
    assert [str(ln.list_price) for ln in cart.lines] == ["19.99", "5.00", "7.50"]
    assert summary(cart) == [
        ("V", "2.50", 1, "5.83", "11.66"),
        (None, "0.00", 1, "1.67", "3.33"),
        (None, "0.00", None, "0.00", "7.50"),
    ]
    assert str(cart.list_total) == "32.49"
    assert str(cart.code_discount_total) == "2.50"
    assert str(cart.rule_discount_total) == "7.50"
    assert str(cart.total) == "22.49"
    assert cart.total == cart.list_total - cart.code_discount_total - cart.rule_discount_total


@pytest.mark.parametrize(
    ("currency", "list_price", "expected"),
    [("JPY", "1000", "667"), ("KWD", "1.000", "0.667"), ("USD", "10", "6.67")],
)
def test_pipeline_rounds_to_the_currency(currency, list_price, expected):
    cart = price(
        [CartLine(item=1, list_price=D(list_price))],
        [rule(1, condition_min_count=1, benefit_discount_matching_percent="33.33")],
        currency=currency,
    )
    assert str(cart.total) == expected


def test_rules_see_the_sales_channel():
    lines = [CartLine(item=1, list_price=D("10.00"))]
    rules = [rule(1, sales_channels=["box"], condition_min_count=1, benefit_discount_matching_percent="50")]
    assert price(lines, rules, channel="box").total == D("5.00")
    assert price(lines, rules, channel="web").total == D("10.00")


def test_negative_list_price_is_refused():
    with pytest.raises(ValueError, match="negative list price"):
        price([CartLine(item=1, list_price=D("-1.00"))])


def test_empty_cart():
    cart = price([])
    assert cart.lines == ()
    assert str(cart.total) == "0.00"

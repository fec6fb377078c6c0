"""Money: currencies, half-up rounding and largest-remainder allocation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.pricing import Currency, allocate, percent_of, percent_off, quantize

EUR, JPY, KWD = Currency("EUR", 2), Currency("JPY", 0), Currency("KWD", 3)
CURRENCIES = {c.code: c for c in (EUR, JPY, KWD)}


def test_a_currency_knows_its_smallest_unit_and_refuses_impossible_places():
    assert (EUR.quantum, JPY.quantum, KWD.quantum) == (Decimal("0.01"), Decimal("1"), Decimal("0.001"))
    assert str(EUR) == "EUR"
    with pytest.raises(ValueError, match="places"):
        Currency("EUR", -1)
    with pytest.raises(ValueError, match="places"):
        Currency("EUR", 5)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        pytest.param("0.005", "EUR", "0.01", id="EUR half a cent up"),
        pytest.param("2.675", "EUR", "2.68", id="EUR not banker's rounding"),
        pytest.param("-0.005", "EUR", "-0.01", id="EUR half away from zero"),
        pytest.param("0.5", "JPY", "1", id="JPY half a yen up"),
        pytest.param("1499.49", "JPY", "1499", id="JPY down"),
        pytest.param("0.0005", "KWD", "0.001", id="KWD half a fils up"),
        pytest.param("7", "EUR", "7.00", id="EUR exponent added"),
    ],
)
def test_quantize(amount, currency, expected):
    assert str(quantize(Decimal(amount), CURRENCIES[currency])) == expected


def test_percent_off_rounds_the_price_and_percent_of_the_discount():
    assert percent_off(Decimal("10.00"), Decimal("33.33"), EUR) == Decimal("6.67")
    assert percent_of(Decimal("10.00"), Decimal("33.33"), EUR) == Decimal("3.33")
    assert percent_off(Decimal("100"), Decimal("100"), JPY) == Decimal("0")


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        pytest.param(
            "10.00", ["10.00", "10.00", "10.00"], ["3.34", "3.33", "3.33"], id="ties to the earlier"
        ),
        pytest.param("0.02", ["1.00", "1.00", "1.00"], ["0.01", "0.01", "0.00"], id="two cents over three"),
        pytest.param("10.00", ["10.00", "20.00", "30.00"], ["1.67", "3.33", "5.00"], id="largest remainder"),
        pytest.param("1.00", ["0.01", "0.99"], ["0.01", "0.99"], id="exact"),
        pytest.param("5.00", ["0.00", "10.00"], ["0.00", "5.00"], id="zero weight gets nothing"),
        pytest.param("5.00", ["0.00", "0.00"], ["0.00", "0.00"], id="no weight at all"),
        pytest.param("0.00", ["3.00", "4.00"], ["0.00", "0.00"], id="nothing to split"),
        pytest.param("7.00", ["3.00", "4.00"], ["3.00", "4.00"], id="everything"),
        pytest.param(
            "1.00",
            ["1.00", "1.00", "1.00", "1.00", "1.00", "1.00"],
            ["0.17", "0.17", "0.17", "0.17", "0.16", "0.16"],
            id="four extra cents of six",
        ),
    ],
)
def test_allocate(total, weights, expected):
    shares = allocate(Decimal(total), [Decimal(w) for w in weights], EUR)
    assert [str(s) for s in shares] == expected
    if any(Decimal(w) for w in weights):
        assert sum(shares) == Decimal(total)


def test_allocate_empty():
    assert allocate(Decimal("1.00"), [], EUR) == []

"""Parsing the case format (docs/pricing.md, section 4): defaults and clear errors."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from orders.pricing import CaseError, Currency, DateGrouping, Rule
from orders.pricing import parse_case as parse_with
from orders.pricing import parse_cases as parse_all_with
from ticketing.currency import currency_places


def parse_case(raw, index: int = 0):
    return parse_with(raw, index, places=currency_places)


def parse_cases(raw):
    return parse_all_with(raw, places=currency_places)

BASE = {
    "name": "base",
    "currency": "EUR",
    "now": "2026-06-01T12:00:00Z",
    "sales_channel": "web",
    "rules": [{"id": 7, "condition_min_count": 2, "benefit_discount_matching_percent": "50.00"}],
    "positions": [
        {
            "item": 1,
            "subevent": None,
            "subevent_date_from": None,
            "price": "10.00",
            "addon_to": None,
            "is_bundled": False,
            "voucher_discount": "0.00",
        },
        {
            "item": 1,
            "subevent": 3,
            "subevent_date_from": "2026-07-01T18:00:00+02:00",
            "price": "10.00",
            "addon_to": 0,
            "is_bundled": False,
            "voucher_discount": "0.00",
        },
    ],
}


def with_change(path: str, value, *, delete: bool = False) -> dict:
    """A copy of BASE with one field (dotted path, list indices as numbers) changed or removed."""
    case = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    target = case
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    key = int(last) if last.isdigit() else last
    if delete:
        del target[key]
    else:
        target[key] = value
    return case


def test_missing_rule_fields_take_the_pretix_defaults():
    rule = parse_case(BASE).rules[0]
    assert rule == Rule(id=7, condition_min_count=2, benefit_discount_matching_percent=Decimal("50.00"))
    assert rule.active is True
    assert rule.position == 0
    assert rule.sales_channels is None  # all channels
    assert rule.subevent_mode == DateGrouping.MIXED
    assert rule.condition_all_products and rule.condition_apply_to_addons and rule.benefit_same_products
    assert rule.benefit_apply_to_addons
    assert not rule.condition_ignore_voucher_discounted and not rule.benefit_ignore_voucher_discounted
    assert rule.condition_min_value == 0 and rule.benefit_only_apply_to_cheapest_n_matches is None


def test_positions_and_times_are_parsed():
    case = parse_case(BASE)
    assert case.now == datetime(2026, 6, 1, 12, tzinfo=UTC)
    second = case.positions[1]
    assert (second.subevent, second.addon_to, second.line_price) == (3, 0, Decimal("10.00"))
    assert second.subevent_date_from == datetime(2026, 7, 1, 16, tzinfo=UTC)


def test_cheapest_n_zero_means_no_limit():
    case = parse_case(with_change("rules.0.benefit_only_apply_to_cheapest_n_matches", 0))
    assert case.rules[0].benefit_only_apply_to_cheapest_n_matches is None


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        pytest.param("positions.1.price", "ten", "positions[1].price", "not a decimal", id="bad decimal"),
        pytest.param("positions.1.price", "-1.00", "positions[1].price", "never negative", id="negative"),
        pytest.param("positions.0.price", "NaN", "positions[0].price", "finite", id="NaN price"),
        pytest.param(
            "positions.1.addon_to", 2, "positions[1].addon_to", "another position", id="addon_to out of range"
        ),
        pytest.param(
            "positions.1.addon_to",
            1,
            "positions[1].addon_to",
            "another position",
            id="addon_to pointing at itself",
        ),
        pytest.param(
            "positions.1.subevent_date_from",
            "July 1st",
            "positions[1].subevent_date_from",
            "ISO 8601",
            id="bad datetime",
        ),
        pytest.param(
            "positions.1.subevent_date_from",
            "2026-07-01T18:00:00",
            "positions[1].subevent_date_from",
            "time zone",
            id="naive datetime",
        ),
        pytest.param("positions.0.item", "1", "positions[0].item", "integer", id="item as a string"),
        pytest.param(
            "positions.0.is_bundled",
            "no",
            "positions[0].is_bundled",
            "true or false",
            id="bundled not a boolean",
        ),
        pytest.param(
            "positions.0.voucher_discount",
            "-2",
            "positions[0].voucher_discount",
            "never negative",
            id="negative voucher discount",
        ),
        pytest.param(
            "rules.0.subevent_mode",
            "sometimes",
            "rules[0].subevent_mode",
            "mixed, same",
            id="unknown subevent mode",
        ),
        pytest.param(
            "rules.0.benefit_discount_matching_percent",
            "150",
            "rules[0].benefit_discount_matching_percent",
            "between 0 and 100",
            id="percent above 100",
        ),
        pytest.param(
            "rules.0.condition_min_count",
            -1,
            "rules[0].condition_min_count",
            "at least 0",
            id="negative min count",
        ),
        pytest.param(
            "rules.0.condition_limit_products",
            [1, "2"],
            "rules[0].condition_limit_products",
            "item ids",
            id="product ids not integers",
        ),
        pytest.param(
            "rules.0.sales_channels", "web", "rules[0].sales_channels", "list", id="channels not a list"
        ),
        pytest.param(
            "rules.0.available_from",
            "yesterday",
            "rules[0].available_from",
            "ISO 8601",
            id="bad availability",
        ),
        pytest.param("rules.0.active", 1, "rules[0].active", "true or false", id="active not a boolean"),
        pytest.param("currency", "euro", "currency", "ISO 4217", id="bad currency"),
        pytest.param("currency", "XYZ", "currency", "'XYZ' is not an ISO 4217", id="unknown currency"),
        pytest.param("currency", "ZWL", "currency", "'ZWL' is not an ISO 4217", id="withdrawn currency"),
        pytest.param("now", None, "now", "null", id="no checkout time"),
        pytest.param("rules", {}, "rules", "list", id="rules not a list"),
    ],
)
def test_malformed_case_names_case_and_field(path, value, field, words):
    with pytest.raises(CaseError) as caught:
        parse_case(with_change(path, value), 4)
    error = caught.value
    assert error.field == field
    assert error.case == '#4 "base"'
    assert words in error.message
    assert field in str(error) and "base" in str(error)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("positions.0.price", "positions[0].price"),
        ("positions.0.item", "positions[0].item"),
        ("rules.0.id", "rules[0].id"),
        ("now", "now"),
        ("sales_channel", "sales_channel"),
        ("currency", "currency"),
        ("positions", "positions"),
    ],
)
def test_missing_required_field(path, field):
    with pytest.raises(CaseError, match="missing") as caught:
        parse_case(with_change(path, None, delete=True))
    assert caught.value.field == field


def test_duplicate_rule_ids_are_refused():
    case = copy.deepcopy(BASE)
    case["rules"].append({"id": 7, "condition_min_count": 1})
    with pytest.raises(CaseError, match="unique"):
        parse_case(case)


def test_a_case_without_a_name_is_named_by_its_index():
    case = with_change("name", None, delete=True)
    case["positions"][0]["price"] = "x"
    with pytest.raises(CaseError) as caught:
        parse_cases([BASE, case])
    assert caught.value.case == "#1"


def test_optional_position_fields_default():
    case = parse_case(with_change("positions.0", {"item": 2, "price": "5.00"}))
    first = case.positions[0]
    assert (first.subevent, first.addon_to, first.is_bundled, first.voucher_discount) == (
        None,
        None,
        False,
        Decimal("0.00"),
    )


@pytest.mark.parametrize(
    ("code", "places"), [("EUR", 2), ("JPY", 0), ("KWD", 3), ("ZWG", 2), ("XCG", 2)]
)  # fmt: skip
def test_a_case_carries_its_currency_with_the_minor_units_of_the_table(code, places):
    case = parse_case({**BASE, "currency": code})
    assert case.currency == Currency(code, places)

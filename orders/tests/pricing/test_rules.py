"""Automatic discount rules (docs/pricing.md, section 2), one named case per behaviour.

Each case is (positions, rules, expected (price, consuming rule) per position).
Dates (same / distinct / windows) live in ``test_rules_dates.py``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from .builders import NOW, pos, rule, run

THREE_FOR_TWO = {"condition_min_count": 3, "benefit_only_apply_to_cheapest_n_matches": 1}

CASES = [
    # --- minimum value -------------------------------------------------------
    pytest.param(
        [pos("60.00", 1), pos("45.50", 2)],
        [rule(1, condition_min_value="100.00", benefit_discount_matching_percent="10")],
        [("54.00", 1), ("40.95", 1)],
        id="minimum value reached: every benefit candidate gets the percentage",
    ),
    pytest.param(
        [pos("60.00"), pos("39.99")],
        [rule(1, condition_min_value="100.00", benefit_discount_matching_percent="10")],
        [("60.00", None), ("39.99", None)],
        id="minimum value missed by a cent: nothing happens",
    ),
    pytest.param(
        [pos("60.00"), pos("40.00")],
        [rule(1, condition_min_value="100.00", benefit_discount_matching_percent="10")],
        [("54.00", 1), ("36.00", 1)],
        id="minimum value met exactly counts as reached",
    ),
    pytest.param(
        [pos("60.00", 1), pos("20.00", 2)],
        [
            rule(
                1,
                condition_limit_products=[1],
                condition_min_value="50.00",
                benefit_limit_products=[2],
                benefit_discount_matching_percent="50",
            ),
            rule(2, position=1, condition_min_count=1, benefit_discount_matching_percent="10"),
        ],
        [("54.00", 2), ("10.00", 1)],
        id="minimum value does not consume condition-only positions: a later rule takes them",
    ),
    # --- minimum count ---------------------------------------------------------
    pytest.param(
        [pos("10.00"), pos("10.00")],
        [rule(1, condition_min_count=3, benefit_discount_matching_percent="50")],
        [("10.00", None), ("10.00", None)],
        id="fewer condition candidates than the minimum count: nothing",
    ),
    pytest.param(
        [pos("30.00", 1), pos("30.00", 1), pos("20.00", 2), pos("9.00", 3)],
        [
            rule(
                1,
                condition_limit_products=[1],
                condition_min_count=2,
                benefit_limit_products=[2],
                benefit_discount_matching_percent="50",
            ),
            rule(2, position=1, condition_min_count=1, benefit_discount_matching_percent="10"),
        ],
        [("30.00", 1), ("30.00", 1), ("10.00", 1), ("8.10", 2)],
        id="minimum count without cheapest-n: all benefits discounted, all conditions consumed",
    ),
    pytest.param(
        [pos(p) for p in ("40.00", "10.00", "70.00", "20.00", "60.00", "30.00", "50.00")],
        [rule(1, benefit_discount_matching_percent="100", **THREE_FOR_TWO)],
        [
            ("40.00", 1),
            ("0.00", 1),
            ("70.00", None),
            ("0.00", 1),
            ("60.00", 1),
            ("30.00", 1),
            ("50.00", 1),
        ],
        id="3 for 2 over 7 items: two cheapest free, six consumed, dearest left",
    ),
    pytest.param(
        [pos("10.00", 1), pos("12.00", 1), pos("14.00", 1), pos("8.00", 2)],
        [
            rule(
                1,
                condition_limit_products=[1],
                condition_min_count=1,
                benefit_limit_products=[2],
                benefit_discount_matching_percent="100",
                benefit_only_apply_to_cheapest_n_matches=1,
            )
        ],
        [("10.00", 1), ("12.00", None), ("14.00", None), ("0.00", 1)],
        id="cheapest-n: applications limited by the benefit candidates",
    ),
    pytest.param(
        [pos("10.00"), pos("10.00"), pos("10.00")],
        [
            rule(
                1,
                condition_min_count=2,
                benefit_discount_matching_percent="50",
                benefit_only_apply_to_cheapest_n_matches=1,
            )
        ],
        [("10.00", None), ("10.00", 1), ("5.00", 1)],
        id="equal prices: the later position is the cheaper one",
    ),
    # --- add-on rank -----------------------------------------------------------
    pytest.param(
        [
            pos("50.00", 1),
            pos("10.00", 2, addon_to=0),
            pos("10.00", 2, addon_to=0),
            pos("50.00", 1),
            pos("10.00", 2, addon_to=3),
            pos("10.00", 2, addon_to=3),
        ],
        [
            rule(
                1,
                condition_limit_products=[2],
                condition_min_count=2,
                benefit_discount_matching_percent="100",
                benefit_only_apply_to_cheapest_n_matches=1,
            )
        ],
        [("50.00", None), ("0.00", 1), ("10.00", 1), ("50.00", None), ("0.00", 1), ("10.00", 1)],
        id="add-on rank spreads free add-ons over parents",
    ),
    pytest.param(
        [
            pos("50.00", 1),
            pos("10.00", 3, addon_to=0),
            pos("10.00", 2, addon_to=0),
            pos("50.00", 1),
            pos("10.00", 2, addon_to=3),
            pos("10.00", 2, addon_to=3),
        ],
        [
            rule(
                1, condition_limit_products=[3], condition_min_count=1, benefit_discount_matching_percent="10"
            ),
            rule(
                2,
                position=1,
                condition_limit_products=[2],
                condition_min_count=2,
                benefit_discount_matching_percent="100",
                benefit_only_apply_to_cheapest_n_matches=1,
            ),
        ],
        [("50.00", None), ("9.00", 1), ("10.00", 2), ("50.00", None), ("0.00", 2), ("10.00", None)],
        id="add-on rank counts only add-ons still visible to the rule",
    ),
    pytest.param(
        [pos("20.00"), pos("20.00", addon_to=0), pos("20.00")],
        [
            rule(
                1,
                condition_apply_to_addons=False,
                condition_min_count=2,
                benefit_discount_matching_percent="50",
            )
        ],
        [("10.00", 1), ("20.00", None), ("10.00", 1)],
        id="add-ons left out of the condition when condition_apply_to_addons is false",
    ),
    pytest.param(
        [pos("20.00", 1), pos("20.00", 2, addon_to=0), pos("20.00", 2)],
        [
            rule(
                1,
                condition_limit_products=[1],
                condition_min_count=1,
                benefit_limit_products=[2],
                benefit_apply_to_addons=False,
                benefit_discount_matching_percent="50",
            )
        ],
        [("20.00", 1), ("20.00", None), ("10.00", 1)],
        id="add-ons left out of the benefit when benefit_apply_to_addons is false",
    ),
    # --- voucher-discounted positions ------------------------------------------
    pytest.param(
        [pos("20.00", voucher="5.00"), pos("25.00"), pos("25.00")],
        [
            rule(
                1,
                condition_ignore_voucher_discounted=True,
                condition_min_count=2,
                benefit_discount_matching_percent="10",
            )
        ],
        [("20.00", None), ("22.50", 1), ("22.50", 1)],
        id="condition side: voucher-discounted position ignored",
    ),
    pytest.param(
        [pos("20.00", voucher="5.00"), pos("25.00")],
        [
            rule(
                1,
                condition_ignore_voucher_discounted=True,
                condition_min_count=2,
                benefit_discount_matching_percent="10",
            )
        ],
        [("20.00", None), ("25.00", None)],
        id="condition side: the voucher-discounted position does not count towards the minimum",
    ),
    pytest.param(
        [pos("20.00", voucher="5.00"), pos("25.00")],
        [rule(1, condition_min_count=2, benefit_discount_matching_percent="10")],
        [("18.00", 1), ("22.50", 1)],
        id="condition side: voucher-discounted position counts when the rule allows it",
    ),
    pytest.param(
        [pos("30.00", 1), pos("20.00", 2, voucher="5.00"), pos("20.00", 2)],
        [
            rule(
                1,
                condition_limit_products=[1],
                condition_min_count=1,
                benefit_limit_products=[2],
                benefit_ignore_voucher_discounted=True,
                benefit_discount_matching_percent="50",
            )
        ],
        [("30.00", 1), ("20.00", None), ("10.00", 1)],
        id="benefit side: voucher-discounted position not discounted",
    ),
    # --- which rules run -------------------------------------------------------
    pytest.param(
        [pos("10.00"), pos("10.00")],
        [
            rule(1, active=False, condition_min_count=1, benefit_discount_matching_percent="90"),
            rule(2, position=5, condition_min_count=1, benefit_discount_matching_percent="10"),
        ],
        [("9.00", 2), ("9.00", 2)],
        id="inactive rule does nothing; the next one applies",
    ),
    pytest.param(
        [pos("10.00")],
        [rule(1, sales_channels=["box"], condition_min_count=1, benefit_discount_matching_percent="10")],
        [("10.00", None)],
        id="rule limited to the box office does not apply on the web",
    ),
    pytest.param(
        [pos("10.00")],
        [
            rule(
                1,
                sales_channels=["box", "web"],
                condition_min_count=1,
                benefit_discount_matching_percent="10",
            )
        ],
        [("9.00", 1)],
        id="rule listing the web channel applies on the web",
    ),
    pytest.param(
        [pos("10.00")],
        [rule(1, sales_channels=None, condition_min_count=1, benefit_discount_matching_percent="10")],
        [("9.00", 1)],
        id="sales_channels null means every channel",
    ),
    # --- order and consumption -------------------------------------------------
    pytest.param(
        [pos("10.00")],
        [
            rule(2, position=1, condition_min_count=1, benefit_discount_matching_percent="20"),
            rule(1, position=1, condition_min_count=1, benefit_discount_matching_percent="30"),
            rule(3, position=0, condition_min_count=1, benefit_discount_matching_percent="40"),
        ],
        [("6.00", 3)],
        id="rules run by (position, id): the lowest position wins",
    ),
    pytest.param(
        [pos("10.00")],
        [
            rule(2, position=1, condition_min_count=1, benefit_discount_matching_percent="20"),
            rule(1, position=1, condition_min_count=1, benefit_discount_matching_percent="30"),
        ],
        [("7.00", 1)],
        id="same position: the lower id runs first",
    ),
    pytest.param(
        [pos("10.00"), pos("20.00"), pos("30.00"), pos("40.00")],
        [
            rule(1, position=0, benefit_discount_matching_percent="100", **THREE_FOR_TWO),
            rule(2, position=1, condition_min_count=1, benefit_discount_matching_percent="50"),
        ],
        [("0.00", 1), ("20.00", 1), ("30.00", 1), ("20.00", 2)],
        id="consumed positions are hidden from later rules even at an unchanged price",
    ),
    pytest.param(
        [pos("10.00"), pos("0.00", 2, addon_to=0, bundled=True)],
        [rule(1, condition_min_count=2, benefit_discount_matching_percent="50")],
        [("10.00", None), ("0.00", None)],
        id="bundled positions never take part",
    ),
    pytest.param(
        [pos("10.00"), pos("10.00", bundled=True)],
        [rule(1, condition_min_count=1, benefit_discount_matching_percent="50")],
        [("5.00", 1), ("10.00", None)],
        id="a bundled position is not discounted even when everything else is",
    ),
    pytest.param(
        [pos("10.00"), pos("10.00")],
        [rule(1, condition_min_count=1, benefit_discount_matching_percent="0")],
        [("10.00", 1), ("10.00", 1)],
        id="zero percent still consumes",
    ),
    # --- rounding --------------------------------------------------------------
    pytest.param(
        [pos("10.00"), pos("0.05")],
        [rule(1, condition_min_count=1, benefit_discount_matching_percent="33.33")],
        [("6.67", 1), ("0.03", 1)],
        id="EUR rounds half up to cents",
    ),
]


@pytest.mark.parametrize(("positions", "rules", "expected"), CASES)
def test_rule(positions, rules, expected):
    assert run(positions, rules) == expected


@pytest.mark.parametrize(
    ("currency", "price", "percent", "expected"),
    [
        pytest.param("EUR", "0.05", "50", "0.03", id="EUR half a cent rounds up"),
        pytest.param("EUR", "19.99", "12.5", "17.49", id="EUR 12.5 percent"),
        pytest.param("USD", "100.00", "99.99", "0.01", id="USD nearly free"),
        pytest.param("JPY", "999", "33.33", "666", id="JPY no minor unit"),
        pytest.param("JPY", "5", "50", "3", id="JPY half a yen rounds up"),
        pytest.param("KWD", "1.255", "50", "0.628", id="KWD three decimals half up"),
        pytest.param("KWD", "10.000", "33.33", "6.667", id="KWD three decimals"),
    ],
)
def test_rounding_by_currency(currency, price, percent, expected):
    rules = [rule(1, condition_min_count=1, benefit_discount_matching_percent=percent)]
    assert run([pos(price)], rules, currency=currency) == [(expected, 1)]


@pytest.mark.parametrize(
    ("available_from", "available_until", "applies"),
    [
        pytest.param("now", None, True, id="from equal to now is inside"),
        pytest.param(None, "now", True, id="until equal to now is inside"),
        pytest.param("now", "now", True, id="a one-instant window at now is inside"),
        pytest.param("later", None, False, id="from after now"),
        pytest.param(None, "earlier", False, id="until before now"),
        pytest.param("later", "earlier", False, id="from after until never runs"),
    ],
)
def test_availability_window_is_inclusive(available_from, available_until, applies):
    moments = {
        None: None,
        "now": NOW,
        "later": NOW + timedelta(seconds=1),
        "earlier": NOW - timedelta(seconds=1),
    }
    rules = [
        rule(
            1,
            available_from=moments[available_from],
            available_until=moments[available_until],
            condition_min_count=1,
            benefit_discount_matching_percent="10",
        )
    ]
    assert run([pos("10.00")], rules) == [("9.00", 1) if applies else ("10.00", None)]

"""Automatic rules over event series: same dates, distinct dates, date windows,
and the deliberate differences from pretix (docs/pricing.md, sections 2.2, 2.4, 2.5)."""

from __future__ import annotations

import pytest

from .builders import date_start, pos, rule, run

SAME = {"subevent_mode": "same"}
DISTINCT = {"subevent_mode": "distinct"}

CASES = [
    # --- same date -------------------------------------------------------------
    pytest.param(
        [pos("40.00", date=1), pos("40.00", date=2), pos("40.00", date=1)],
        [rule(1, condition_min_count=2, benefit_discount_matching_percent="25", **SAME)],
        [("30.00", 1), ("40.00", None), ("30.00", 1)],
        id="same: two tickets for one date discounted, the lone date not",
    ),
    pytest.param(
        [pos("60.00", date=1), pos("50.00", date=2), pos("50.00", date=2)],
        [rule(1, condition_min_value="100.00", benefit_discount_matching_percent="10", **SAME)],
        [("60.00", None), ("45.00", 1), ("45.00", 1)],
        id="same: minimum value counted per date",
    ),
    pytest.param(
        [pos("30.00", 1, date=1), pos("30.00", 1, date=1), pos("8.00", 2, date=1), pos("8.00", 2, date=2)],
        [
            rule(
                1,
                condition_limit_products=[1],
                condition_min_count=2,
                benefit_limit_products=[2],
                benefit_discount_matching_percent="50",
                **SAME,
            )
        ],
        [("30.00", 1), ("30.00", 1), ("4.00", 1), ("8.00", None)],
        id="same: benefit on other products only for that date",
    ),
    pytest.param(
        [pos("10.00", date=1), pos("10.00", date=1), pos("10.00", date=1), pos("10.00", date=2)],
        [
            rule(
                1,
                condition_min_count=2,
                benefit_discount_matching_percent="100",
                benefit_only_apply_to_cheapest_n_matches=1,
                **SAME,
            )
        ],
        [("10.00", None), ("10.00", 1), ("0.00", 1), ("10.00", None)],
        id="same: cheapest-n evaluated within each date",
    ),
    # --- distinct dates --------------------------------------------------------
    pytest.param(
        [pos("40.00", date=1), pos("35.00", date=2), pos("40.00", date=1), pos("30.00", date=3)],
        [
            rule(
                1,
                condition_min_count=3,
                benefit_discount_matching_percent="100",
                benefit_only_apply_to_cheapest_n_matches=1,
                **DISTINCT,
            )
        ],
        [("40.00", 1), ("35.00", 1), ("40.00", None), ("0.00", 1)],
        id="distinct: season pass over three different dates, cheapest free",
    ),
    pytest.param(
        [pos("10.00", date=1), pos("12.00", date=1), pos("50.00", date=2)],
        [
            rule(
                1,
                condition_min_count=2,
                benefit_discount_matching_percent="100",
                benefit_only_apply_to_cheapest_n_matches=1,
                **DISTINCT,
            )
        ],
        [("0.00", 1), ("12.00", None), ("50.00", 1)],
        id="distinct: two tickets of the same date never pair up",
    ),
    pytest.param(
        [
            pos("10.00", date=1),
            pos("20.00", date=1),
            pos("30.00", date=2),
            pos("40.00", date=2),
            pos("50.00", date=3),
        ],
        [
            rule(
                1,
                condition_min_count=2,
                benefit_discount_matching_percent="100",
                benefit_only_apply_to_cheapest_n_matches=1,
                **DISTINCT,
            )
        ],
        [("0.00", 1), ("0.00", 1), ("30.00", 1), ("40.00", 1), ("50.00", None)],
        id="distinct: a leftover joins a closed group lacking its date",
    ),
    pytest.param(
        [pos("10.00", date=1), pos("20.00", date=1), pos("30.00", date=1), pos("40.00", date=2)],
        [rule(1, condition_min_count=2, benefit_discount_matching_percent="50", **DISTINCT)],
        [("10.00", None), ("20.00", None), ("15.00", 1), ("20.00", 1)],
        id="distinct without cheapest-n: dearest picks, the rest of the busy date left over",
    ),
    pytest.param(
        [pos("20.00", 1, date=1), pos("20.00", 2, date=2), pos("20.00", 1, date=2)],
        [
            rule(
                1,
                condition_limit_products=[1],
                condition_min_count=2,
                benefit_discount_matching_percent="50",
                **DISTINCT,
            )
        ],
        [("10.00", 1), ("20.00", None), ("10.00", 1)],
        id="distinct: positions outside the condition are never discounted",
    ),
    # --- date windows ----------------------------------------------------------
    pytest.param(
        [pos("10.00", date=1), pos("10.00", date=2), pos("10.00", date=3)],
        [
            rule(
                1,
                subevent_date_from=date_start(2),
                subevent_date_until=date_start(3),
                condition_min_count=1,
                benefit_discount_matching_percent="50",
            )
        ],
        [("10.00", None), ("5.00", 1), ("5.00", 1)],
        id="date window includes both ends",
    ),
    pytest.param(
        [pos("10.00", 1, date=1), pos("10.00", 2, date=3)],
        [
            rule(
                1,
                subevent_date_until=date_start(2),
                condition_limit_products=[1],
                condition_min_count=1,
                benefit_limit_products=[2],
                benefit_discount_matching_percent="50",
            )
        ],
        [("10.00", 1), ("5.00", 1)],
        id="date window applies to the condition only, not to benefit candidates",
    ),
    # --- section 2.5: where docs/pricing.md differs from pretix ---------------
    pytest.param(
        [pos("10.00"), pos("10.00"), pos("10.00")],
        [
            rule(1, condition_min_count=2, benefit_discount_matching_percent="20", **SAME),
            rule(2, condition_min_count=1, benefit_discount_matching_percent="50"),
        ],
        [("8.00", 1), ("8.00", 1), ("8.00", 1)],
        id="2.5 same mode: undated positions form one group and are discounted",
    ),
    pytest.param(
        [pos("10.00"), pos("10.00", date=1)],
        [
            rule(
                1,
                subevent_date_from=date_start(2),
                condition_min_count=1,
                benefit_discount_matching_percent="50",
            )
        ],
        [("5.00", 1), ("10.00", None)],
        id="2.5 date window: an undated position is not held to it",
    ),
]


@pytest.mark.parametrize(("positions", "rules", "expected"), CASES)
def test_dates(positions, rules, expected):
    assert run(positions, rules) == expected

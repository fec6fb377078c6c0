"""Every public test vector prices exactly as its ``expected`` says (docs/pricing.md, section 4).

The vectors in ``data/cases-public.json`` are the repository's copy of the public
test vectors: hand-written cases, cases from pretix's own test suite, and generated
ones checked against pretix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orders.pricing import parse_case, parse_expected, price_case, serialise_outcomes
from ticketing.currency import currency_places

PUBLIC_CASES = Path(__file__).parent / "data" / "cases-public.json"
RAW_CASES = json.loads(PUBLIC_CASES.read_text(encoding="utf-8"))


def _case_id(index: int, raw: dict) -> str:
    return f"{index:03d}-{raw['name'][:60]}"


def test_the_copy_holds_every_public_case():
    assert len(RAW_CASES) == 521


@pytest.mark.parametrize("raw", RAW_CASES, ids=[_case_id(i, raw) for i, raw in enumerate(RAW_CASES)])
def test_public_case(raw):
    case = parse_case(raw, places=currency_places)
    got = serialise_outcomes(price_case(case))
    # Exact strings: the price and its number of decimals, and the consuming rule.
    assert got == raw["expected"]


def test_expected_parses_as_decimals():
    expected = parse_expected(RAW_CASES[0])
    assert len(expected) == len(RAW_CASES[0]["positions"])
    assert expected[1].discount == 1

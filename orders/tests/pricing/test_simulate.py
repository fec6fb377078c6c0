"""The simulate command: JSON cases in, prices out, exit 2 with a clear message."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from orders.pricing.simulate import main
from ticketing.currency import currency_places

from .test_public_cases import PUBLIC_CASES, RAW_CASES

REPO_ROOT = Path(__file__).resolve().parents[3]

SMALL = [
    {
        "name": "3 for 2",
        "currency": "EUR",
        "now": "2026-06-01T12:00:00Z",
        "sales_channel": "web",
        "rules": [
            {
                "id": 1,
                "condition_min_count": 3,
                "benefit_discount_matching_percent": "100.00",
                "benefit_only_apply_to_cheapest_n_matches": 1,
            }
        ],
        "positions": [
            {
                "item": 1,
                "subevent": None,
                "subevent_date_from": None,
                "price": p,
                "addon_to": None,
                "is_bundled": False,
                "voucher_discount": "0.00",
            }
            for p in ("23.00", "20.00", "21.00", "30.00")
        ],
    },
    {
        "name": "empty cart",
        "currency": "JPY",
        "now": "2026-06-01T12:00:00Z",
        "sales_channel": "web",
        "rules": [],
        "positions": [],
    },
]


def run_main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err, places=currency_places)
    return status, out.getvalue(), err.getvalue()


def write(tmp_path: Path, content) -> str:
    path = tmp_path / "cases.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def test_prices_a_small_file(tmp_path):
    status, out, err = run_main(write(tmp_path, SMALL))
    assert (status, err) == (0, "")
    assert json.loads(out) == [
        [
            {"price": "23.00", "discount": 1},
            {"price": "0.00", "discount": 1},
            {"price": "21.00", "discount": 1},
            {"price": "30.00", "discount": None},
        ],
        [],
    ]


def test_empty_list_of_cases(tmp_path):
    assert run_main(write(tmp_path, [])) == (0, "[]\n", "")


def test_malformed_case_exits_2_naming_case_and_field(tmp_path):
    cases = json.loads(json.dumps(SMALL))
    cases[0]["positions"][2]["price"] = "twenty"
    status, out, err = run_main(write(tmp_path, cases))
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert '"3 for 2"' in err and "positions[2].price" in err and "twenty" in err


def test_malformed_case_without_name_is_named_by_index(tmp_path):
    cases = json.loads(json.dumps(SMALL))
    del cases[1]["name"]
    cases[1]["now"] = "soon"
    status, _, err = run_main(write(tmp_path, cases))
    assert status == 2
    assert "case #1" in err and ": now:" in err


@pytest.mark.parametrize(
    ("content", "words"),
    [
        pytest.param("[{", "not valid JSON", id="invalid JSON"),
        pytest.param('{"cases": []}', "JSON list of cases", id="not a list"),
        pytest.param("[42]", "JSON object", id="case not an object"),
    ],
)
def test_bad_file_content_exits_2(tmp_path, content, words):
    status, out, err = run_main(write(tmp_path, content))
    assert (status, out) == (2, "")
    assert words in err and err.endswith("\n") and err.count("\n") == 1


def test_unreadable_file_exits_2(tmp_path):
    status, out, err = run_main(str(tmp_path / "missing.json"))
    assert (status, out) == (2, "")
    assert "cannot read" in err and "missing.json" in err


@pytest.mark.parametrize("argv", [(), ("a.json", "b.json")])
def test_wrong_arguments_exit_2_with_usage(argv):
    status, _, err = run_main(*argv)
    assert status == 2
    assert "usage:" in err


def test_reproduces_every_public_case():
    status, out, err = run_main(str(PUBLIC_CASES))
    assert (status, err) == (0, "")
    results = json.loads(out)
    assert len(results) == len(RAW_CASES)
    mismatches = [
        i for i, (got, raw) in enumerate(zip(results, RAW_CASES, strict=True)) if got != raw["expected"]
    ]
    assert mismatches == []

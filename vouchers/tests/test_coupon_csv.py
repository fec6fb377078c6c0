"""The coupon CSV import's reading: the delimiter guessed from the header row, and what an error about
the header says it saw (``vouchers.services.coupon_csv``)."""

from __future__ import annotations

import pytest

from vouchers.services.coupon_csv import CouponFileRejected, guess_delimiter, parse_coupon_csv


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [
        pytest.param("code,customer_email,active", ",", id="comma"),
        pytest.param("code;customer_email;active", ";", id="semicolon, as vivenu exports"),
        pytest.param("code\tcustomer_email\tactive", "\t", id="tab"),
        pytest.param("code", ",", id="one column: a comma"),
        pytest.param('"a;b;c",code', ",", id="delimiters inside quotes do not count"),
        pytest.param("code;active,x;y", ";", id="the one the header holds most of"),
        pytest.param("code;active,x", ",", id="a tie goes to the comma, then the semicolon"),
    ],
)
def test_the_delimiter_is_the_one_the_header_row_holds_most_of(header, delimiter):
    assert guess_delimiter(header) == delimiter


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("code;customer_email;active\nvip-ann;ann@example.com;no\nvip-bob;;\n", id="semicolon"),
        pytest.param("code\tcustomer_email\tactive\nvip-ann\tann@example.com\tno\nvip-bob\t\t\n", id="tab"),
        pytest.param("\ufeffcode,customer_email,active\nvip-ann,ann@example.com,no\nvip-bob,,\n", id="BOM"),
    ],
)
def test_every_delimiter_reads_the_same_rows(text):
    assert parse_coupon_csv(text) == [
        (2, {"code": "VIP-ANN", "customer_email": "ann@example.com", "active": False}),
        (3, {"code": "VIP-BOB", "active": True}),
    ]


def test_a_header_without_code_says_what_it_read_and_the_delimiter_guessed():
    with pytest.raises(CouponFileRejected) as caught:
        parse_coupon_csv("Gutscheincode;E-Mail\nVIP-ANN;ann@example.com\n")
    assert caught.value.messages == [
        "Line 1: the header row must name a 'code' column. "
        "(read the header 'Gutscheincode;E-Mail', guessing the delimiter semicolon)"
    ]
    assert [problem.as_error() for problem in caught.value.problems] == [
        {"line": 1, "message": "the header row must name a 'code' column.",
         "header": "Gutscheincode;E-Mail", "delimiter": "semicolon"},
    ]  # fmt: skip


def test_unknown_columns_say_what_was_read():
    with pytest.raises(CouponFileRejected) as caught:
        parse_coupon_csv("code\tcolour\nVIP-ANN\tred\n")
    assert caught.value.messages == [
        "Line 1: unknown columns: colour. (read the header 'code\\tcolour', guessing the delimiter tab)"
    ]


def test_a_problem_on_a_row_names_no_header():
    with pytest.raises(CouponFileRejected) as caught:
        parse_coupon_csv("code;active\nVIP-ANN;maybe\n")
    assert caught.value.messages == ["Line 2: active: 'maybe' is not true or false."]
    assert caught.value.problems[0].as_error() == {
        "line": 2,
        "field": "active",
        "message": "'maybe' is not true or false.",
    }

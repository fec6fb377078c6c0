"""Code text: normalisation, allowed characters, generation."""

from __future__ import annotations

import pytest

from vouchers.codes import (
    ALPHABET,
    CodeSpaceExhausted,
    code_text_errors,
    normalise_code,
    random_code,
    unique_random_codes,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("  summer-26 ", "SUMMER-26"), ("abcde", "ABCDE"), ("\tMiXeD.code\n", "MIXED.CODE"), (None, "")],
)
def test_normalise_strips_and_upper_cases(typed, stored):
    assert normalise_code(typed) == stored


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("ABCDE", True),
        ("ABCD", False),
        ("A" * 256, False),
        ("AB CDE", False),
        ("-ABCDE", False),
        ("SUMMER_26+X@Y.Z", True),
        ("ÄBCDE", False),
        ("ABC/DE", False),
    ],
)
def test_code_text_rules(code, ok):
    assert (code_text_errors(code) == []) is ok


def test_random_code_uses_the_unambiguous_alphabet():
    code = random_code(16, prefix="ev-")
    assert code.startswith("EV-")
    assert len(code) == 19
    assert set(code[3:]) <= set(ALPHABET)
    assert not set("IJO01") & set(ALPHABET)


def test_unique_random_codes_skips_taken_ones_and_redraws():
    seen: list[list[str]] = []

    def taken(chunk: list[str]) -> set[str]:
        seen.append(chunk)
        return set(chunk[:3]) if len(seen) == 1 else set()  # three of the first draw "exist"

    codes = unique_random_codes(count=50, length=8, prefix="", taken=taken)
    assert len(codes) == len(set(codes)) == 50
    assert len(seen) >= 2  # some had to be redrawn


def test_unique_random_codes_gives_up_when_the_space_is_too_small():
    with pytest.raises(CodeSpaceExhausted):
        unique_random_codes(count=5, length=1, prefix="", taken=lambda chunk: set(chunk), max_rounds=3)

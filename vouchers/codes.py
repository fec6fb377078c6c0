"""Code text: normalisation, the allowed characters, and random generation.

Every code a customer can type (voucher, coupon, promo code) goes through
:func:`normalise_code` before it is stored or looked up, so the database holds
upper-cased, stripped codes and a lookup compares ``UPPER(code)`` (the
expression the unique indexes are built on) with the normalised input.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable

from core.errors import DomainError

#: No I, J, O, 0 or 1: nothing a customer could mistake for another character.
ALPHABET = "ABCDEFGHKLMNPQRSTUVWXYZ23456789"
DEFAULT_LENGTH = 16
MIN_CODE_LENGTH = 5
MAX_CODE_LENGTH = 255
MIN_RANDOM_LENGTH = 6
MAX_RANDOM_LENGTH = 64
MAX_PREFIX_LENGTH = 100
#: ASCII only, so Python's ``str.upper()`` and SQL ``UPPER()`` agree, and nothing that breaks a URL path.
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._+@-]*$")
PREFIX_PATTERN = re.compile(r"^[A-Z0-9._+@-]*$")
CODE_CHARACTERS_MESSAGE = "Use only letters A–Z, digits and - _ . + @ (starting with a letter or digit)."
LOOKUP_CHUNK = 900  # below SQLite's bound-parameter limit on every version


def normalise_code(text: str | None) -> str:
    """The stored form of a typed code: surrounding spaces removed, upper-cased."""
    return (text or "").strip().upper()


def code_text_errors(code: str) -> list[str]:
    """What is wrong with a (normalised) code's text; empty when it is fine."""
    if len(code) < MIN_CODE_LENGTH:
        return [f"A code needs at least {MIN_CODE_LENGTH} characters."]
    if len(code) > MAX_CODE_LENGTH:
        return [f"A code has at most {MAX_CODE_LENGTH} characters."]
    if not CODE_PATTERN.match(code):
        return [CODE_CHARACTERS_MESSAGE]
    return []


def random_code(length: int = DEFAULT_LENGTH, prefix: str = "") -> str:
    """One unpredictable code: ``prefix`` followed by ``length`` characters drawn with ``secrets``."""
    return normalise_code(prefix) + "".join(secrets.choice(ALPHABET) for _ in range(length))


def chunks(values: list[str], size: int = LOOKUP_CHUNK) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class CodeSpaceExhausted(DomainError):
    code = "code_space_exhausted"
    default_detail = "Could not draw enough unused codes: use a longer length."


def unique_random_codes(
    *, count: int, length: int, prefix: str, taken: Callable[[list[str]], set[str]], max_rounds: int = 20
) -> list[str]:
    """``count`` distinct random codes none of which ``taken`` reports as already used.

    Draws all codes at once, drops duplicates within the batch and those that
    exist (``taken`` gets a list of candidates and answers the used ones, in one
    query per chunk), then redraws only the missing ones.
    """
    codes: set[str] = set()
    for _ in range(max_rounds):
        missing = count - len(codes)
        if missing <= 0:
            break
        fresh = {random_code(length, prefix) for _ in range(missing)} - codes
        candidates = sorted(fresh)
        used: set[str] = set()
        for chunk in chunks(candidates):
            used |= taken(chunk)
        codes |= fresh - used
    if len(codes) < count:
        raise CodeSpaceExhausted()
    # secrets already made them unpredictable; sorting only fixes the insertion order.
    return sorted(codes)[:count]

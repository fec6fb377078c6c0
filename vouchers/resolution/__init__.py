"""Resolving a typed code: ``resolve_code`` and the data it takes and returns.

The checkout, which locks code rows itself, re-runs the same checks on the rows it
locked through ``resolve_found``, ``check_cart`` and ``check_combination``: part of
this package's interface, not internals.
"""

from vouchers.resolution.lookup import FoundCode
from vouchers.resolution.resolve import (
    CodeInspection,
    check_cart,
    check_combination,
    inspect_code,
    resolve_code,
    resolve_found,
)
from vouchers.resolution.types import (
    CartLineSummary,
    CartSummary,
    CodeError,
    CodeErrorCode,
    ResolvedCode,
)

__all__ = [
    "CartLineSummary",
    "CartSummary",
    "CodeError",
    "CodeInspection",
    "CodeErrorCode",
    "FoundCode",
    "ResolvedCode",
    "check_cart",
    "check_combination",
    "inspect_code",
    "resolve_code",
    "resolve_found",
]

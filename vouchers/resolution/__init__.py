"""Resolving a typed code: ``resolve_code`` and the data it takes and returns."""

from vouchers.resolution.resolve import CodeInspection, inspect_code, resolve_code
from vouchers.resolution.types import (
    CartLineSummary,
    CartSummary,
    CodeError,
    CodeErrorCode,
    CodeKind,
    ResolvedCode,
)

__all__ = [
    "CartLineSummary",
    "CartSummary",
    "CodeError",
    "CodeInspection",
    "CodeErrorCode",
    "CodeKind",
    "ResolvedCode",
    "inspect_code",
    "resolve_code",
]

"""Pure cart-pricing engine (its rules: docs/pricing.md).

Sections cited in this package ("section 2.4") are those of docs/pricing.md.

Standard library only: no Django, no database, no clock, no settings. The order
service loads rules, codes and the cart, turns them into the dataclasses of
:mod:`orders.pricing.types`, and stores what comes back.
"""

from .cases import (
    Case,
    CaseError,
    Expected,
    parse_case,
    parse_cases,
    parse_expected,
    price_case,
    serialise_outcomes,
)
from .codes import CodeOutcome, apply_codes, voucher_price
from .engine import price_cart
from .money import Currency, allocate, percent_of, percent_off, quantize
from .rules import apply_rules, rule_runs
from .types import (
    CartLine,
    Code,
    CodeMode,
    CodeResult,
    CodeScope,
    CodeShare,
    DateGrouping,
    Position,
    PricedCart,
    PricedLine,
    Rule,
    RuleOutcome,
)

__all__ = [
    "Case",
    "CaseError",
    "CartLine",
    "Code",
    "CodeOutcome",
    "CodeScope",
    "Currency",
    "CodeMode",
    "CodeResult",
    "CodeShare",
    "Expected",
    "Position",
    "PricedCart",
    "PricedLine",
    "Rule",
    "RuleOutcome",
    "DateGrouping",
    "allocate",
    "apply_codes",
    "apply_rules",
    "parse_case",
    "parse_cases",
    "parse_expected",
    "percent_of",
    "percent_off",
    "price_case",
    "price_cart",
    "quantize",
    "rule_runs",
    "serialise_outcomes",
    "voucher_price",
]

"""Money arithmetic for the pricing engine: rounding and proportional allocation.

Every figure the engine produces is a ``Decimal`` rounded to the currency's minor
units with ROUND_HALF_UP, at the step where it is computed (docs/pricing.md, section 1).
This module is the only place that knows how to round or split an amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

__all__ = [
    "DEFAULT_MINOR_UNITS",
    "MINOR_UNITS",
    "allocate",
    "minor_units",
    "percent_of",
    "percent_off",
    "quantize",
    "zero",
]

#: ISO 4217 exponents that differ from the default of 2.
MINOR_UNITS: dict[str, int] = {
    # no minor unit
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
    "KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0,
    "XAF": 0, "XOF": 0, "XPF": 0,
    # three decimals
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # four decimals (accounting units)
    "CLF": 4, "UYW": 4,
    # the common ones, listed so the table documents them explicitly
    "EUR": 2, "USD": 2, "GBP": 2, "CHF": 2,
}  # fmt: skip

#: Exponent used for any currency not in the table.
DEFAULT_MINOR_UNITS = 2

_HUNDRED = Decimal(100)


def minor_units(currency: str) -> int:
    """Number of decimals of ``currency`` (ISO 4217); unknown codes use 2."""
    return MINOR_UNITS.get(currency.upper(), DEFAULT_MINOR_UNITS)


@lru_cache(maxsize=64)
def _quantum(currency: str) -> Decimal:
    # Cached: quantize() is on the hot path and building the exponent each time
    # would cost more than the rounding itself.
    return Decimal(1).scaleb(-minor_units(currency))


def zero(currency: str) -> Decimal:
    """Zero with the currency's exponent (``0.00`` for EUR, ``0`` for JPY)."""
    return _quantum(currency) * 0


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` half up to the currency's minor units."""
    return amount.quantize(_quantum(currency), rounding=ROUND_HALF_UP)


def percent_off(price: Decimal, percent: Decimal, currency: str) -> Decimal:
    """``price`` less ``percent`` %, rounded: what a percentage discount leaves.

    Computed as price × (100 − percent) / 100 and rounded once, so that the
    discounted price (not the discount) is what the rounding rule applies to,
    as pretix does.
    """
    return quantize(price * (_HUNDRED - percent) / _HUNDRED, currency)


def percent_of(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    """``percent`` % of ``amount``, rounded: the size of a percentage discount."""
    return quantize(amount * percent / _HUNDRED, currency)


def allocate(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Split ``total`` over ``weights`` in proportion, in whole minor units.

    Each share is ``total × weight / Σ weights`` rounded *down*; the minor units
    still missing are handed out one at a time to the largest rounded-off
    remainders, ties going to the earlier weight (largest-remainder method).
    The shares add up to ``total`` exactly. When ``total <= Σ weights`` no
    share exceeds its weight, so a discount split this way never takes a
    position below zero. With no weight (or all zero) every share is zero.

    Work is done in integers of minor units so that the result is exact and
    the cost is one sort: O(n log n).
    """
    exponent = minor_units(currency)
    scale = 10**exponent
    units = [int(w.scaleb(exponent)) for w in weights]
    weight_sum = sum(units)
    zero_amount = zero(currency)
    if weight_sum <= 0:
        return [zero_amount] * len(units)
    total_units = int(quantize(total, currency).scaleb(exponent))
    shares: list[int] = []
    remainders: list[int] = []
    for unit in units:
        share, remainder = divmod(total_units * unit, weight_sum)
        shares.append(share)
        remainders.append(remainder)
    missing = total_units - sum(shares)
    if missing:
        # Largest remainder first; the index breaks ties towards the earlier one.
        order = sorted(range(len(units)), key=lambda k: (-remainders[k], k))
        for k in order[:missing]:
            shares[k] += 1
    quantum = _quantum(currency)
    if scale == 1:
        return [Decimal(s).quantize(quantum) for s in shares]
    return [Decimal(s).scaleb(-exponent).quantize(quantum) for s in shares]

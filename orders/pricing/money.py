"""Money arithmetic for the pricing engine: rounding and proportional allocation.

Every figure the engine produces is a ``Decimal`` rounded to the currency's minor
units with ROUND_HALF_UP, at the step where it is computed (docs/pricing.md, section 1).
This module is the only place that knows how to round or split an amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "Currency",
    "allocate",
    "percent_of",
    "percent_off",
    "quantize",
    "zero",
]

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Currency:
    """A currency as the engine needs it: its ISO 4217 code and its minor units (``places``: 2 for EUR, 0
    for JPY, 3 for KWD).

    The engine keeps no table of currencies: the caller says how many places the money has. The project's
    one table is ``ticketing.currency`` (the ISO 4217 list as published, from the ``iso4217`` package);
    the checkout's adapter builds this value from it.
    """

    code: str
    places: int
    quantum: Decimal = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not (isinstance(self.places, int) and 0 <= self.places <= 4):
            raise ValueError(f"currency {self.code!r}: places must be a whole number from 0 to 4")
        object.__setattr__(self, "quantum", Decimal(1).scaleb(-self.places))

    def __str__(self) -> str:
        return self.code


def zero(currency: Currency) -> Decimal:
    """Zero with the currency's exponent (``0.00`` for EUR, ``0`` for JPY)."""
    return currency.quantum * 0


def quantize(amount: Decimal, currency: Currency) -> Decimal:
    """Round ``amount`` half up to the currency's minor units."""
    return amount.quantize(currency.quantum, rounding=ROUND_HALF_UP)


def percent_off(price: Decimal, percent: Decimal, currency: Currency) -> Decimal:
    """``price`` less ``percent`` %, rounded: what a percentage discount leaves.

    Computed as price × (100 − percent) / 100 and rounded once, so that the
    discounted price (not the discount) is what the rounding rule applies to,
    as pretix does.
    """
    return quantize(price * (_HUNDRED - percent) / _HUNDRED, currency)


def percent_of(amount: Decimal, percent: Decimal, currency: Currency) -> Decimal:
    """``percent`` % of ``amount``, rounded: the size of a percentage discount."""
    return quantize(amount * percent / _HUNDRED, currency)


def allocate(total: Decimal, weights: Sequence[Decimal], currency: Currency) -> list[Decimal]:
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
    exponent = currency.places
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
    quantum = currency.quantum
    if scale == 1:
        return [Decimal(s).quantize(quantum) for s in shares]
    return [Decimal(s).scaleb(-exponent).quantize(quantum) for s in shares]

"""Currencies: the ISO 4217 codes and their minor units (how many decimal places money has).

The project's one table of currencies. It is not written here: it is the ISO 4217 list as its maintenance
agency publishes it, shipped by the ``iso4217`` package (the version carries the publication date; update
the package to follow the standard). Codes without minor units (gold, silver, SDR, the test and "no
currency" codes) are not money an event can be priced in, so they are left out.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from iso4217 import Currency as _Iso4217
from iso4217 import __published__ as ISO_4217_PUBLISHED

__all__ = ["ISO_4217", "ISO_4217_PUBLISHED", "amount_text", "currency_exponent", "currency_places"]

#: Code -> minor units, for every currency of the published list that has minor units.
ISO_4217: dict[str, int] = {
    member.code: member.exponent
    for member in dict.fromkeys(_Iso4217.__members__.values())
    if isinstance(member.exponent, int)
}


def currency_places(currency: str) -> int:
    """Minor units of ``currency`` (2 for EUR, 0 for JPY, 3 for KWD); ``KeyError`` for a code not in the
    table."""
    return ISO_4217[currency]


@cache
def currency_exponent(currency: str) -> Decimal:
    """The smallest unit as a Decimal exponent for ``quantize`` (``Decimal('0.01')`` for EUR)."""
    return Decimal(1).scaleb(-currency_places(currency))


def amount_text(value: Decimal | int | str, currency: str) -> str:
    """An amount as the API and the back office write it, with the currency's places: ``"5.00"`` for EUR,
    ``"500"`` for JPY."""
    return str(Decimal(value).quantize(currency_exponent(currency)))

"""How the back office writes amounts and usage, the same way on every page of every app.

An amount is ``ticketing.currency.amount_text`` (the API's places) followed by its currency: "184.20 EUR",
"1200 JPY", "1.250 KWD". Usage is "used / limit", with ``UNLIMITED`` for no limit: "3 / 10", "3 / ∞".
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.contrib import admin

from ticketing.currency import ISO_4217, amount_text

UNLIMITED = "∞"
NO_VALUE = "-"  # Django's empty value display, for an amount that is not set


def money_text(value: Decimal | int | str | None, currency: str) -> str:
    """``"184.20 EUR"``; ``"-"`` for no amount. A code outside the currency table (data written before it
    was checked) shows the amount as stored rather than failing the page."""
    if value is None:
        return NO_VALUE
    if currency not in ISO_4217:
        return f"{value} {currency}".strip()
    return f"{amount_text(value, currency)} {currency}"


def usage_text(used: int, limit: int | None) -> str:
    """``"3 / 10"``; ``"3 / ∞"`` without a limit."""
    return f"{used} / {UNLIMITED if limit is None else limit}"


def money_field(field: str, currency: str, *, description: str | None = None) -> Callable[[Any, Any], str]:
    """A model admin method that shows the model field ``field`` as money (``shown_<field>``, ordered by
    the field). ``currency`` is the dotted path from the object to its currency code ("event.currency");
    the admin's queryset should fetch what lies on the path with the rows."""
    read_currency = attrgetter(currency)

    def show(model_admin, obj) -> str:
        return money_text(getattr(obj, field), read_currency(obj))

    show.__name__ = f"shown_{field}"
    return admin.display(description=description or field.replace("_", " "), ordering=field)(show)


def label_currency(form_class, names: tuple[str, ...], currency: str) -> None:
    """Name the currency in the labels of the amount fields ``names`` of a form class the admin has just
    built for one object ("Default price (EUR)"): the input itself is a plain number."""
    for name in names:
        field = form_class.base_fields.get(name)
        if field is not None and field.label:
            field.label = f"{field.label} ({currency})"


class CurrencyLabelledInline:
    """An inline whose amount fields (``money_fields``) are labelled with the currency of the page's
    object (``currency_of(obj)``, by default its event's)."""

    money_fields: tuple[str, ...] = ()

    def currency_of(self, obj) -> str:
        return obj.event.currency

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            label_currency(formset.form, self.money_fields, self.currency_of(obj))
        return formset

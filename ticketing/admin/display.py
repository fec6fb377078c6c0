"""How the back office writes amounts and usage, the same way on every page of every app.

An amount is ``ticketing.currency.amount_text`` (the API's places) followed by its currency: "184.20 EUR",
"1200 JPY", "1.250 KWD". Usage is "used / limit", with ``UNLIMITED`` for no limit: "3 / 10", "3 / ∞".
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models

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


def amount_input_text(value: Decimal, currency: str | None) -> str:
    """A stored amount as an input shows it: with the currency's places ("184.20" EUR, "1200" JPY), or,
    without a currency (an organizer-wide amount, a percentage), with at least two places and no zeros
    past them ("10.00", "12.125"). A stored amount with more places than its currency keeps them all:
    saving the form unchanged must not round it."""
    if currency in ISO_4217:
        shown = amount_text(value, currency)
        if Decimal(shown) == value:
            return shown
    trimmed = value.normalize()
    if trimmed.as_tuple().exponent > -2:
        trimmed = trimmed.quantize(Decimal("0.01"))
    return f"{trimmed:f}"


class AmountInput(forms.NumberInput):
    """The back office's number input for amounts (stored with 3 places): shows them as
    :func:`amount_input_text` does, for ``currency`` (None: not known here). What a user typed is shown
    back as typed."""

    def __init__(self, attrs=None, currency: str | None = None) -> None:
        super().__init__(attrs)
        self.currency = currency

    def format_value(self, value):
        if isinstance(value, Decimal) and value.is_finite():
            return amount_input_text(value, self.currency)
        return super().format_value(value)


#: ``formfield_overrides`` of every back-office model admin and inline: amounts without "184.200".
AMOUNT_INPUTS = {models.DecimalField: {"widget": AmountInput}}


def label_currency(form_class, names: tuple[str, ...], currency: str) -> None:
    """Name the currency in the labels of the amount fields ``names`` of a form class the admin has just
    built for one object ("Default price (EUR)") and show their values with its places ("184.20"): the
    input itself is a plain number."""
    for name in names:
        field = form_class.base_fields.get(name)
        if field is None:
            continue
        if field.label:
            field.label = f"{field.label} ({currency})"
        field.widget = AmountInput(attrs=field.widget.attrs, currency=currency)


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

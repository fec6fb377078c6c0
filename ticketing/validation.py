"""Validation of ticketing resources, written once.

Each function takes the resource's field values as keyword arguments (missing
optional ones default to None) and raises Django's ``ValidationError`` with a
dict naming the field. ``Model.clean()``, the API serializers and the admin
forms all call these, so the three give the same messages.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError

from ticketing.currency import ISO_4217
from ticketing.payment_terms import MAX_DAYS_BEFORE_START, MAX_TERM_DAYS, MAX_TERM_MINUTES, PaymentTermMode


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class Errors:
    """Collects field errors and raises them together."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def check_window(
    errors: Errors, start: datetime | None, end: datetime | None, end_field: str, what: str
) -> None:
    if start is not None and end is not None and end < start:
        errors.add(end_field, f"{what} must not be before its start.")


def _same_event(obj: Any, event: Any) -> bool:
    return obj is None or event is None or obj.event_id == event.pk


def validate_event(
    *,
    currency: str | None = None,
    timezone: str | None = None,
    date_from=None,
    date_to=None,
    presale_start=None,
    presale_end=None,
    **_: Any,
) -> None:
    errors = Errors()
    if currency is not None and currency not in ISO_4217:
        errors.add("currency", f"'{currency}' is not an ISO 4217 currency code (e.g. EUR, USD, JPY).")
    if timezone is not None and timezone not in _timezones():
        errors.add("timezone", f"'{timezone}' is not a known time zone (e.g. Europe/Berlin).")
    check_window(errors, date_from, date_to, "date_to", "The end of the event")
    check_window(errors, presale_start, presale_end, "presale_end", "The end of presale")
    errors.raise_if_any()


def validate_subevent(
    *, event=None, date_from=None, date_to=None, presale_start=None, presale_end=None, **_: Any
) -> None:
    errors = Errors()
    if event is not None and not event.has_subevents:
        errors.add("non_field_errors", "Dates can only be added to an event series (has_subevents).")
    check_window(errors, date_from, date_to, "date_to", "The end of the date")
    check_window(errors, presale_start, presale_end, "presale_end", "The end of presale")
    errors.raise_if_any()


def validate_price_overrides(
    *, event=None, item_overrides: Iterable = (), variation_overrides: Iterable = ()
) -> None:
    errors = Errors()
    for item in item_overrides:
        if not _same_event(item, event):
            errors.add("item_price_overrides", f"Item {item.pk} does not belong to this event.")
    for variation in variation_overrides:
        if event is not None and variation.item.event_id != event.pk:
            errors.add(
                "variation_price_overrides", f"Variation {variation.pk} does not belong to this event."
            )
    errors.raise_if_any()


def validate_item(
    *,
    event=None,
    category=None,
    min_per_order=None,
    max_per_order=None,
    available_from=None,
    available_until=None,
    limit_sales_channels: Iterable | None = None,
    **_: Any,
) -> None:
    errors = Errors()
    if not _same_event(category, event):
        errors.add("category", "The category belongs to another event.")
    if min_per_order is not None and max_per_order is not None and max_per_order < min_per_order:
        errors.add("max_per_order", "The maximum per order must not be below the minimum per order.")
    check_window(errors, available_from, available_until, "available_until", "The end of availability")
    for channel in limit_sales_channels or ():
        if event is not None and channel.organizer_id != event.organizer_id:
            errors.add(
                "limit_sales_channels", f"Sales channel '{channel.identifier}' belongs to another organizer."
            )
    errors.raise_if_any()


def validate_addon(*, base_item=None, addon_category=None, min_count=0, max_count=1, **_: Any) -> None:
    errors = Errors()
    if base_item is not None and addon_category is not None and addon_category.event_id != base_item.event_id:
        errors.add("addon_category", "The add-on category belongs to another event.")
    if min_count is not None and max_count is not None and max_count < min_count:
        errors.add("max_count", "The maximum count must not be below the minimum count.")
    errors.raise_if_any()


def validate_bundle(*, base_item=None, bundled_item=None, bundled_variation=None, **_: Any) -> None:
    errors = Errors()
    if base_item is not None and bundled_item is not None:
        if bundled_item.event_id != base_item.event_id:
            errors.add("bundled_item", "The bundled item belongs to another event.")
        elif bundled_item.pk == base_item.pk:
            errors.add("bundled_item", "An item cannot be bundled with itself.")
    if bundled_variation is not None and (
        bundled_item is None or bundled_variation.item_id != bundled_item.pk
    ):
        errors.add("bundled_variation", "The variation belongs to another item.")
    elif (
        bundled_variation is None
        and bundled_item is not None
        and bundled_item.pk
        and bundled_item.variations.exists()
    ):
        errors.add("bundled_variation", "The bundled item has variations: choose one.")
    errors.raise_if_any()


def validate_quota(
    *, event=None, subevent=None, items: Iterable = (), variations: Iterable = (), **_: Any
) -> None:
    errors = Errors()
    items = list(items or ())
    if event is not None:
        if event.has_subevents and subevent is None:
            errors.add("subevent", "A quota of an event series needs a date.")
        if not event.has_subevents and subevent is not None:
            errors.add("subevent", "This event is not a series: a quota cannot have a date.")
    if not _same_event(subevent, event):
        errors.add("subevent", "The date belongs to another event.")
    for item in items:
        if not _same_event(item, event):
            errors.add("items", f"Item {item.pk} belongs to another event.")
    item_ids = {item.pk for item in items}
    for variation in variations or ():
        if variation.item_id not in item_ids:
            errors.add(
                "variations", f"Variation {variation.pk} belongs to an item that is not in this quota."
            )
    errors.raise_if_any()


def validate_event_settings(
    *,
    payment_term_mode: str | None = None,
    payment_term_days: int | None = None,
    payment_term_minutes: int | None = None,
    payment_term_last_date=None,
    payment_term_last_days_before: int | None = None,
    **_: Any,
) -> None:
    """An event's settings (``EventSettings``): the payment terms' mode and bounds, and at most one last date
    of payments (a date, or days before the start)."""
    errors = Errors()
    modes = [mode.value for mode in PaymentTermMode]
    if payment_term_mode is not None and payment_term_mode not in modes:
        choices = " or ".join(modes)
        errors.add("payment_term_mode", f"'{payment_term_mode}' is not a payment term mode ({choices}).")
    bounds = (
        ("payment_term_days", payment_term_days, MAX_TERM_DAYS),
        ("payment_term_minutes", payment_term_minutes, MAX_TERM_MINUTES),
        ("payment_term_last_days_before", payment_term_last_days_before, MAX_DAYS_BEFORE_START),
    )
    for field, value, most in bounds:
        if value is not None and not 0 <= value <= most:
            errors.add(field, f"Must be between 0 and {most}.")
    if payment_term_last_date is not None and payment_term_last_days_before is not None:
        errors.add(
            "payment_term_last_days_before",
            "The last date of payments is either a date or a number of days before the start, not both.",
        )
    errors.raise_if_any()

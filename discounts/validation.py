"""Validation of discount rules, written once (contract section 2, *valid configurations*).

``validate_discount`` is called by ``Discount.clean()`` (every concrete field),
by the API serializer (the rule's values after the request, defaults filled in)
and by the admin form's ``clean()`` (the many-to-many lists, which
``Model.clean()`` cannot see before the rule is saved).

A check runs when at least one of the fields it is about was passed; a field it
also needs but that was not passed takes the model default. So the admin form can
check the product and channel lists alone without repeating the messages that
``Model.clean()`` gives for the other fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from discounts.models import Discount, SubeventMode
from ticketing.validation import Errors, check_window

MAX_PERCENT = Decimal(100)

MIN_BOTH = "Set either a minimum number of matching products or a minimum value, not both."
MIN_NEITHER = (
    "Set either a minimum number of matching products (condition_min_count) "
    "or a minimum value (condition_min_value)."
)
CHEAPEST_N_NEEDS_COUNT = (
    "Only discounting the cheapest products needs a minimum number of matching products, not a minimum value."
)
CHEAPEST_N_POSITIVE = "Leave this empty to discount every match, or set it to at least 1."
DISTINCT_NEEDS_COUNT = (
    "Different dates per group needs a minimum number of matching products, not a minimum value."
)
DISTINCT_NEEDS_SAME_PRODUCTS = (
    "With different dates per group, the discount must apply to the same products as the condition."
)
PERCENT_RANGE = "The percentage must be between 0 and 100."

_DEFAULTS: dict[str, Any] = {
    field.name: field.get_default()
    for field in Discount._meta.concrete_fields
    if field.name not in ("id", "event")
}


def validate_discount(*, event=None, **values: Any) -> None:
    """Raise ``ValidationError({field: [message]})`` for every rule of the contract the values break."""
    errors = Errors()
    given = values.keys()

    def value(name: str) -> Any:
        given_value = values.get(name)
        return _DEFAULTS.get(name) if given_value is None else given_value

    def about(*names: str) -> bool:
        return any(name in given for name in names)

    min_count = value("condition_min_count") or 0
    min_value = value("condition_min_value") or Decimal(0)
    cheapest_n = values.get("benefit_only_apply_to_cheapest_n_matches")
    mode = value("subevent_mode")

    if about("condition_min_count", "condition_min_value"):
        if min_count > 0 and min_value > 0:
            errors.add("condition_min_value", MIN_BOTH)
        elif min_count <= 0 and min_value <= 0:
            errors.add("condition_min_count", MIN_NEITHER)
    if about("benefit_only_apply_to_cheapest_n_matches", "condition_min_count", "condition_min_value"):
        if cheapest_n is not None and cheapest_n < 1:
            errors.add("benefit_only_apply_to_cheapest_n_matches", CHEAPEST_N_POSITIVE)
        elif cheapest_n and min_value > 0:
            errors.add("benefit_only_apply_to_cheapest_n_matches", CHEAPEST_N_NEEDS_COUNT)
    if about("subevent_mode", "condition_min_count", "condition_min_value", "benefit_same_products"):
        if mode == SubeventMode.DISTINCT and min_value > 0:
            errors.add("subevent_mode", DISTINCT_NEEDS_COUNT)
        if mode == SubeventMode.DISTINCT and not value("benefit_same_products"):
            errors.add("benefit_same_products", DISTINCT_NEEDS_SAME_PRODUCTS)
    if about("benefit_discount_matching_percent"):
        percent = value("benefit_discount_matching_percent")
        if not Decimal(0) <= percent <= MAX_PERCENT:
            errors.add("benefit_discount_matching_percent", PERCENT_RANGE)
    if about("available_from", "available_until"):
        check_window(
            errors, values.get("available_from"), values.get("available_until"),
            "available_until", "The end of availability",
        )
    if about("subevent_date_from", "subevent_date_until"):
        check_window(
            errors, values.get("subevent_date_from"), values.get("subevent_date_until"),
            "subevent_date_until", "The end of the date window",
        )
    _check_products(errors, event, "condition_limit_products", values.get("condition_limit_products"))
    _check_products(errors, event, "benefit_limit_products", values.get("benefit_limit_products"))
    _check_channels(errors, event, values.get("limit_sales_channels"))
    # subevent_mode other than "mixed" on an event that is not a series is accepted, as pretix does:
    # the engine treats every event that is not a series as one group (contract 2.2).
    errors.raise_if_any()


def _check_products(errors: Errors, event, field: str, items: Iterable | None) -> None:
    if event is None or items is None:
        return
    for item in items:
        if item.event_id != event.pk:
            errors.add(field, f"Product {item.pk} belongs to another event.")


def _check_channels(errors: Errors, event, channels: Iterable | None) -> None:
    if event is None or channels is None:
        return
    for channel in channels:
        if channel.organizer_id != event.organizer_id:
            errors.add(
                "limit_sales_channels", f"Sales channel '{channel.identifier}' belongs to another organizer."
            )

"""Validation of vouchers, coupon series, coupons and promo codes that needs no query.

Each function takes the resource's field values as keyword arguments; a ``check_*`` adds what is
wrong to an ``Errors``, a ``validate_*`` raises Django's ``ValidationError`` with a dict naming the
field. These rules look only at the values they are given and look nothing up, so the models call
them from ``Model.clean()`` and this module imports no model, selector or quota counter.
Many-to-many values (``allowed_events``, ``allowed_items``) are checked only when given (``None``:
not known, as in ``Model.clean()`` before the relations are saved).

The checks that query the database — a code already taken in the event or the organizer, room in
the quota for a voucher that blocks it, the items a series may be limited to — live beside the
services that write: ``vouchers.services.checks``. Its ``validate_voucher``, ``validate_coupon`` and
``validate_promo_code`` run these rules and those checks together; the API serializers and the admin
forms call them.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ticketing.currency import ISO_4217, currency_exponent, currency_places
from ticketing.validation import Errors, check_window
from vouchers.choices import DiscountType, PriceMode, SeriesKind
from vouchers.codes import code_text_errors, normalise_code

HUNDRED = Decimal("100")
MAX_TAG_LENGTH = 50


def check_code_text(errors: Errors, code: str, field: str = "code") -> bool:
    problems = code_text_errors(code)
    for message in problems:
        errors.add(field, message)
    return not problems


def check_percent(errors: Errors, field: str, value: Decimal | None) -> None:
    if value is not None and not Decimal("0") <= value <= HUNDRED:
        errors.add(field, "A percentage must be between 0 and 100.")


def check_voucher(
    errors: Errors,
    *,
    event=None,
    code: str | None = None,
    max_usages: int | None = 1,
    min_usages: int | None = 1,
    redeemed: int | None = 0,
    budget: Decimal | None = None,
    budget_used: Decimal | None = None,
    valid_from=None,
    valid_until=None,
    block_quota: bool = False,
    price_mode: str | None = PriceMode.NONE,
    value: Decimal | None = None,
    item=None,
    variation=None,
    quota=None,
    subevent=None,
    **_: Any,
) -> None:
    """The rules of docs/codes.md, "Voucher behaviour: validation", that need no query; an empty code
    is fine (it is generated on create)."""
    code = normalise_code(code)
    if code:
        check_code_text(errors, code)
    redeemed = redeemed or 0
    if max_usages is not None and max_usages < redeemed:
        errors.add(
            "max_usages", f"It has already been redeemed {redeemed} times: max_usages cannot be lower."
        )
    if min_usages is not None and min_usages < 1:
        errors.add("min_usages", "min_usages must be at least 1.")
    elif max_usages is not None and min_usages is not None and max_usages < min_usages:
        errors.add("max_usages", "max_usages must not be below min_usages.")
    if budget is not None and budget < 0:
        errors.add("budget", "The budget cannot be negative.")
    elif budget is not None and budget_used and budget < budget_used:
        errors.add("budget", f"{budget_used} of the budget has been used: the budget cannot be lower.")
    elif (
        budget is not None
        and event is not None
        and budget != budget.quantize(currency_exponent(event.currency))
    ):
        places = currency_places(event.currency)
        errors.add("budget", f"{event.currency} amounts have at most {places} decimal places.")
    check_window(errors, valid_from, valid_until, "valid_until", "The end of validity")
    if price_mode == PriceMode.PERCENT:
        check_percent(errors, "value", value)
    if value is not None and value < 0:
        errors.add("value", "The value cannot be negative.")
    check_voucher_scope(errors, event=event, item=item, variation=variation, quota=quota, subevent=subevent)
    if block_quota:
        if item is None and quota is None:
            errors.add("block_quota", "A voucher that blocks quota needs an item or a quota.")
        elif event is not None and event.has_subevents and subevent is None:
            errors.add(
                "block_quota", "In an event series a voucher that blocks quota needs a date (subevent)."
            )


def validate_voucher_rules(**values: Any) -> None:
    """What ``Voucher.clean()`` checks: :func:`check_voucher`."""
    errors = Errors()
    check_voucher(errors, **values)
    errors.raise_if_any()


def check_voucher_scope(errors: Errors, *, event, item, variation, quota, subevent) -> None:
    if quota is not None and item is not None:
        errors.add("non_field_errors", "A voucher is valid for either an item or a quota, not both.")
    if quota is not None and event is not None and quota.event_id != event.pk:
        errors.add("quota", "The quota belongs to another event.")
    if item is not None:
        if event is not None and item.event_id != event.pk:
            errors.add("item", "The item belongs to another event.")
        elif item.require_bundling or item.only_as_addon:
            errors.add(
                "item", "This item is only sold as an add-on or inside a bundle: a voucher cannot target it."
            )
    if variation is not None:
        if item is None:
            errors.add("variation", "A variation needs its item.")
        elif variation.item_id != item.pk:
            errors.add("variation", "The variation belongs to another item.")
    if subevent is not None and event is not None:
        if not event.has_subevents:
            errors.add("subevent", "This event is not a series: a voucher cannot have a date.")
        elif subevent.event_id != event.pk:
            errors.add("subevent", "The date belongs to another event.")


def check_events_of_organizer(errors: Errors, *, organizer, events: Iterable) -> None:
    """The events a code is limited to (``allowed_events``) are its organizer's."""
    for event in events:
        if organizer is not None and event.organizer_id != organizer.pk:
            errors.add("allowed_events", f"Event '{event.slug}' belongs to another organizer.")


def check_events_and_items(
    errors: Errors,
    *,
    organizer,
    allow_all_events: bool,
    allowed_events: Iterable | None,
    allow_all_items: bool,
    allowed_items: Iterable | None,
) -> None:
    events = None if allowed_events is None else list(allowed_events)
    items = None if allowed_items is None else list(allowed_items)
    if events is not None:
        check_events_of_organizer(errors, organizer=organizer, events=events)
        if not allow_all_events and not events:
            errors.add("allowed_events", "Choose at least one event, or allow all events.")
    if items is not None:
        event_ids = None if allow_all_events or events is None else {e.pk for e in events}
        for item in items:
            if organizer is not None and item.event.organizer_id != organizer.pk:
                errors.add("allowed_items", f"Item {item.pk} belongs to another organizer.")
            elif event_ids is not None and item.event_id not in event_ids:
                errors.add("allowed_items", f"Item {item.pk} belongs to an event that is not allowed.")
        if not allow_all_items and not items:
            errors.add("allowed_items", "Choose at least one item, or allow all items.")


def check_unlocks(
    errors: Errors,
    *,
    organizer,
    allow_all_events: bool,
    allowed_events: Iterable | None,
    unlocks: Iterable | None,
) -> None:
    """The hidden items a series unlocks: of its organizer, and of an allowed event when it is limited to
    events (checked only when both lists are known)."""
    if unlocks is None:
        return
    event_ids = None if allow_all_events or allowed_events is None else {e.pk for e in allowed_events}
    for item in unlocks:
        if organizer is not None and item.event.organizer_id != organizer.pk:
            errors.add("unlocks", f"Item {item.pk} belongs to another organizer.")
        elif event_ids is not None and item.event_id not in event_ids:
            errors.add("unlocks", f"Item {item.pk} belongs to an event that is not allowed.")


def check_tags(errors: Errors, tags: Any) -> None:
    if tags is None:
        return
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        errors.add("tags", "Tags are a list of non-empty strings.")
    elif any(len(t) > MAX_TAG_LENGTH for t in tags):
        errors.add("tags", f"A tag has at most {MAX_TAG_LENGTH} characters.")


def validate_coupon_series(
    *,
    organizer=None,
    single_usage: bool = False,
    max_usage: int | None = None,
    discount_type: str | None = DiscountType.PERCENT,
    discount_value: Decimal | None = None,
    discount_max_value: Decimal | None = None,
    allow_all_events: bool = True,
    allowed_events=None,
    allow_all_items: bool = True,
    allowed_items=None,
    valid_from=None,
    valid_until=None,
    min_tickets_in_cart: int | None = None,
    max_tickets_in_cart: int | None = None,
    tags=None,
    unlocks=None,
    **_: Any,
) -> None:
    errors = Errors()
    if discount_value is None:
        errors.add("discount_value", "A discount value is required.")
    elif discount_value < 0:
        errors.add("discount_value", "The discount value cannot be negative.")
    elif discount_type == DiscountType.PERCENT:
        check_percent(errors, "discount_value", discount_value)
    if discount_max_value is not None:
        if discount_type != DiscountType.PERCENT:
            errors.add("discount_max_value", "Only a percent discount can be capped.")
        elif discount_max_value < 0:
            errors.add("discount_max_value", "The cap cannot be negative.")
    if single_usage and max_usage is not None and max_usage > 1:
        errors.add("max_usage", "A single-usage series allows one order per coupon.")
    if max_usage == 0:
        errors.add("max_usage", "max_usage must be at least 1 (or empty for no limit).")
    check_window(errors, valid_from, valid_until, "valid_until", "The end of validity")
    if (
        min_tickets_in_cart is not None
        and max_tickets_in_cart is not None
        and max_tickets_in_cart < min_tickets_in_cart
    ):
        errors.add("max_tickets_in_cart", "The maximum must not be below the minimum.")
    if max_tickets_in_cart == 0:
        errors.add("max_tickets_in_cart", "A cart holds at least one ticket: use at least 1 (or empty).")
    check_events_and_items(
        errors,
        organizer=organizer,
        allow_all_events=allow_all_events,
        allowed_events=allowed_events,
        allow_all_items=allow_all_items,
        allowed_items=allowed_items,
    )
    check_unlocks(
        errors, organizer=organizer, allow_all_events=allow_all_events, allowed_events=allowed_events,
        unlocks=unlocks,
    )  # fmt: skip
    check_tags(errors, tags)
    errors.raise_if_any()


def validate_series_relations(
    *,
    organizer=None,
    allow_all_events: bool = True,
    allowed_events=None,
    allow_all_items: bool = True,
    allowed_items=None,
    unlocks=None,
    **_: Any,
) -> None:
    """Only the events, items and unlocked items of a series (the admin form checks them before they are
    saved)."""
    errors = Errors()
    check_events_and_items(
        errors,
        organizer=organizer,
        allow_all_events=allow_all_events,
        allowed_events=allowed_events,
        allow_all_items=allow_all_items,
        allowed_items=allowed_items,
    )
    check_unlocks(
        errors, organizer=organizer, allow_all_events=allow_all_events, allowed_events=allowed_events,
        unlocks=unlocks,
    )  # fmt: skip
    errors.raise_if_any()


def check_coupon_series(errors: Errors, *, organizer, series) -> None:
    """The series a coupon belongs to: of its organizer, and not a promo code's (a stand-alone coupon's
    private series is its own: the API and the admin only offer coupon series to choose from)."""
    if series is not None:
        if organizer is not None and series.organizer_id != organizer.pk:
            errors.add("series", "The series belongs to another organizer.")
        elif series.kind == SeriesKind.PROMO_CODE:
            errors.add("series", "This series is a promo code; use the promo-codes resource.")


def check_customer_email(errors: Errors, customer_email: str | None) -> None:
    if customer_email:
        try:
            validate_email(customer_email)
        except ValidationError:
            errors.add("customer_email", "Enter a valid email address.")


def validate_coupon_rules(
    *,
    organizer=None,
    series=None,
    code: str | None = None,
    customer_email: str | None = None,
    **_: Any,
) -> None:
    """What ``Coupon.clean()`` checks: the series, the code's text (empty: generated on create), the email."""
    errors = Errors()
    check_coupon_series(errors, organizer=organizer, series=series)
    code = normalise_code(code)
    if code:
        check_code_text(errors, code)
    check_customer_email(errors, customer_email)
    errors.raise_if_any()


def check_promo_code(
    errors: Errors,
    *,
    code: str | None = None,
    value: Decimal | None = None,
    percentage: bool = False,
    start_date=None,
    end_date=None,
    organizer=None,
    allowed_events: Iterable | None = None,
    unlocks=None,
    items: Iterable | None = None,
    **_: Any,
) -> None:
    """The rules of a promo code that need no query: the code's text (required), value, dates, its events
    (the organizer's; none: every event), the items it unlocks (the organizer's, of its events when it
    is limited to events) and, when its ``items`` are limited (``items/``), that they stay of its events."""
    check_code_text(errors, normalise_code(code))
    if value is None:
        errors.add("value", "A value is required.")
    elif value < 0:
        errors.add("value", "The value cannot be negative.")
    elif percentage:
        check_percent(errors, "value", value)
    check_window(errors, start_date, end_date, "end_date", "The end date")
    events = list(allowed_events or ())
    check_events_of_organizer(errors, organizer=organizer, events=events)
    check_unlocks(
        errors, organizer=organizer, allow_all_events=not events, allowed_events=events, unlocks=unlocks
    )
    event_ids = {event.pk for event in events}
    for item in items or ():
        if event_ids and item.event_id not in event_ids:
            errors.add(
                "allowed_events",
                f"The promo code is limited to item {item.pk} of event '{item.event.slug}': allow that "
                "event too, or change its items (items/) first.",
            )


def check_gift_card(
    errors: Errors, *, code: str | None = None, currency: str | None = None, organizer=None,
    allowed_events: Iterable | None = None, **_: Any,
) -> None:
    """A gift card's code text (empty: generated on create), its currency (ISO 4217 with minor units) and
    its events (the organizer's own)."""
    code = normalise_code(code)
    if code:
        check_code_text(errors, code)
    if currency is not None and currency not in ISO_4217:
        errors.add("currency", f"'{currency}' is not an ISO 4217 currency code (e.g. EUR, USD, JPY).")
    check_events_of_organizer(errors, organizer=organizer, events=allowed_events or ())


def validate_gift_card_rules(**values: Any) -> None:
    errors = Errors()
    check_gift_card(errors, **values)
    errors.raise_if_any()

"""Automatic discount rules of an event (docs/pricing.md, section 2; pretix's discount resource).

A rule has a *condition* (which positions count, and how many or how much of
them are needed) and a *benefit* (which positions get how many percent off).
The pricing engine (``orders.pricing``) runs an event's active rules in
``(position, id)`` order; the checkout's catalog (``orders.checkout.catalog``) loads them.
Defaults are those of pretix's discount resource.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from core.constraints import window
from ticketing.models import Event, Item, SalesChannel
from ticketing.models.base import field_values
from ticketing.validation import Errors, check_window


class SubeventMode(models.TextChoices):
    """How a rule treats the dates of an event series (docs/pricing.md, section 2.2)."""

    MIXED = "mixed", "Dates can be mixed without limitation"
    SAME = "same", "All matching products must be for the same date"
    DISTINCT = "distinct", "Each matching product must be for a different date"


class Discount(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="discounts")
    active = models.BooleanField(default=True, help_text="Inactive rules are ignored at checkout.")
    internal_name = models.CharField(max_length=255, help_text="Shown in the backend only.")
    position = models.PositiveIntegerField(default=0, help_text="Rules run in ascending (position, id).")

    all_sales_channels = models.BooleanField(default=True)
    limit_sales_channels = models.ManyToManyField(
        SalesChannel, blank=True, related_name="discounts",
        help_text="Only used when the rule is not available on all sales channels.",
    )
    available_from = models.DateTimeField(null=True, blank=True)
    available_until = models.DateTimeField(null=True, blank=True)

    subevent_mode = models.CharField(
        "event series handling", max_length=16, choices=SubeventMode.choices, default=SubeventMode.MIXED
    )
    subevent_date_from = models.DateTimeField(
        null=True, blank=True, help_text="Only positions of dates starting at or after this time count."
    )
    subevent_date_until = models.DateTimeField(
        null=True, blank=True, help_text="Only positions of dates starting at or before this time count."
    )

    condition_all_products = models.BooleanField(default=True, help_text="All products, including new ones.")
    condition_limit_products = models.ManyToManyField(
        Item, blank=True, related_name="condition_discounts",
        help_text="Only used when the condition is not on all products.",
    )
    condition_apply_to_addons = models.BooleanField(
        default=True, help_text="Count add-on products (bundled products never count)."
    )
    condition_ignore_voucher_discounted = models.BooleanField(
        default=False, help_text="Do not count products a voucher already discounted."
    )
    condition_min_count = models.PositiveIntegerField(
        "minimum number of matching products", default=0
    )
    condition_min_value = models.DecimalField(
        "minimum value of matching products", max_digits=13, decimal_places=3, default=Decimal("0.00")
    )

    benefit_same_products = models.BooleanField(
        default=True, help_text="Discount the products the condition matched (else the products below)."
    )
    benefit_limit_products = models.ManyToManyField(
        Item, blank=True, related_name="benefit_discounts",
        help_text="Only used when the benefit is not on the same products.",
    )
    benefit_apply_to_addons = models.BooleanField(default=True)
    benefit_ignore_voucher_discounted = models.BooleanField(default=False)
    benefit_discount_matching_percent = models.DecimalField(
        "percent off matching products", max_digits=5, decimal_places=2, default=Decimal("0.00")
    )
    benefit_only_apply_to_cheapest_n_matches = models.PositiveIntegerField(
        "only discount the cheapest n of each group", null=True, blank=True,
        validators=[MinValueValidator(1)],
        help_text='"3 for 2": minimum count 3, cheapest 1, 100 percent. Empty: discount every match.',
    )

    class Meta:
        ordering = ("position", "id")
        indexes = [models.Index(fields=["event", "active", "position"], name="discount_event_order")]
        # The simple half of validate_discount, enforced by the database as well.
        constraints = [
            models.CheckConstraint(
                condition=Q(benefit_discount_matching_percent__range=(0, 100)),
                name="discount_percent_0_100",
            ),
            models.CheckConstraint(condition=Q(condition_min_count__gte=0), name="discount_min_count_ge_0"),
            models.CheckConstraint(condition=Q(condition_min_value__gte=0), name="discount_min_value_ge_0"),
            models.CheckConstraint(
                condition=Q(condition_min_count__gt=0, condition_min_value=0)
                | Q(condition_min_count=0, condition_min_value__gt=0),
                name="discount_min_count_xor_min_value",
            ),
            models.CheckConstraint(
                condition=Q(benefit_only_apply_to_cheapest_n_matches__isnull=True)
                | Q(benefit_only_apply_to_cheapest_n_matches__gte=1),
                name="discount_cheapest_n_ge_1",
            ),
            window("available_from", "available_until", name="discount_available_window"),
            window("subevent_date_from", "subevent_date_until", name="discount_subevent_date_window"),
        ]

    def __str__(self) -> str:
        return self.internal_name

    def clean(self) -> None:
        validate_discount(**field_values(self))


# --- Validation of a rule, written once (docs/pricing.md, section 2, *valid configurations*) ------
#
# ``validate_discount`` is called by ``Discount.clean()`` (every concrete field), by the API
# serializer (the rule's values after the request, defaults filled in) and by the admin form's
# ``clean()`` (the many-to-many lists, which ``Model.clean()`` cannot see before the rule is saved).
# It runs no query, so it lives with the model.
#
# A check runs when at least one of the fields it is about was passed; a field it also needs but
# that was not passed takes the model default. So the admin form can check the product and channel
# lists alone without repeating the messages that ``Model.clean()`` gives for the other fields.

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
    """Raise ``ValidationError({field: [message]})`` for every valid-configuration rule (docs/pricing.md,
    section 2) the values break."""
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
    # no position there has a date, and docs/pricing.md, section 2.2, says how each mode groups them.
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

"""Automatic discount rules of an event (contract section 2, pretix's discount resource).

A rule has a *condition* (which positions count, and how many or how much of
them are needed) and a *benefit* (which positions get how many percent off).
The pricing engine (``orders.pricing``) runs an event's active rules in
``(position, id)`` order; ``discounts.selectors.active_rules_for`` loads them.
Defaults are those of pretix's discount resource.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from core.constraints import window
from ticketing.models import Event, Item, SalesChannel
from ticketing.models.base import field_values


class SubeventMode(models.TextChoices):
    """How a rule treats the dates of an event series (contract section 2.2)."""

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
        from discounts.validation import validate_discount

        validate_discount(**field_values(self))

    # Readers of prefetched relations (see discounts.selectors.active_rules_for): no query when prefetched.
    @property
    def condition_product_ids(self) -> frozenset[int]:
        return frozenset(item.pk for item in self.condition_limit_products.all())

    @property
    def benefit_product_ids(self) -> frozenset[int]:
        return frozenset(item.pk for item in self.benefit_limit_products.all())

    @property
    def sales_channel_identifiers(self) -> frozenset[str] | None:
        """None when the rule is available on every sales channel."""
        if self.all_sales_channels:
            return None
        return frozenset(channel.identifier for channel in self.limit_sales_channels.all())

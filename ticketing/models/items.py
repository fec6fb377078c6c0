"""What is sold: categories, items, their variations, add-on offers and bundles."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from core.constraints import window
from ticketing.models.base import field_values
from ticketing.models.events import Event
from ticketing.models.organizers import SalesChannel

MONEY = {"max_digits": 13, "decimal_places": 3, "validators": [MinValueValidator(Decimal("0"))]}


class ItemCategory(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    is_addon = models.BooleanField(
        default=False, help_text="Products in this category are only sold as add-ons of another product."
    )

    class Meta:
        ordering = ("position", "id")
        verbose_name_plural = "item categories"

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="items")
    category = models.ForeignKey(
        ItemCategory, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    default_price = models.DecimalField(**MONEY)
    active = models.BooleanField(default=True)
    admission = models.BooleanField(default=True, help_text="Grants admission (a ticket, not merchandise).")
    hide_without_voucher = models.BooleanField(
        default=False, help_text="Only shown and sold with a code that unlocks it."
    )
    require_bundling = models.BooleanField(default=False, help_text="Only sold as part of a bundle.")
    issues_gift_card = models.BooleanField(
        default=False,
        db_default=False,  # rows written without the column (older code, older migrations' states) get false
        help_text="Each position of a paid order issues a gift card worth the position's price.",
    )
    min_per_order = models.PositiveIntegerField(null=True, blank=True)
    max_per_order = models.PositiveIntegerField(null=True, blank=True)
    available_from = models.DateTimeField(null=True, blank=True)
    available_until = models.DateTimeField(null=True, blank=True)
    all_sales_channels = models.BooleanField(default=True)
    limit_sales_channels = models.ManyToManyField(SalesChannel, blank=True, related_name="items")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")
        # The simple half of validate_item (and the price's validator), enforced by the database as well.
        constraints = [
            models.CheckConstraint(condition=Q(default_price__gte=0), name="item_price_ge_0"),
            window("min_per_order", "max_per_order", name="item_min_le_max_per_order"),
            window("available_from", "available_until", name="item_available_window"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from ticketing.validation import validate_item

        validate_item(**field_values(self))

    @property
    def only_as_addon(self) -> bool:
        return bool(self.category_id and self.category.is_addon)


class ItemVariation(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="variations")
    value = models.CharField(max_length=200)
    default_price = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Empty: the item's default price."
    )
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(default_price__isnull=True) | Q(default_price__gte=0), name="variation_price_ge_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.name} – {self.value}"

    @property
    def price(self) -> Decimal:
        return self.item.default_price if self.default_price is None else self.default_price


class ItemAddOn(models.Model):
    """``base_item`` offers the products of ``addon_category`` as add-ons."""

    base_item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="addons")
    addon_category = models.ForeignKey(ItemCategory, on_delete=models.CASCADE, related_name="addon_offers")
    min_count = models.PositiveIntegerField(default=0)
    max_count = models.PositiveIntegerField(default=1)
    price_included = models.BooleanField(default=False, help_text="Add-ons are free with the base product.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")
        constraints = [
            models.UniqueConstraint(fields=["base_item", "addon_category"], name="uniq_addon_category"),
            models.CheckConstraint(condition=Q(min_count__lte=F("max_count")), name="addon_min_le_max"),
        ]
        verbose_name = "add-on"

    def __str__(self) -> str:
        return f"{self.base_item.name} + {self.addon_category.name}"


class ItemBundle(models.Model):
    """Buying ``base_item`` includes ``count`` × ``bundled_item`` at ``designated_price`` each."""

    base_item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="bundles")
    bundled_item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="bundled_with")
    bundled_variation = models.ForeignKey(
        ItemVariation, on_delete=models.CASCADE, null=True, blank=True, related_name="bundled_with"
    )
    count = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    designated_price = models.DecimalField(**MONEY, default=Decimal("0"))

    class Meta:
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="bundle_count_positive"),
            models.CheckConstraint(condition=Q(designated_price__gte=0), name="bundle_designated_price_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.base_item.name} includes {self.count} × {self.bundled_item.name}"

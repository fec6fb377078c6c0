"""Organizer-wide codes: coupon series with their coupons, and promo codes.

A promo code is stored as a series of kind ``promo_code`` holding exactly one
coupon; its settings live on the series like a campaign's. A stand-alone coupon (vivenu's coupon
without a series) is stored the same way, as a private series of kind ``standalone``. So coupons and promo
codes share one table of codes — unique together per organizer, found by one
lookup and checked by one code path — and differ only in their API and admin.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from core.constraints import window
from ticketing.models import Event, Item, Organizer
from ticketing.models.base import field_values
from vouchers.choices import DiscountType, SeriesKind
from vouchers.validation import validate_coupon_rules, validate_coupon_series


class CouponSeries(models.Model):
    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="coupon_series")
    kind = models.CharField(
        max_length=20, choices=SeriesKind.choices, default=SeriesKind.COUPON, editable=False
    )
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    single_usage = models.BooleanField(default=False, help_text="Each coupon may be used by one order only.")
    max_usage = models.PositiveIntegerField(
        null=True, blank=True, help_text="Orders per coupon; empty: no limit."
    )
    max_usage_per_event = models.PositiveIntegerField(
        null=True, blank=True, help_text="Orders per coupon and event; empty: no limit."
    )
    max_tickets = models.PositiveIntegerField(
        null=True, blank=True, help_text="Discounted tickets per coupon over all its uses; empty: no limit."
    )
    can_be_combined = models.BooleanField(default=False, help_text="May share a cart with other codes.")
    discount_type = models.CharField(
        max_length=20, choices=DiscountType.choices, default=DiscountType.PERCENT
    )
    discount_value = models.DecimalField(max_digits=13, decimal_places=3)
    discount_max_value = models.DecimalField(
        max_digits=13,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Cap on a percent discount per order.",
    )
    allow_all_events = models.BooleanField(default=True)
    allowed_events = models.ManyToManyField(Event, blank=True, related_name="coupon_series")
    allow_all_items = models.BooleanField(default=True)
    allowed_items = models.ManyToManyField(Item, blank=True, related_name="coupon_series")
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    min_tickets_in_cart = models.PositiveIntegerField(null=True, blank=True)
    max_tickets_in_cart = models.PositiveIntegerField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True, help_text="Copied onto the orders that use a coupon.")
    reveal_allowed_items = models.BooleanField(
        default=False, help_text="Unlocks the allowed items even when they are hidden without a voucher."
    )
    unlocks = models.ManyToManyField(
        Item,
        blank=True,
        related_name="unlocking_series",
        help_text="Hidden items a cart holding one of its codes may buy (besides what reveal_allowed_items "
        "reveals); discounted only when also among the allowed items.",
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("id",)
        verbose_name_plural = "coupon series"
        indexes = [models.Index(fields=["organizer", "kind"], name="series_organizer_kind")]
        # The simple half of validate_coupon_series (and validate_promo_code), enforced by the database as
        # well. The coupons' usage counters are checked against these limits by the checkout only: a
        # check constraint cannot look at another table.
        constraints = [
            models.CheckConstraint(condition=Q(discount_value__gte=0), name="series_value_ge_0"),
            models.CheckConstraint(
                condition=~Q(discount_type=DiscountType.PERCENT) | Q(discount_value__range=(0, 100)),
                name="series_percent_0_100",
            ),
            models.CheckConstraint(
                condition=Q(discount_max_value__isnull=True) | Q(discount_max_value__gte=0),
                name="series_max_value_ge_0",
            ),
            models.CheckConstraint(
                condition=Q(max_usage__isnull=True) | Q(max_usage__gte=1), name="series_max_usage_ge_1"
            ),
            models.CheckConstraint(
                condition=Q(max_tickets_in_cart__isnull=True) | Q(max_tickets_in_cart__gte=1),
                name="series_max_tickets_in_cart_ge_1",
            ),
            window("min_tickets_in_cart", "max_tickets_in_cart", name="series_min_le_max_tickets_in_cart"),
            window("valid_from", "valid_until", name="series_valid_window"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        validate_coupon_series(**field_values(self))

    @property
    def max_orders_per_coupon(self) -> int | None:
        return 1 if self.single_usage else self.max_usage


class Coupon(models.Model):
    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="coupons")
    series = models.ForeignKey(CouponSeries, on_delete=models.CASCADE, related_name="coupons")
    code = models.CharField(
        max_length=255, help_text="Stored upper-cased; unique per organizer, ignoring case."
    )
    customer_email = models.EmailField(blank=True, help_text="Only this customer may use the coupon.")
    active = models.BooleanField(default=True)
    used_orders = models.PositiveIntegerField(default=0, editable=False)
    used_tickets = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            # One table for coupons and promo codes: a typed code is unambiguous within the organizer.
            models.UniqueConstraint(Upper("code"), "organizer", name="uniq_coupon_code_per_organizer"),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        """The rules that need no query. Whether the code is free in the organizer is checked where
        coupons are written: ``vouchers.services.checks.validate_coupon``."""
        validate_coupon_rules(**field_values(self))


class PromoCodeManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(series__kind=SeriesKind.PROMO_CODE).select_related("series")


class PromoCode(Coupon):
    """A promo code seen as its coupon row (the admin's and the API's handle on it)."""

    objects = PromoCodeManager()

    class Meta:
        proxy = True


class StandaloneCouponManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(series__kind=SeriesKind.STANDALONE).select_related("series")


class StandaloneCoupon(Coupon):
    """A stand-alone coupon seen as its coupon row (the admin's handle on it and its private series)."""

    objects = StandaloneCouponManager()

    class Meta:
        proxy = True
        verbose_name = "stand-alone coupon"


class CouponEventUsage(models.Model):
    """How often a coupon was used in one event (for ``max_usage_per_event``)."""

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="event_usages")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="coupon_usages")
    orders = models.PositiveIntegerField(default=0)
    tickets = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("id",)
        constraints = [models.UniqueConstraint(fields=["coupon", "event"], name="uniq_coupon_event_usage")]

    def __str__(self) -> str:
        return f"{self.coupon} in {self.event}: {self.orders} orders, {self.tickets} tickets"

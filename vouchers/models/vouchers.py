"""Event-scoped vouchers, shaped like pretix's voucher resource."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from core.constraints import window
from ticketing.models import Event, Item, ItemVariation, Quota, SubEvent
from ticketing.models.base import field_values
from vouchers.choices import PriceMode
from vouchers.validation import validate_voucher_rules


class Voucher(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="vouchers")
    code = models.CharField(max_length=255, help_text="Stored upper-cased; unique per event, ignoring case.")
    max_usages = models.PositiveIntegerField(default=1, help_text="How many positions may use it in total.")
    min_usages = models.PositiveIntegerField(
        default=1, help_text="A cart using it must hold at least this many positions with it."
    )
    redeemed = models.PositiveIntegerField(default=0, editable=False)
    budget = models.DecimalField(
        max_digits=13,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="The most discount this voucher may ever grant; empty: no limit.",
    )
    budget_used = models.DecimalField(max_digits=13, decimal_places=3, default=Decimal("0"), editable=False)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    block_quota = models.BooleanField(default=False, help_text="Hold its remaining uses out of the quota.")
    allow_ignore_quota = models.BooleanField(
        default=False, help_text="May be redeemed when the quota is full."
    )
    price_mode = models.CharField(max_length=10, choices=PriceMode.choices, default=PriceMode.NONE)
    value = models.DecimalField(max_digits=13, decimal_places=3, null=True, blank=True)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, null=True, blank=True, related_name="vouchers")
    variation = models.ForeignKey(
        ItemVariation, on_delete=models.CASCADE, null=True, blank=True, related_name="vouchers"
    )
    quota = models.ForeignKey(Quota, on_delete=models.CASCADE, null=True, blank=True, related_name="vouchers")
    subevent = models.ForeignKey(
        SubEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="vouchers"
    )
    tag = models.CharField(max_length=255, blank=True, help_text="Groups vouchers, e.g. of one campaign.")
    comment = models.TextField(blank=True)
    show_hidden_items = models.BooleanField(
        default=True, help_text="Unlocks items of its scope that are hidden without a voucher."
    )
    all_addons_included = models.BooleanField(default=False)
    all_bundles_included = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            # The expression index also serves lookups: they compare UPPER(code) with the normalised input.
            models.UniqueConstraint(Upper("code"), "event", name="uniq_voucher_code_per_event"),
            # The simple half of validate_voucher, enforced by the database as well. The usage counters
            # are raised only under the voucher's row lock after the checkout checked what is left.
            models.CheckConstraint(
                condition=Q(redeemed__lte=F("max_usages")), name="voucher_redeemed_le_max"
            ),
            models.CheckConstraint(condition=Q(min_usages__gte=1), name="voucher_min_usages_ge_1"),
            models.CheckConstraint(
                condition=Q(min_usages__lte=F("max_usages")), name="voucher_min_le_max_usages"
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="voucher_budget_ge_0"
            ),
            models.CheckConstraint(condition=Q(budget_used__gte=0), name="voucher_budget_used_ge_0"),
            # "+ 0.0005" is exact on PostgreSQL (3-place numerics: no value lies between) and absorbs
            # SQLite's floating-point sums: there budget_used = budget_used + 0.20 makes 0.10 + 0.20 > 0.30.
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget_used__lte=F("budget") + Decimal("0.0005")),
                name="voucher_budget_used_le_budget",
            ),
            # The value is an amount (set, subtract) or a percentage (percent): never negative either way.
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="voucher_value_ge_0"
            ),
            models.CheckConstraint(
                condition=~Q(price_mode=PriceMode.PERCENT) | Q(value__isnull=True) | Q(value__range=(0, 100)),
                name="voucher_percent_0_100",
            ),
            window("valid_from", "valid_until", name="voucher_valid_window"),
        ]
        indexes = [models.Index(fields=["event", "tag"], name="voucher_event_tag")]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        """The rules that need no query. Whether the code is free and the quota has room for a blocking
        voucher are checked where vouchers are written: ``vouchers.services.checks.validate_voucher``."""
        validate_voucher_rules(**field_values(self))

    @property
    def remaining_usages(self) -> int:
        return max(self.max_usages - self.redeemed, 0)

    @property
    def budget_remaining(self) -> Decimal | None:
        return None if self.budget is None else max(self.budget - self.budget_used, Decimal("0"))

    def is_active(self, now=None) -> bool:
        """Usable now as far as the voucher itself knows (dates, uses, budget)."""
        now = now or timezone.now()
        return (
            (self.valid_from is None or self.valid_from <= now)
            and (self.valid_until is None or now <= self.valid_until)
            and self.redeemed < self.max_usages
            and (self.budget is None or self.budget_used < self.budget)
        )

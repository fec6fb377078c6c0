"""Orders, their positions with the price breakdown, and code redemptions."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from discounts.models import Discount
from ticketing.models import Event, Item, ItemVariation, SalesChannel, SubEvent
from vouchers.choices import CodeKind
from vouchers.models import Coupon, Voucher

#: No I, J, O, 0 or 1, as for codes: nothing a customer could misread on a ticket.
ORDER_CODE_ALPHABET = "ABCDEFGHKLMNPQRSTUVWXYZ23456789"
#: 31**12 ≈ 7.9e17 codes: unguessable, and a collision within an event practically never happens
#: (the unique constraint still guards it).
ORDER_CODE_LENGTH = 12

MONEY = {"max_digits": 13, "decimal_places": 3}


def new_order_code() -> str:
    return "".join(secrets.choice(ORDER_CODE_ALPHABET) for _ in range(ORDER_CODE_LENGTH))


class OrderStatus(models.TextChoices):
    """pretix stores n/p/e/c; the API speaks these lowercase words (and shows pretix's letter)."""

    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    EXPIRED = "expired", "Expired"
    CANCELED = "canceled", "Canceled"


#: The statuses whose positions count against quotas and whose codes stay used.
LIVE_STATUSES = (OrderStatus.PENDING, OrderStatus.PAID)


class Order(models.Model):
    """An order. ``total = list_total − code_discount_total − rule_discount_total + fee_total``: the
    first three sum its positions that are not canceled, ``fee_total`` its fees that are not canceled.

    A pending order must be paid by ``expires``; then it expires (``orders.services.expiry``). What was
    paid and refunded are rows of their own (``OrderPayment``, ``OrderRefund``).
    """

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="orders")
    code = models.CharField(max_length=32, default=new_order_code, editable=False)
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    sales_channel = models.ForeignKey(SalesChannel, on_delete=models.PROTECT, related_name="orders")
    datetime = models.DateTimeField(default=timezone.now)
    list_total = models.DecimalField(**MONEY, default=Decimal("0"))
    code_discount_total = models.DecimalField(**MONEY, default=Decimal("0"))
    rule_discount_total = models.DecimalField(**MONEY, default=Decimal("0"))
    fee_total = models.DecimalField(**MONEY, default=Decimal("0"))
    total = models.DecimalField(**MONEY, default=Decimal("0"))
    expires = models.DateTimeField(
        null=True, blank=True, help_text="The payment deadline of a pending order: then it expires."
    )
    tags = models.JSONField(default=list, blank=True, help_text="From the coupon series the order used.")
    set_aside_codes = models.JSONField(
        default=list, blank=True,
        help_text="Codes of the checkout that were not applied because they would have raised the total: "
        '[{"code": "not_beneficial", "code_text": …, "total_with": "…"}].',
    )  # fmt: skip
    warnings = models.JSONField(
        default=list, blank=True,
        help_text='What the checkout warned of: [{"code": "partly_applied", "code_text": …, "discounted": k, '
        '"eligible": n}].',
    )  # fmt: skip
    paid_at = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-datetime", "-id")
        # code_discount_total is left free: a voucher setting a price above the list price makes it negative.
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="uniq_order_code_per_event"),
            models.CheckConstraint(condition=Q(list_total__gte=0), name="order_list_total_ge_0"),
            models.CheckConstraint(
                condition=Q(rule_discount_total__gte=0), name="order_rule_discount_total_ge_0"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_ge_0"),
            models.CheckConstraint(condition=Q(fee_total__gte=0), name="order_fee_total_ge_0"),
        ]
        indexes = [
            models.Index(fields=["event", "status"], name="order_event_status"),
            # The expiry task's scan: pending orders by deadline, whatever the event.
            models.Index(
                fields=["expires"], condition=Q(status="pending"), name="order_pending_expires"
            ),
            models.Index(fields=["event", "email"], name="order_event_email"),
        ]

    def __str__(self) -> str:
        return self.code


class OrderTag(models.Model):
    """One tag of an order, as a row so that orders can be filtered by tag on every database."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="tag_rows")
    tag = models.CharField(max_length=255)

    class Meta:
        ordering = ("id",)
        constraints = [models.UniqueConstraint(fields=["order", "tag"], name="uniq_order_tag")]
        indexes = [models.Index(fields=["tag"], name="ordertag_tag")]

    def __str__(self) -> str:
        return self.tag


class OrderPosition(models.Model):
    """A ticket, add-on or bundled product of an order, and why it costs what it costs.

    ``price = list_price − code_discount − rule_discount``. ``code`` is the code
    that changed the price (voucher, coupon or promo code; empty when none did)
    and ``discount_rule`` the automatic rule that consumed the position.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="positions")
    positionid = models.PositiveIntegerField(help_text="1, 2, 3 … within the order.")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="order_positions")
    variation = models.ForeignKey(
        ItemVariation, on_delete=models.PROTECT, null=True, blank=True, related_name="order_positions"
    )
    subevent = models.ForeignKey(
        SubEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="order_positions"
    )
    addon_to = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    is_bundled = models.BooleanField(default=False)
    list_price = models.DecimalField(**MONEY)
    code = models.CharField(max_length=255, blank=True)
    voucher = models.ForeignKey(
        Voucher, on_delete=models.SET_NULL, null=True, blank=True, related_name="order_positions"
    )
    coupon = models.ForeignKey(
        Coupon, on_delete=models.SET_NULL, null=True, blank=True, related_name="order_positions"
    )
    code_discount = models.DecimalField(**MONEY, default=Decimal("0"))
    discount_rule = models.ForeignKey(
        Discount, on_delete=models.PROTECT, null=True, blank=True, related_name="order_positions"
    )
    rule_discount = models.DecimalField(**MONEY, default=Decimal("0"))
    price = models.DecimalField(**MONEY)
    price_manual = models.BooleanField(
        default=False,
        help_text="The price was set by the caller that created the order (pretix's explicit price): no code "
        "or rule changed it.",
    )
    canceled = models.BooleanField(
        default=False,
        help_text="Canceled on its own (an order change, or a cancel that kept a fee): it no longer counts "
        "against quotas nor in the order's totals.",
    )

    class Meta:
        ordering = ("order", "positionid")
        # code_discount is left free: a voucher that sets a price above the list price makes it negative.
        constraints = [
            models.UniqueConstraint(fields=["order", "positionid"], name="uniq_positionid"),
            models.CheckConstraint(condition=Q(list_price__gte=0), name="orderpos_list_price_ge_0"),
            models.CheckConstraint(condition=Q(rule_discount__gte=0), name="orderpos_rule_discount_ge_0"),
            models.CheckConstraint(condition=Q(price__gte=0), name="orderpos_price_ge_0"),
        ]
        indexes = [models.Index(fields=["item", "order"], name="orderpos_item_order")]

    def __str__(self) -> str:
        return f"{self.order_id}-{self.positionid}"


class Redemption(models.Model):
    """One use of a code by an order: which positions it changed and the discount it granted.

    Canceling the order marks the row ``reversed`` (and gives the uses back); it is never deleted.
    """

    kind = models.CharField(max_length=20, choices=CodeKind.choices)
    code = models.CharField(max_length=255)
    voucher = models.ForeignKey(
        Voucher, on_delete=models.SET_NULL, null=True, blank=True, related_name="redemptions"
    )
    coupon = models.ForeignKey(
        Coupon, on_delete=models.SET_NULL, null=True, blank=True, related_name="redemptions"
    )
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="redemptions")
    positions = models.ManyToManyField(
        OrderPosition, blank=True, related_name="redemptions", through="RedemptionPosition"
    )
    uses = models.PositiveIntegerField(
        default=1, help_text="Uses counted: positions for a voucher, 1 order for a coupon or promo code."
    )
    tickets = models.PositiveIntegerField(default=0, help_text="Positions whose price the code changed.")
    discount = models.DecimalField(
        **MONEY, default=Decimal("0"), help_text="What the code took off the positions it changed."
    )
    saving = models.DecimalField(
        **MONEY, null=True, blank=True,
        help_text="What the code saved the customer: the order's total without it minus the total with it "
        "(coupons and promo codes; empty for a voucher).",
    )  # fmt: skip
    budget_spent = models.DecimalField(
        **MONEY, default=Decimal("0"), help_text="What it took from a voucher's budget (its own discount)."
    )
    deactivated_code = models.BooleanField(
        default=False, help_text="This use deactivated a one-time promo code (reactivated on cancel)."
    )
    reversed = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = [models.Index(fields=["code"], name="redemption_code")]
        # discount is left free: a voucher that sets a price above the list price makes it negative.
        constraints = [
            models.CheckConstraint(condition=Q(budget_spent__gte=0), name="redemption_budget_spent_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.code} → {self.order_id}"


class RedemptionPosition(models.Model):
    """A position a redemption's code changed, and what the code took off it (``amount``).

    A position carries one voucher or several stacked coupons and promo codes: its code discount is
    the sum of its links' amounts, in the order the codes were applied (the redemptions' order).
    """

    redemption = models.ForeignKey(Redemption, on_delete=models.CASCADE, related_name="position_links")
    orderposition = models.ForeignKey(OrderPosition, on_delete=models.CASCADE, related_name="code_links")
    amount = models.DecimalField(**MONEY, default=Decimal("0"), help_text="What the code took off it.")

    class Meta:
        db_table = "orders_redemption_positions"  # the table of the plain many-to-many it replaced
        unique_together = (("redemption", "orderposition"),)
        ordering = ("redemption_id",)

    def __str__(self) -> str:
        return f"{self.redemption_id} → {self.orderposition_id}: {self.amount}"

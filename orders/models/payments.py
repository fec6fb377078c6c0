"""What an order was paid and refunded, and its fee lines: each movement of money is a row.

An order's *net paid* is the sum of its confirmed payments (and of payments refunded since, whose refunds
are rows too) minus its refunds that are done. A payment of provider ``giftcard`` is a gift card paying
(its card's ledger has the matching ``payment`` entry); refunding it gives the amount back to the card.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from orders.models.orders import MONEY, Order
from vouchers.models import GiftCard

#: The provider of a gift card paying.
GIFT_CARD_PROVIDER = "giftcard"
#: The provider of a payment or refund recorded by hand (``mark_paid``, the back office).
MANUAL_PROVIDER = "manual"


class PaymentState(models.TextChoices):
    """pretix's payment states. ``confirmed`` and ``refunded`` payments brought money in."""

    CREATED = "created", "Created"
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    CANCELED = "canceled", "Canceled"
    FAILED = "failed", "Failed"
    REFUNDED = "refunded", "Refunded"


#: Payments whose money arrived (a refunded payment's money left again through its refunds' rows).
RECEIVED_STATES = (PaymentState.CONFIRMED, PaymentState.REFUNDED)
#: Payments still waiting for their money.
OPEN_PAYMENT_STATES = (PaymentState.CREATED, PaymentState.PENDING)


class RefundState(models.TextChoices):
    """pretix's refund states. Only ``done`` refunds took money out."""

    CREATED = "created", "Created"
    TRANSIT = "transit", "In transit"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"
    EXTERNAL = "external", "Found externally"


#: Refunds that will take, or took, money out: they count against what a payment can still refund.
ACTIVE_REFUND_STATES = (RefundState.CREATED, RefundState.TRANSIT, RefundState.DONE)


class RefundSource(models.TextChoices):
    ADMIN = "admin", "Organizer"
    BUYER = "buyer", "Customer"
    EXTERNAL = "external", "External"


class OrderPayment(models.Model):
    """A payment of an order, numbered ``local_id`` 1, 2, 3 … within it (pretix's ``local_id``)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    local_id = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=PaymentState.choices, default=PaymentState.CREATED)
    provider = models.CharField(max_length=64, help_text='"giftcard", "manual", or the shop\'s own name.')
    amount = models.DecimalField(**MONEY)
    created = models.DateTimeField(default=timezone.now)
    payment_date = models.DateTimeField(null=True, blank=True, help_text="When it was confirmed.")
    info = models.JSONField(default=dict, blank=True, help_text="What the provider recorded.")
    gift_card = models.ForeignKey(
        GiftCard, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    gift_card_code = models.CharField(max_length=255, blank=True, help_text="The card's code when it paid.")

    class Meta:
        ordering = ("order", "local_id")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="orderpayment_amount_gt_0"),
            models.UniqueConstraint(fields=["order", "local_id"], name="uniq_orderpayment_local_id"),
            models.CheckConstraint(
                condition=Q(provider=GIFT_CARD_PROVIDER, gift_card__isnull=False)
                | (~Q(provider=GIFT_CARD_PROVIDER) & Q(gift_card__isnull=True)),
                name="orderpayment_giftcard_has_card",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}-P-{self.local_id} {self.provider} {self.amount} {self.state}"


class OrderRefund(models.Model):
    """A refund of an order, numbered ``local_id`` within it; ``payment`` is the payment it gives back."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    local_id = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=RefundState.choices, default=RefundState.CREATED)
    source = models.CharField(max_length=10, choices=RefundSource.choices, default=RefundSource.ADMIN)
    provider = models.CharField(max_length=64)
    amount = models.DecimalField(**MONEY)
    payment = models.ForeignKey(
        OrderPayment, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    created = models.DateTimeField(default=timezone.now)
    execution_date = models.DateTimeField(null=True, blank=True, help_text="When it was done.")
    info = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ("order", "local_id")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="orderrefund_amount_gt_0"),
            models.UniqueConstraint(fields=["order", "local_id"], name="uniq_orderrefund_local_id"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}-R-{self.local_id} {self.provider} {self.amount} {self.state}"


class FeeType(models.TextChoices):
    """pretix's fee types."""

    PAYMENT = "payment", "Payment fee"
    SHIPPING = "shipping", "Shipping fee"
    SERVICE = "service", "Service fee"
    CANCELLATION = "cancellation", "Cancellation fee"
    INSURANCE = "insurance", "Insurance fee"
    LATE = "late", "Late fee"
    OTHER = "other", "Other fee"
    GIFT_CARD = "giftcard", "Gift card"


class OrderFee(models.Model):
    """A fee line of an order; the order's ``fee_total`` sums those not canceled."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fees")
    fee_type = models.CharField(max_length=16, choices=FeeType.choices)
    value = models.DecimalField(**MONEY)
    description = models.CharField(max_length=255, blank=True)
    internal_type = models.CharField(max_length=255, blank=True)
    canceled = models.BooleanField(default=False)

    class Meta:
        ordering = ("order", "id")
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="orderfee_value_ge_0")]

    def __str__(self) -> str:
        return f"{self.fee_type} {self.value}"

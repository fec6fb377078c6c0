"""Which order paid what with which gift card, which order issued which card, and a cart's cards.

The orders app owns these links (the cards themselves and their ledgers are the vouchers app's, which
the orders app changes only through ``vouchers.services.giftcards``). The vouchers app sits below the
orders app and may not point to an order, so the foreign keys live here; the cards' ledger entries name
the order by plain ``order_id`` / ``order_code``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from orders.models.carts import Cart
from orders.models.orders import MONEY, Order, OrderPosition
from vouchers.models import GiftCard


class GiftCardPayment(models.Model):
    """What one gift card paid of an order (its card's ledger has the matching ``payment``).

    Canceling the order gives the amount back to the card (a ``refund``) and marks the row
    ``refunded``; it is never deleted.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="gift_card_payments")
    gift_card = models.ForeignKey(GiftCard, on_delete=models.PROTECT, related_name="payments")
    code = models.CharField(max_length=255, help_text="The card's code when it paid.")
    amount = models.DecimalField(**MONEY)
    created = models.DateTimeField(default=timezone.now)
    refunded = models.BooleanField(default=False)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="giftcardpayment_amount_gt_0"),
            models.UniqueConstraint(fields=["order", "gift_card"], name="uniq_giftcardpayment_per_order"),
        ]

    def __str__(self) -> str:
        return f"{self.code} paid {self.amount} of {self.order_id}"


class GiftCardIssue(models.Model):
    """A gift card a paid order issued for one of its positions (an item with ``issues_gift_card``)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="gift_card_issues")
    position = models.OneToOneField(OrderPosition, on_delete=models.CASCADE, related_name="gift_card_issue")
    gift_card = models.OneToOneField(GiftCard, on_delete=models.PROTECT, related_name="issued_by")
    value = models.DecimalField(**MONEY, default=Decimal("0"))
    voided = models.BooleanField(default=False, help_text="The order was canceled: the card's value is void.")

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.gift_card_id} issued by {self.order_id}"


class CartGiftCard(models.Model):
    """A gift card a cart will pay with at checkout, in the order added. It holds no balance: the
    checkout reads the card's balance under its lock."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="gift_cards")
    gift_card = models.ForeignKey(GiftCard, on_delete=models.CASCADE, related_name="cart_links")
    code = models.CharField(max_length=255, help_text="Normalised (upper-cased).")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("id",)
        constraints = [models.UniqueConstraint(fields=["cart", "gift_card"], name="uniq_cart_gift_card")]

    def __str__(self) -> str:
        return self.code

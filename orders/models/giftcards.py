"""Which order issued which gift card, and a cart's cards (what a card paid is an ``OrderPayment`` of
provider ``giftcard``, ``orders.models.payments``).

The orders app owns these links (the cards themselves and their ledgers are the vouchers app's, which
the orders app changes only through ``vouchers.services.giftcards``). The vouchers app sits below the
orders app and may not point to an order, so the foreign keys live here; the cards' ledger entries name
the order by plain ``order_id`` / ``order_code``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone

from orders.models.carts import Cart
from orders.models.orders import MONEY, Order, OrderPosition
from vouchers.models import GiftCard


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

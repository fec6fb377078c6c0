"""Running counts of sold positions per product, so that quota checks do not count every order."""

from __future__ import annotations

from django.db import models

from orders.models.orders import OrderStatus
from ticketing.models import Item


class ProductSales(models.Model):
    """How many positions of pending (or paid) orders one product has: item, variation, date.

    ``variation_key`` / ``subevent_key`` are the variation's / date's id, or 0 for none (so
    that the unique key has no NULLs). The order services change these rows in the
    transaction that creates, pays or cancels an order (``orders.sales``); quota usage is
    the sum over a quota's products, whatever the number of orders sold.
    """

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="sales")
    variation_key = models.PositiveBigIntegerField(default=0)
    subevent_key = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=OrderStatus.choices)
    quantity = models.IntegerField(default=0)

    class Meta:
        ordering = ("item", "variation_key", "subevent_key", "status")
        verbose_name_plural = "product sales"
        constraints = [
            models.UniqueConstraint(
                fields=["item", "variation_key", "subevent_key", "status"], name="uniq_product_sales"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.variation_key}/{self.subevent_key} {self.status}: {self.quantity}"

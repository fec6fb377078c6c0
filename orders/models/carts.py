"""Carts: what a customer is about to buy, held against quotas until the cart expires."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from ticketing.models import Event, Item, ItemVariation, SalesChannel, SubEvent
from vouchers.models import Coupon, Voucher


class Cart(models.Model):
    """A cart of one event and sales channel. Its id is a random UUID: knowing it is the handle on it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="carts")
    sales_channel = models.ForeignKey(SalesChannel, on_delete=models.CASCADE, related_name="carts")
    email = models.EmailField(blank=True, help_text="The customer, when known (for customer-bound coupons).")
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField(help_text="Until then its positions and codes are held.")

    class Meta:
        ordering = ("created",)
        indexes = [models.Index(fields=["event", "expires"], name="cart_event_expires")]

    def __str__(self) -> str:
        return f"Cart {self.pk}"


class CartPosition(models.Model):
    """One ticket, add-on or bundled product in a cart.

    ``addon_to`` is the parent of an add-on, and of a bundled position (then
    ``is_bundled``). ``voucher`` is the event voucher this position carries;
    organizer-wide codes (coupons, promo codes) are applied to the whole cart
    (:class:`CartCode`) and the engine chooses the positions they change.
    """

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="positions")
    positionid = models.PositiveIntegerField(
        default=0, help_text="Place in the cart (pricing ties go by it; ids follow insertion by level)."
    )
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="cart_positions")
    variation = models.ForeignKey(
        ItemVariation, on_delete=models.CASCADE, null=True, blank=True, related_name="cart_positions"
    )
    subevent = models.ForeignKey(
        SubEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="cart_positions"
    )
    addon_to = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    is_bundled = models.BooleanField(default=False)
    voucher = models.ForeignKey(
        Voucher, on_delete=models.SET_NULL, null=True, blank=True, related_name="cart_positions"
    )

    class Meta:
        ordering = ("cart", "positionid", "id")
        indexes = [models.Index(fields=["item", "cart"], name="cartpos_item_cart")]

    def __str__(self) -> str:
        return f"{self.item} in {self.cart_id}"


class CartCode(models.Model):
    """A code applied to a cart, in the order applied. Exactly one of ``voucher`` / ``coupon`` is set."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=255, help_text="Normalised (upper-cased).")
    voucher = models.ForeignKey(
        Voucher, on_delete=models.CASCADE, null=True, blank=True, related_name="cart_codes"
    )
    coupon = models.ForeignKey(
        Coupon, on_delete=models.CASCADE, null=True, blank=True, related_name="cart_codes"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(fields=["cart", "code"], name="uniq_cart_code"),
            models.CheckConstraint(
                condition=models.Q(voucher__isnull=True, coupon__isnull=False)
                | models.Q(voucher__isnull=False, coupon__isnull=True),
                name="cart_code_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.code

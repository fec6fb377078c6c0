"""The one code an event designates as its event-level discount code (Open Event's ``discount-code``).

It only designates: the code a shop shows for the event. Prices are what the code itself grants, whether
it is designated or not. The designation points at exactly one code — a voucher of the event, or a coupon
or promo code (a ``Coupon`` row) of the organizer usable in the event — and goes with it when the code is
deleted.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from ticketing.models import Event
from vouchers.models.coupons import Coupon
from vouchers.models.vouchers import Voucher


class EventDiscountCode(models.Model):
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="discount_code")
    voucher = models.ForeignKey(
        Voucher, on_delete=models.CASCADE, null=True, blank=True, related_name="event_designations",
        help_text="A voucher of this event.",
    )  # fmt: skip
    coupon = models.ForeignKey(
        Coupon, on_delete=models.CASCADE, null=True, blank=True, related_name="event_designations",
        help_text="A coupon or promo code of the organizer whose series allows this event.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("id",)
        verbose_name = "event discount code"
        constraints = [
            models.CheckConstraint(
                condition=Q(voucher__isnull=False, coupon__isnull=True)
                | Q(voucher__isnull=True, coupon__isnull=False),
                name="event_discount_code_exactly_one",
            ),
        ]

    def __str__(self) -> str:
        code = self.voucher if self.voucher_id is not None else self.coupon
        return f"{self.event}: {code}"

    @property
    def code(self) -> Voucher | Coupon:
        return self.voucher if self.voucher_id is not None else self.coupon

"""The organizer's code space: one row per code text, claimed by the code that holds it.

A customer types a code without saying what kind it is, so within an organizer a text may belong to one
code only: a coupon, a promo code (a coupon row), a stand-alone coupon, a gift card — or the vouchers of
its events, which share one claim, since a voucher is unique per event only (two events may each have a
voucher ``SPRING-25``, as in pretix). The unique index on ``(organizer, text)`` decides when two requests
create the same text at the same moment: the second claim waits for the first transaction and is refused
once it commits. ``vouchers.services.code_texts`` writes the claims, in the transaction that writes the
code.

A claim of a coupon or gift card goes with its code (deleted with it by the foreign key). A claim of the
vouchers counts while some voucher of the organizer has the text; when the last one is deleted (also by
the deletion of its event, item or quota) or renamed, the claim stays behind, and the next code claiming
the text takes it over after checking, under the claim's row lock, that no voucher has it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from ticketing.models import Organizer
from vouchers.choices import CodeHolder
from vouchers.models.coupons import Coupon
from vouchers.models.giftcards import GiftCard


class CodeText(models.Model):
    # No index of its own: the unique index on (organizer, text) leads with it.
    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="+", db_index=False)
    text = models.CharField(max_length=255, help_text="The normalised code (vouchers.codes.normalise_code).")
    holder = models.CharField(max_length=10, choices=CodeHolder.choices)
    coupon = models.OneToOneField(
        Coupon, on_delete=models.CASCADE, null=True, blank=True, related_name="code_text"
    )
    gift_card = models.OneToOneField(
        GiftCard, on_delete=models.CASCADE, null=True, blank=True, related_name="code_text"
    )

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(fields=["organizer", "text"], name="uniq_code_text_per_organizer"),
            # Stored normalised, so that the plain unique index means "ignoring case".
            models.CheckConstraint(condition=Q(text=Upper("text")), name="code_text_upper"),
            # A coupon's or gift card's claim names its row; the vouchers' claim names none (they share it).
            models.CheckConstraint(
                condition=Q(holder=CodeHolder.VOUCHER, coupon__isnull=True, gift_card__isnull=True)
                | Q(holder=CodeHolder.COUPON, coupon__isnull=False, gift_card__isnull=True)
                | Q(holder=CodeHolder.GIFT_CARD, coupon__isnull=True, gift_card__isnull=False),
                name="code_text_holder_row",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text} ({self.holder})"

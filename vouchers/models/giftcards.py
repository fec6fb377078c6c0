"""Gift cards: value an organizer issues, sells and accepts, held in a ledger of transactions.

A card's balance is the sum of its transactions and is never stored apart from them
(``vouchers.selectors.gift_card_balances`` computes it, ``with_balance`` annotates a list). Every write
that takes value off a card locks the card's row first and checks the balance under the lock
(``vouchers.services.giftcards``); the database refuses a transaction that would take the balance below
zero as well (a trigger, see migration ``0003_gift_cards``), and each kind of transaction has its sign.

The ledger names the order a transaction belongs to by ``order_id`` and ``order_code`` as plain values:
the vouchers app sits below the orders app and may not point to its tables. Which order paid what with
which card, and which order issued which card, the orders app records itself (``orders.GiftCardPayment``,
``orders.GiftCardIssue``), with foreign keys to the cards.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from ticketing.models import Event, Organizer, TeamAPIToken
from ticketing.models.base import field_values
from vouchers.choices import GiftCardTransactionKind
from vouchers.validation import validate_gift_card_rules


class GiftCard(models.Model):
    """A card of one organizer, in one currency, usable in all its events or in ``allowed_events`` only."""

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="gift_cards")
    code = models.CharField(
        max_length=255,
        help_text="Stored upper-cased; unique among all of the organizer's codes, ignoring case.",
    )
    currency = models.CharField(max_length=3, help_text="ISO 4217; paying needs the event's currency.")
    expires = models.DateTimeField(null=True, blank=True, help_text="Empty: never.")
    note = models.TextField(blank=True)
    allowed_events = models.ManyToManyField(
        Event, blank=True, related_name="gift_cards", help_text="Empty: every event of the organizer."
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(Upper("code"), "organizer", name="uniq_giftcard_code_per_organizer"),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        """The rules that need no query; whether the code is free among the organizer's codes is checked
        where cards are written (``vouchers.services.checks.validate_gift_card``)."""
        validate_gift_card_rules(**field_values(self))

    def is_expired(self, now=None) -> bool:
        return self.expires is not None and self.expires < (now or timezone.now())


class GiftCardTransaction(models.Model):
    """One entry of a card's ledger: ``value`` is signed (a payment is negative)."""

    card = models.ForeignKey(GiftCard, on_delete=models.CASCADE, related_name="transactions")
    kind = models.CharField(max_length=20, choices=GiftCardTransactionKind.choices)
    value = models.DecimalField(max_digits=13, decimal_places=3)
    created = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token = models.ForeignKey(
        TeamAPIToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order_id = models.BigIntegerField(
        null=True, blank=True, help_text="The order (orders.Order's id) this transaction belongs to."
    )
    order_code = models.CharField(max_length=32, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ("card", "id")
        indexes = [models.Index(fields=["order_id"], name="giftcardtx_order")]
        constraints = [
            # Each kind has its sign; a correction goes either way but is never nothing.
            models.CheckConstraint(
                condition=~Q(kind=GiftCardTransactionKind.ISSUE) | Q(value__gte=0),
                name="giftcardtx_issue_ge_0",
            ),
            models.CheckConstraint(
                condition=~Q(kind=GiftCardTransactionKind.TOP_UP) | Q(value__gt=0),
                name="giftcardtx_top_up_gt_0",
            ),
            models.CheckConstraint(
                condition=~Q(kind=GiftCardTransactionKind.PAYMENT) | Q(value__lt=0),
                name="giftcardtx_payment_lt_0",
            ),
            models.CheckConstraint(
                condition=~Q(kind=GiftCardTransactionKind.REFUND) | Q(value__gt=0),
                name="giftcardtx_refund_gt_0",
            ),
            models.CheckConstraint(
                condition=~Q(kind=GiftCardTransactionKind.CORRECTION) | ~Q(value=Decimal("0")),
                name="giftcardtx_correction_ne_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card_id}: {self.kind} {self.value}"

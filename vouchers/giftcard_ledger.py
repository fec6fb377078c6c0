"""Writing a gift card's ledger entries, and announcing each as a ``giftcard.transaction`` notification in
the same transaction (``notifications``: the outbox).

Every change of a card's balance goes through :func:`transactions_write`: issuing, a top-up or correction,
an order paying with it, a refund back to it, voiding it. A notification is organizer-wide (no event); it
names the order when an order paid or got money back, and says the card's balance after the entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from notifications.services import NotificationSpec, announce_many
from notifications.types import NotificationType
from ticketing.currency import amount_text
from vouchers.models import GiftCard, GiftCardTransaction
from vouchers.selectors import gift_card_balances


def transactions_write(rows: Sequence[GiftCardTransaction], *, now: datetime) -> list[GiftCardTransaction]:
    """Insert the entries (one statement) and announce each; answers them with their ids."""
    if not rows:
        return []
    written = GiftCardTransaction.objects.bulk_create(rows)
    card_ids = {row.card_id for row in written}
    cards = {
        pk: (organizer_id, code, currency)
        for pk, organizer_id, code, currency in GiftCard.objects.filter(pk__in=card_ids).values_list(
            "pk", "organizer_id", "code", "currency"
        )
    }
    balance = gift_card_balances(card_ids)
    after: list[Decimal] = []
    for row in reversed(written):  # the balance after each entry: the last one's is the card's balance now
        after.append(balance[row.card_id])
        balance[row.card_id] -= row.value
    after.reverse()
    announce_many(
        [
            entry_spec(row, *cards[row.card_id], balance=balance_after)
            for row, balance_after in zip(written, after, strict=True)
        ],
        now=now,
    )
    return written


def entry_spec(
    row: GiftCardTransaction, organizer_id: int, code: str, currency: str, *, balance: Decimal
) -> NotificationSpec:
    return NotificationSpec(
        type=NotificationType.GIFTCARD_TRANSACTION, organizer_id=organizer_id, order_code=row.order_code,
        data={
            "gift_card": row.card_id, "code": code, "transaction": row.pk, "kind": row.kind,
            "value": amount_text(row.value, currency), "balance": amount_text(balance, currency),
            "currency": currency, "text": row.text,
        },
    )  # fmt: skip

"""The orders side of gift cards: recording what an order paid with its cards, issuing the cards its
gift-card items stand for once it is paid, and giving both back when it is canceled.

The cards and their ledgers are the vouchers app's: every change to them goes through
``vouchers.services.giftcards``, inside the order's transaction. This app records the links
(``GiftCardPayment``, ``GiftCardIssue``).

The cancel rule: canceling an order refunds to each card what it paid; and each card the order issued
is voided — its remaining value goes to zero by a correction — if it has not paid for anything yet
(payments given back by a cancel do not count). When one of them has, the cancel is refused with 409
``gift_card_spent`` and nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from orders.models import GiftCardIssue, GiftCardPayment, Order, OrderPosition
from vouchers.giftcards import GiftCardCharge
from vouchers.services.giftcards import gift_card_charges_record, gift_cards_issue, gift_cards_order_reversed


def order_gift_cards_pay(order: Order, shares: Sequence, *, now: datetime) -> list[GiftCardPayment]:
    """The order pays ``shares`` (``orders.checkout.giftcards.GiftCardShare``; their cards locked by the
    gather stage): one payment row each that pays something, and the cards' ledger entries."""
    paying = [share for share in shares if share.amount > 0]
    if not paying:
        return []
    rows = GiftCardPayment.objects.bulk_create([
        GiftCardPayment(order=order, gift_card_id=s.card.id, code=s.card.code, amount=s.amount, created=now)
        for s in paying
    ])  # fmt: skip
    gift_card_charges_record(
        charges=[GiftCardCharge(card_id=s.card.id, amount=s.amount) for s in paying],
        order_id=order.pk, order_code=order.code, now=now,
    )  # fmt: skip
    return rows


def order_gift_cards_issue(
    order: Order, positions: Sequence[OrderPosition], *, organizer_id: int, currency: str, now: datetime
) -> list[GiftCardIssue]:
    """A paid order's positions of gift-card items (``positions``, in order) each issue a card worth the
    position's price; a position that cost nothing issues none."""
    priced = [p for p in positions if p.price > 0]
    if not priced:
        return []
    cards = gift_cards_issue(
        organizer_id=organizer_id, currency=currency, values=[p.price for p in priced], order_id=order.pk,
        order_code=order.code, now=now,
    )  # fmt: skip
    issues = GiftCardIssue.objects.bulk_create([
        GiftCardIssue(order=order, position=position, gift_card=card, value=position.price)
        for position, card in zip(priced, cards, strict=True)
    ])  # fmt: skip
    for issue, position in zip(issues, priced, strict=True):
        issue.positionid = position.positionid
    return issues


def order_gift_cards_reverse(order: Order, *, now: datetime) -> None:
    """A canceled order: its cards' payments go back to them, the cards it issued are voided (or the
    cancel is refused with 409 ``gift_card_spent``, see the module's docstring)."""
    payments = list(GiftCardPayment.objects.filter(order=order, refunded=False).order_by("id"))
    issues = list(GiftCardIssue.objects.filter(order=order, voided=False).order_by("id"))
    if not payments and not issues:
        return
    gift_cards_order_reversed(
        refunds=[GiftCardCharge(card_id=p.gift_card_id, amount=p.amount) for p in payments],
        voided=[i.gift_card_id for i in issues], order_id=order.pk, order_code=order.code, now=now,
    )  # fmt: skip
    GiftCardPayment.objects.filter(pk__in=[p.pk for p in payments]).update(refunded=True, refunded_at=now)
    GiftCardIssue.objects.filter(pk__in=[i.pk for i in issues]).update(voided=True)

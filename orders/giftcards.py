"""The orders side of gift cards: an order paying with cards (payments of provider ``giftcard``),
issuing the cards its gift-card items stand for once it is paid, and giving both back.

The cards and their ledgers are the vouchers app's: every change to them goes through
``vouchers.services.giftcards``, inside the order's transaction. This app records the payments
(``OrderPayment``), their refunds (``OrderRefund``) and the cards it issued (``GiftCardIssue``).

The cancel rule: canceling an order refunds to each card what it paid (less what a cancellation fee
keeps); and each card the order issued is voided — its remaining value goes to zero by a correction —
if it has not paid for anything yet (payments given back do not count). When one of them has, the
cancel is refused with 409 ``gift_card_spent`` and nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from notifications.types import NotificationType
from orders.announce import refund_announced
from orders.models import (
    GIFT_CARD_PROVIDER,
    GiftCardIssue,
    Order,
    OrderPayment,
    OrderPosition,
    OrderRefund,
    PaymentState,
    RefundSource,
    RefundState,
)
from orders.payments import next_local_id, payment_refundable
from vouchers.giftcards import GiftCardCharge
from vouchers.services.giftcards import gift_card_charges_record, gift_cards_issue, gift_cards_order_reversed


def order_gift_cards_pay(order: Order, shares: Sequence, *, now: datetime) -> list[OrderPayment]:
    """The order pays ``shares`` (``orders.checkout.giftcards.GiftCardShare``; their cards locked by the
    gather stage): one confirmed payment of provider ``giftcard`` each that pays something, numbered 1, 2, …
    (the checkout stores new orders only), and the cards' ledger entries."""
    paying = [share for share in shares if share.amount > 0]
    if not paying:
        return []
    rows = OrderPayment.objects.bulk_create([
        OrderPayment(
            order=order, local_id=n, state=PaymentState.CONFIRMED, provider=GIFT_CARD_PROVIDER,
            amount=s.amount, created=now, payment_date=now, gift_card_id=s.card.id,
            gift_card_code=s.card.code,
        )
        for n, s in enumerate(paying, 1)
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
    priced = [p for p in positions if p.price > 0 and not p.canceled]
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


@dataclass(frozen=True)
class CardRefund:
    """Give ``amount`` of a gift card ``payment`` back to its card."""

    payment: OrderPayment
    amount: Decimal


def order_gift_cards_refund(
    order: Order,
    refunds: Sequence[CardRefund],
    *,
    void_issued: bool,
    now: datetime,
    reason: str,
    comment: str = "",
) -> list[OrderRefund]:
    """Give gift card payments back to their cards (one done refund each, the payment ``refunded`` once
    nothing of it is left) and, with ``void_issued``, void the cards the order issued (or refuse with 409
    ``gift_card_spent``, see the module's docstring). ``reason`` goes to the cards' ledgers."""
    refunds = [r for r in refunds if r.amount > 0]
    issues = (
        list(GiftCardIssue.objects.filter(order=order, voided=False).order_by("id")) if void_issued else []
    )
    if not refunds and not issues:
        return []
    gift_cards_order_reversed(
        refunds=[GiftCardCharge(card_id=r.payment.gift_card_id, amount=r.amount) for r in refunds],
        voided=[i.gift_card_id for i in issues], order_id=order.pk, order_code=order.code, now=now,
        text=reason,
    )  # fmt: skip
    first = next_local_id(OrderRefund, order)
    rows = OrderRefund.objects.bulk_create([
        OrderRefund(
            order=order, local_id=first + n, state=RefundState.DONE, source=RefundSource.ADMIN,
            provider=GIFT_CARD_PROVIDER, amount=r.amount, payment=r.payment, created=now,
            execution_date=now, comment=comment,
        )
        for n, r in enumerate(refunds)
    ])  # fmt: skip
    refund_announced(order, rows, NotificationType.ORDER_REFUND_CREATED, now=now)
    emptied = [r.payment.pk for r in refunds if payment_refundable(r.payment) <= 0]
    if emptied:
        OrderPayment.objects.filter(pk__in=emptied).update(state=PaymentState.REFUNDED)
    if issues:
        GiftCardIssue.objects.filter(pk__in=[i.pk for i in issues]).update(voided=True)
    return rows

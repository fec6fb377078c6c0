"""Order status changes: mark paid (a confirmed manual payment), mark canceled (optionally keeping a
cancellation fee), and settling an order once its payments cover it.

- **paid**: a pending order whose confirmed payments minus done refunds cover its total becomes paid
  (:func:`order_settle`); then each of its positions of an item that issues gift cards issues one.
- **canceled**: quota, code uses and gift card payments go back, the gift cards the order issued are
  voided (or the cancel is refused with 409 ``gift_card_spent``). With a ``cancellation_fee`` the order's
  positions and fees are canceled instead and it stays, as a pending or paid order of just that fee
  (pretix's rule); what was paid beyond the fee is then due back (``payment_balance`` < 0).

Locks: the order, then codes, then gift cards (``core.locks``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from core.errors import ConflictError
from core.locks import LockKind, lock_in_order, locking_transaction
from notifications.types import NotificationType
from orders.announce import order_canceled, order_paid, payment_announced
from orders.giftcards import order_gift_cards_issue
from orders.models import (
    GIFT_CARD_PROVIDER,
    LIVE_STATUSES,
    MANUAL_PROVIDER,
    FeeType,
    Order,
    OrderFee,
    OrderPayment,
    OrderPosition,
    OrderStatus,
    PaymentState,
)
from orders.payments import next_local_id, order_net_paid, payment_refundable
from orders.release import codes_release, gift_cards_release, sales_release
from orders.sales import order_status_moved

ZERO = Decimal("0")


class OrderStateError(ConflictError):
    code = "order_state"


def order_locked(order: Order) -> Order:
    """The order's row, locked (its place in the lock order: after carts, before quotas)."""
    return lock_in_order(order=lambda: Order.objects.select_for_update().get(pk=order.pk))[LockKind.ORDER]



def order_settle(locked: Order, *, now: datetime) -> bool:
    """A pending order that its payments now cover becomes paid (and issues its gift cards); answers
    whether it did. The order is locked by the caller."""
    if locked.status != OrderStatus.PENDING or order_net_paid(locked) < locked.total:
        return False
    order_status_moved(locked, OrderStatus.PENDING, OrderStatus.PAID)
    locked.status = OrderStatus.PAID
    locked.paid_at = now
    locked.save(update_fields=["status", "paid_at"])
    order_paid(locked, now=now)
    issuing = OrderPosition.objects.filter(order=locked, item__issues_gift_card=True, canceled=False)
    positions = list(issuing.select_related("order__event").order_by("positionid"))
    if positions:
        event = positions[0].order.event
        order_gift_cards_issue(
            locked, positions, organizer_id=event.organizer_id, currency=event.currency, now=now
        )
    return True


def order_mark_paid(
    *, order: Order, now: datetime, amount: Decimal | None = None, provider: str = MANUAL_PROVIDER,
    info: dict | None = None,
) -> Order:  # fmt: skip
    """A confirmed payment of ``amount`` (default: what is still due) by ``provider`` (default
    ``manual``); the order becomes paid when its payments cover it. Only a pending order takes it (409
    ``order_state`` otherwise). A payment of 0 is no payment: a pending order with nothing due just
    becomes paid."""
    with locking_transaction():
        locked = order_locked(order)
        if locked.status != OrderStatus.PENDING:
            raise OrderStateError(f"The order is {locked.status}, not pending.", status=locked.status)
        due = locked.total - order_net_paid(locked)
        if amount is None:
            amount = max(due, ZERO)
        if amount < 0:
            raise ValidationError({"amount": ["A payment cannot be negative."]})
        if provider == GIFT_CARD_PROVIDER:
            raise ValidationError(
                {"provider": ["Gift cards pay through the checkout's gift_cards, not here."]}
            )
        if amount > 0:
            payment = OrderPayment.objects.create(
                order=locked, local_id=next_local_id(OrderPayment, locked), state=PaymentState.CONFIRMED,
                provider=provider, amount=amount, created=now, payment_date=now, info=info or {},
            )  # fmt: skip
            payment_announced(locked, payment, NotificationType.ORDER_PAYMENT_CONFIRMED, now=now)
        if amount >= due:
            order_settle(locked, now=now)
    return locked


def order_mark_canceled(
    *, order: Order, now: datetime, cancellation_fee: Decimal | None = None, comment: str = ""
) -> Order:
    """Cancel a pending, paid or expired order and give back what it used (see the module's docstring).

    Its positions stop counting against quotas; each code's counters go down by what its redemption
    recorded (never below 0), a one-time promo code it deactivated becomes usable again, and the
    redemption rows are marked reversed — nothing is deleted. What gift cards paid goes back to them
    (less the part of a fee other payments do not cover); the gift cards the order issued are voided,
    unless one of them has paid for something (409 ``gift_card_spent``, and nothing changes).
    """
    with locking_transaction():
        locked = order_locked(order)
        if locked.status == OrderStatus.CANCELED:
            raise OrderStateError("The order is already canceled.", status=locked.status)
        fee = cancellation_fee or ZERO
        if fee < 0:
            raise ValidationError({"cancellation_fee": ["A fee cannot be negative."]})
        if fee > 0 and locked.status not in LIVE_STATUSES:
            raise ValidationError(
                {
                    "cancellation_fee": [
                        f"Only a pending or paid order keeps a fee; this one is {locked.status}."
                    ]
                }
            )
        if fee > locked.total:
            raise ValidationError(
                {"cancellation_fee": [f"The fee cannot be more than the order's total ({locked.total})."]}
            )
        live, was = locked.status in LIVE_STATUSES, locked.status
        codes_release([locked], now=now)
        # The part of the fee that payments other than gift cards do not cover stays with the cards.
        others = order_net_paid(locked) - gift_card_net(locked)
        keep = {locked.pk: max(fee - max(others, ZERO), ZERO)}
        gift_cards_release([locked], now=now, reason="Order {code} canceled", void_issued=True, keep=keep)
        if live:
            sales_release([locked])  # its positions stop counting against quotas
        if fee > 0:
            kept_for_fee(locked, fee=fee, now=now, comment=comment)
        else:
            locked.status = OrderStatus.CANCELED
            locked.canceled_at = now
            locked.save(update_fields=["status", "canceled_at"])
        order_canceled(locked, was=was, fee=fee, now=now)
    return locked


def kept_for_fee(locked: Order, *, fee: Decimal, now: datetime, comment: str) -> Order:
    """The order's positions and fees are canceled; it stays as an order of just the cancellation fee,
    paid when its payments cover the fee, else pending."""
    locked.positions.update(canceled=True)
    locked.fees.update(canceled=True)
    OrderFee.objects.create(
        order=locked, fee_type=FeeType.CANCELLATION, value=fee, description=comment or "Cancellation fee"
    )
    locked.list_total = locked.code_discount_total = locked.rule_discount_total = ZERO
    locked.fee_total = locked.total = fee
    locked.canceled_at = now
    paid = order_net_paid(locked) >= fee
    if paid and locked.status == OrderStatus.PENDING:
        locked.status, locked.paid_at = OrderStatus.PAID, now
    elif not paid and locked.status == OrderStatus.PAID:
        locked.status = OrderStatus.PENDING
    locked.save(update_fields=[
        "list_total", "code_discount_total", "rule_discount_total", "fee_total", "total", "canceled_at",
        "status", "paid_at",
    ])  # fmt: skip
    return locked


def gift_card_net(order: Order) -> Decimal:
    """What gift cards paid of the order and was not given back yet."""
    rows = OrderPayment.objects.filter(order=order, provider=GIFT_CARD_PROVIDER, state=PaymentState.CONFIRMED)
    return sum((payment_refundable(p) for p in rows), ZERO)

"""Payments and refunds of an order, as pretix keeps them: each is a row with a state, numbered within
the order.

- A payment is created (``created`` or ``pending``), then ``confirmed`` when its money arrived, or
  ``canceled``; a confirmed one becomes ``refunded`` once refunds done give all of it back.
- Confirming a payment of a pending order makes the order paid when its confirmed payments minus done
  refunds cover its total (``orders.services.orders.order_settle``). A payment confirmed for an expired
  order revives it when its places and codes are still there (``orders.services.expiry.order_revive``);
  otherwise the payment is recorded all the same and the order, owing nothing, shows a refund due
  (``payment_balance`` < 0). A payment confirmed for a canceled order likewise.
- A refund gives back (part of) a received payment: never more than what of it is not refunded or being
  refunded (409 ``refund_too_large``). A gift card payment is refunded to its card at once (``done``);
  other providers' refunds start ``created`` (or the state the caller says: ``transit``, ``done``,
  ``external``) and are marked ``done`` or ``canceled`` later.

Locks: the order, then (reviving) quotas and codes, then gift cards.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from core.errors import ConflictError
from core.locks import locking_transaction
from notifications.types import NotificationType as T
from orders.announce import payment_announced, refund_announced
from orders.giftcards import CardRefund, order_gift_cards_refund
from orders.models import (
    GIFT_CARD_PROVIDER,
    Order,
    OrderPayment,
    OrderRefund,
    OrderStatus,
    PaymentState,
    RefundSource,
    RefundState,
)
from orders.models.payments import OPEN_PAYMENT_STATES
from orders.payments import next_local_id, order_net_paid, order_payment_deadline, payment_refundable
from orders.services.expiry import order_revive
from orders.services.orders import order_locked, order_settle
from ticketing.currency import amount_text
from ticketing.payment_terms import PaymentTermEnded
from ticketing.selectors import event_payment_terms

ZERO = Decimal("0")


class PaymentStateError(ConflictError):
    code = "payment_state"


class RefundStateError(ConflictError):
    code = "refund_state"


class RefundTooLarge(ConflictError):
    code = "refund_too_large"


def payment_create(
    *, order: Order, provider: str, amount: Decimal, state: str = PaymentState.CREATED,
    info: dict | None = None, payment_date: datetime | None = None, now: datetime,
) -> OrderPayment:  # fmt: skip
    """A new payment of the order (``created``, ``pending`` or ``confirmed``; a confirmed one is confirmed
    as :func:`payment_confirm` does). Gift cards pay through the checkout, not here."""
    if provider == GIFT_CARD_PROVIDER:
        raise ValidationError({"provider": ["Gift cards pay through the checkout's gift_cards, not here."]})
    if amount <= 0:
        raise ValidationError({"amount": ["A payment is of more than 0."]})
    if state not in (*OPEN_PAYMENT_STATES, PaymentState.CONFIRMED):
        raise ValidationError({"state": ["A new payment is created, pending or confirmed."]})
    with locking_transaction():
        locked = order_locked(order)
        if locked.status == OrderStatus.CANCELED and state != PaymentState.CONFIRMED:
            raise PaymentStateError("The order is canceled: it takes no new payment.", status=locked.status)
        payment = OrderPayment.objects.create(
            order=locked, local_id=next_local_id(OrderPayment, locked), provider=provider, amount=amount,
            state=PaymentState.CREATED if state == PaymentState.CONFIRMED else state, info=info or {},
            created=now,
        )  # fmt: skip
        if state == PaymentState.CONFIRMED:
            confirmed(locked, payment, now=now, payment_date=payment_date)
        else:
            payment_announced(locked, payment, T.ORDER_PAYMENT_CREATED, now=now)
    return payment


def payment_confirm(
    *, payment: OrderPayment, now: datetime, payment_date: datetime | None = None
) -> OrderPayment:
    """The payment's money arrived (409 ``payment_state`` unless it is created or pending)."""
    with locking_transaction():
        locked, payment = open_payment_locked(payment, "confirmed")
        confirmed(locked, payment, now=now, payment_date=payment_date)
    return payment


def confirmed(locked: Order, payment: OrderPayment, *, now: datetime, payment_date: datetime | None) -> None:
    payment.state = PaymentState.CONFIRMED
    payment.payment_date = payment_date or now
    payment.save(update_fields=["state", "payment_date"])
    payment_announced(locked, payment, T.ORDER_PAYMENT_CONFIRMED, now=now)
    if locked.status == OrderStatus.EXPIRED:
        revived(locked, now=now)
    order_settle(locked, now=now)


def revived(locked: Order, *, now: datetime) -> bool:
    """A payment arrived for an expired order: it comes back (pending with a new deadline from the
    event's payment terms, then paid if covered) when its places and codes are still there and the event
    accepts late payments (pretix's ``payment_term_accept_late``); otherwise it stays expired and the
    payment is due back."""
    terms = event_payment_terms(locked.event)
    if not terms.accept_late:
        return False
    try:
        with locking_transaction():  # a savepoint: a refused revival changes nothing
            order_revive(locked, now=now)
            locked.expires = revived_deadline(locked, now=now)
            locked.save(update_fields=["status", "expires"])
    except ConflictError:
        locked.refresh_from_db()
        return False
    return True


def revived_deadline(order: Order, *, now: datetime) -> datetime:
    """A revived order's deadline: the payment terms from now, or now itself once the last date of
    payments is over (the order then expires again at the next run unless it is paid)."""
    try:
        return order_payment_deadline(order, now=now)
    except PaymentTermEnded:
        return now


def open_payment_locked(payment: OrderPayment, verb: str) -> tuple[Order, OrderPayment]:
    """The payment's order locked, and the payment read again under that lock: it must still be created
    or pending (409 ``payment_state`` otherwise)."""
    locked = order_locked(payment.order)
    payment = OrderPayment.objects.get(pk=payment.pk)
    if payment.state not in OPEN_PAYMENT_STATES:
        raise PaymentStateError(
            f"The payment is {payment.state}: only a created or pending one is {verb}.", state=payment.state
        )
    return locked, payment


def payment_cancel(*, payment: OrderPayment, now: datetime) -> OrderPayment:
    """A created or pending payment will not arrive (409 ``payment_state`` otherwise)."""
    with locking_transaction():
        locked, payment = open_payment_locked(payment, "canceled")
        payment.state = PaymentState.CANCELED
        payment.save(update_fields=["state"])
        payment_announced(locked, payment, T.ORDER_PAYMENT_CANCELED, now=now)
    return payment


def refund_create(
    *, order: Order, amount: Decimal, payment: OrderPayment | None = None, provider: str | None = None,
    state: str = RefundState.CREATED, source: str = RefundSource.ADMIN, comment: str = "",
    info: dict | None = None, now: datetime, execution_date: datetime | None = None,
) -> OrderRefund:  # fmt: skip
    """A refund of ``amount`` of the order, of ``payment`` when given (its provider by default). A gift
    card payment's refund goes back to its card and is done at once. Never more than the payment (or,
    without one, the order's net paid) has left to refund: 409 ``refund_too_large``."""
    if amount <= 0:
        raise ValidationError({"amount": ["A refund is of more than 0."]})
    if state not in (RefundState.CREATED, RefundState.TRANSIT, RefundState.DONE, RefundState.EXTERNAL):
        raise ValidationError({"state": ["A new refund is created, transit, done or external."]})
    with locking_transaction():
        locked = order_locked(order)
        if payment is not None:
            payment = OrderPayment.objects.get(pk=payment.pk)
            provider = provider or payment.provider
            if provider != payment.provider:
                reason = f"A refund of payment {payment.local_id} goes through its provider"
                reason += f", {payment.provider}."
                raise ValidationError({"provider": [reason]})
            left = payment_refundable(payment)
            if amount > left:
                raise RefundTooLarge(
                    f"Payment {payment.local_id} has {left} left to refund, not {amount}.",
                    refundable=amount_text(left, locked.event.currency),
                    payment=payment.local_id,
                )
        else:
            if not provider:
                raise ValidationError({"provider": ["A refund without a payment names its provider."]})
            if provider == GIFT_CARD_PROVIDER:
                raise ValidationError(
                    {"payment": ["A gift card refund names the gift card payment it gives back."]}
                )
            left = order_net_paid(locked) - pending_refunds(locked)
            if amount > left:
                raise RefundTooLarge(
                    f"The order has {max(left, ZERO)} left to refund, not {amount}.",
                    refundable=amount_text(max(left, ZERO), locked.event.currency),
                )
        if provider == GIFT_CARD_PROVIDER:
            (refund,) = order_gift_cards_refund(
                locked, [CardRefund(payment=payment, amount=amount)], void_issued=False, now=now,
                reason=f"Refund of order {locked.code}", comment=comment,
            )  # fmt: skip
            return refund
        refund = OrderRefund.objects.create(
            order=locked, local_id=next_local_id(OrderRefund, locked), state=state, source=source,
            provider=provider, amount=amount, payment=payment, created=now, comment=comment, info=info or {},
            execution_date=(execution_date or now) if state == RefundState.DONE else None,
        )  # fmt: skip
        refund_announced(locked, [refund], T.ORDER_REFUND_CREATED, now=now)
        if state == RefundState.DONE:
            payment_refunded_when_empty(payment)
    return refund


def pending_refunds(order: Order) -> Decimal:
    """Refunds created or in transit: money about to leave."""
    rows = order.refunds.filter(state__in=(RefundState.CREATED, RefundState.TRANSIT))
    return sum((r.amount for r in rows), ZERO)


def payment_refunded_when_empty(payment: OrderPayment | None) -> None:
    """A payment whose done refunds gave all of it back is ``refunded``."""
    if payment is None or payment.state != PaymentState.CONFIRMED:
        return
    done = sum((r.amount for r in payment.refunds.filter(state=RefundState.DONE)), ZERO)
    if done >= payment.amount:
        OrderPayment.objects.filter(pk=payment.pk).update(state=PaymentState.REFUNDED)


def refund_done(*, refund: OrderRefund, now: datetime) -> OrderRefund:
    """The refund's money left (409 ``refund_state`` unless it is created, in transit or external)."""
    with locking_transaction():
        locked = order_locked(refund.order)
        refund = OrderRefund.objects.select_related("payment").get(pk=refund.pk)
        if refund.state not in (RefundState.CREATED, RefundState.TRANSIT, RefundState.EXTERNAL):
            raise RefundStateError(
                f"The refund is {refund.state}: it cannot be done now.", state=refund.state
            )
        refund.state = RefundState.DONE
        refund.execution_date = now
        refund.save(update_fields=["state", "execution_date"])
        refund_announced(locked, [refund], T.ORDER_REFUND_DONE, now=now)
        payment_refunded_when_empty(refund.payment)
    return refund


def refund_cancel(*, refund: OrderRefund, now: datetime) -> OrderRefund:
    """The refund will not happen (409 ``refund_state`` unless it is created, in transit or external)."""
    with locking_transaction():
        locked = order_locked(refund.order)
        refund = OrderRefund.objects.get(pk=refund.pk)
        if refund.state not in (RefundState.CREATED, RefundState.TRANSIT, RefundState.EXTERNAL):
            raise RefundStateError(
                f"The refund is {refund.state}: it cannot be canceled.", state=refund.state
            )
        refund.state = RefundState.CANCELED
        refund.save(update_fields=["state"])
        refund_announced(locked, [refund], T.ORDER_REFUND_CANCELED, now=now)
    return refund

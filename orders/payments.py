"""What an order's money rows add up to: what it was paid net, what it owes, and the balance.

- *received*: the amounts of its payments that are ``confirmed`` or ``refunded`` (money that came in);
- *net paid*: received minus its refunds that are ``done``;
- *owed*: the total of a pending or paid order; an expired or canceled order owes nothing;
- ``payment_balance`` = owed − net paid: positive, still due; negative, overpaid (a refund is due).

The order's rows are read once; these functions only add them up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db.models import Max, Sum

from orders.models import (
    LIVE_STATUSES,
    Order,
    OrderPayment,
    OrderRefund,
    RefundState,
)
from orders.models.payments import ACTIVE_REFUND_STATES, RECEIVED_STATES
from ticketing.payment_terms import payment_deadline
from ticketing.selectors import event_payment_terms

ZERO = Decimal("0")


def received(payments: Iterable[OrderPayment]) -> Decimal:
    return sum((p.amount for p in payments if p.state in RECEIVED_STATES), ZERO)


def refunded(refunds: Iterable[OrderRefund]) -> Decimal:
    return sum((r.amount for r in refunds if r.state == RefundState.DONE), ZERO)


def net_paid(payments: Iterable[OrderPayment], refunds: Iterable[OrderRefund]) -> Decimal:
    return received(payments) - refunded(refunds)


def owed(order: Order) -> Decimal:
    return order.total if order.status in LIVE_STATUSES else ZERO


def payment_balance(
    order: Order, payments: Iterable[OrderPayment], refunds: Iterable[OrderRefund]
) -> Decimal:
    """Positive: still due; negative: overpaid, a refund is due."""
    return owed(order) - net_paid(payments, refunds)


def order_net_paid(order: Order) -> Decimal:
    """The order's net paid read from the database (two aggregate queries)."""
    got = order.payments.filter(state__in=RECEIVED_STATES).aggregate(s=Sum("amount"))["s"] or ZERO
    back = order.refunds.filter(state=RefundState.DONE).aggregate(s=Sum("amount"))["s"] or ZERO
    return got - back


def payment_refundable(payment: OrderPayment) -> Decimal:
    """What of a received payment is not refunded, nor being refunded (refunds created, in transit or
    done count against it)."""
    if payment.state not in RECEIVED_STATES:
        return ZERO
    taken = payment.refunds.filter(state__in=ACTIVE_REFUND_STATES).aggregate(s=Sum("amount"))["s"] or ZERO
    return payment.amount - taken


def order_payment_deadline(order: Order, *, now: datetime) -> datetime:
    """A stored order's new payment deadline from ``now`` by the event's payment terms (for an event
    series, a last date relative to the start counts from the order's earliest date that is not
    canceled). Raises ``PaymentTermEnded`` once the last date of payments is over."""
    event = order.event
    live = order.positions.filter(canceled=False, subevent__isnull=False)
    dates = live.values_list("subevent__date_from", flat=True)
    start = min(dates, default=event.date_from)
    return payment_deadline(event_payment_terms(event), placed=now, event_start=start, tz=event.timezone)


def next_local_id(model: type[OrderPayment] | type[OrderRefund], order: Order) -> int:
    """The next ``local_id`` of the order's payments or refunds (call it with the order locked)."""
    return (model.objects.filter(order=order).aggregate(m=Max("local_id"))["m"] or 0) + 1

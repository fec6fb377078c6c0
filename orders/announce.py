"""What the orders app announces: one function per transition of an order, its payments and refunds, and
the codes it uses, each called by the service that makes the change, inside its transaction (the
``notifications`` outbox: a rolled-back change announces nothing). Handlers — webhooks, mails, the
dashboard — react to the rows after commit; nothing outside this app needs to know how an order was placed.

Each notification names the order's event and code; ``data`` says what changed, amounts as strings in the
event's currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from notifications.services import NotificationSpec, announce_many
from notifications.types import NotificationType as T
from orders.models import Order, OrderPayment, OrderRefund, Redemption
from ticketing.currency import amount_text
from ticketing.models import Event


def order_spec(order: Order, type: str, data: dict, *, event: Event | None = None) -> NotificationSpec:
    event = event or order.event
    return NotificationSpec(
        type=type, organizer_id=event.organizer_id, event_id=event.pk, order_code=order.code, data=data
    )


def money(order: Order, value: Decimal, *, event: Event | None = None) -> str:
    return amount_text(value, (event or order.event).currency)


def totals(order: Order, event: Event | None = None) -> dict:
    return {
        "status": order.status, "total": money(order, order.total, event=event),
        "fee_total": money(order, order.fee_total, event=event),
    }  # fmt: skip


def redemption_data(order: Order, redemption: Redemption, event: Event | None = None) -> dict:
    return {
        "code": redemption.code, "kind": redemption.kind, "voucher": redemption.voucher_id,
        "coupon": redemption.coupon_id, "uses": redemption.uses, "tickets": redemption.tickets,
        "discount": money(order, redemption.discount, event=event),
    }  # fmt: skip


def order_placed(order: Order, *, now: datetime) -> None:
    """A new order (the checkout): placed, each code it redeemed, each gift card payment, and paid when
    gift cards paid all of it."""
    event = order.event
    placed = {
        **totals(order, event), "positions": len(order.position_list),
        "expires": order.expires.isoformat() if order.expires else None,
    }  # fmt: skip
    specs = [order_spec(order, T.ORDER_PLACED, placed, event=event)]
    specs += [
        order_spec(order, T.CODE_REDEEMED, redemption_data(order, r, event), event=event)
        for r in order.redemption_list
    ]
    specs += [order_spec(order, T.ORDER_PAYMENT_CONFIRMED, payment_facts(order, p, event), event=event)
              for p in order.payment_list]  # fmt: skip
    if order.status == "paid":
        specs.append(order_spec(order, T.ORDER_PAID, totals(order, event), event=event))
    announce_many(specs, now=now)


def payment_facts(order: Order, payment: OrderPayment, event: Event | None = None) -> dict:
    return {
        "payment": payment.local_id, "provider": payment.provider, "state": payment.state,
        "amount": money(order, payment.amount, event=event),
    }  # fmt: skip


def refund_facts(order: Order, refund: OrderRefund) -> dict:
    return {
        "refund": refund.local_id, "provider": refund.provider, "state": refund.state,
        "amount": money(order, refund.amount),
        "payment": refund.payment.local_id if refund.payment_id else None,
    }  # fmt: skip


def order_paid(order: Order, *, now: datetime) -> None:
    announce_many([order_spec(order, T.ORDER_PAID, totals(order))], now=now)


def payment_announced(order: Order, payment: OrderPayment, type: str, *, now: datetime) -> None:
    """``order.payment.created``, ``.confirmed`` or ``.canceled``."""
    announce_many([order_spec(order, type, payment_facts(order, payment))], now=now)


def refund_announced(order: Order, refunds: Sequence[OrderRefund], type: str, *, now: datetime) -> None:
    """``order.refund.created`` (one per refund), ``.done`` or ``.canceled``."""
    announce_many([order_spec(order, type, refund_facts(order, r)) for r in refunds], now=now)


def order_canceled(order: Order, *, was: str, fee: Decimal, now: datetime) -> None:
    data = {**totals(order), "was": was, "cancellation_fee": money(order, fee) if fee else None}
    announce_many([order_spec(order, T.ORDER_CANCELED, data)], now=now)


def orders_expired(orders: Sequence[Order], *, now: datetime) -> None:
    """A batch of orders expired: one notification each, in one statement."""
    announce_many(
        [order_spec(o, T.ORDER_EXPIRED, {"expires": o.expires.isoformat() if o.expires else None})
         for o in orders],
        now=now,
    )  # fmt: skip


def order_reactivated(order: Order, *, was: str, now: datetime) -> None:
    announce_many([order_spec(order, T.ORDER_REACTIVATED, {**totals(order), "was": was})], now=now)


def deadline_changed(order: Order, *, before: datetime | None, now: datetime) -> None:
    data = {"before": before.isoformat() if before else None,
            "expires": order.expires.isoformat() if order.expires else None}  # fmt: skip
    announce_many([order_spec(order, T.ORDER_DEADLINE_CHANGED, data)], now=now)


def codes_released(orders: Sequence[Order], redemptions: Sequence[Redemption], *, now: datetime) -> None:
    """The redemptions' code uses went back (their orders were canceled or expired)."""
    by_id = {o.pk: o for o in orders}
    announce_many(
        [
            order_spec(by_id[r.order_id], T.CODE_RELEASED, redemption_data(by_id[r.order_id], r))
            for r in redemptions
        ],
        now=now,
    )


def codes_redeemed(order: Order, redemptions: Sequence[Redemption], *, now: datetime) -> None:
    """The order took its codes' uses again (an expired order revived)."""
    announce_many(
        [order_spec(order, T.CODE_REDEEMED, redemption_data(order, r)) for r in redemptions], now=now
    )


def order_changed(
    order: Order, *, before: dict, added: Sequence[int], canceled: Sequence[int], changed: Sequence[int],
    now: datetime,
) -> None:  # fmt: skip
    """An order's positions changed (``orders.services.changes``): its status and totals before
    (``before``, as :func:`totals` gives them) and after, and the ``positionid`` of the positions added,
    canceled and changed."""
    data = {
        "before": before, "after": totals(order),
        "positions": {"added": list(added), "canceled": list(canceled), "changed": list(changed)},
    }  # fmt: skip
    announce_many([order_spec(order, T.ORDER_CHANGED, data)], now=now)

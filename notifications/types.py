"""What can be announced: one dotted name per transition of an order, a code or a gift card.

Every notification has the same envelope (``notifications.models.Notification``): ``type`` (one of these),
``created`` (when the change was made: the ``now`` of the service that made it), ``organizer``, ``event``
(null for organizer-wide changes: gift card transactions), ``order_code`` (empty when no order is
concerned) and ``data``: what changed, as JSON (amounts as decimal strings, times as ISO 8601 strings,
other objects by id or code). The service that makes the change fills ``data``; :data:`WHEN` says, per
type, when it is written and what its ``data`` is about (docs/notifications.md shows the same table).
"""

from __future__ import annotations

from django.db import models


class NotificationType(models.TextChoices):
    ORDER_PLACED = "order.placed", "Order placed"
    ORDER_PAID = "order.paid", "Order paid"
    ORDER_EXPIRED = "order.expired", "Order expired"
    ORDER_CANCELED = "order.canceled", "Order canceled"
    ORDER_CHANGED = "order.changed", "Order changed"
    ORDER_REACTIVATED = "order.reactivated", "Order reactivated"
    ORDER_DEADLINE_CHANGED = "order.deadline_changed", "Payment deadline changed"
    ORDER_PAYMENT_CREATED = "order.payment.created", "Payment created"
    ORDER_PAYMENT_CONFIRMED = "order.payment.confirmed", "Payment confirmed"
    ORDER_PAYMENT_CANCELED = "order.payment.canceled", "Payment canceled"
    ORDER_PAYMENT_FAILED = "order.payment.failed", "Payment failed"
    ORDER_REFUND_CREATED = "order.refund.created", "Refund created"
    ORDER_REFUND_DONE = "order.refund.done", "Refund done"
    ORDER_REFUND_CANCELED = "order.refund.canceled", "Refund canceled"
    ORDER_FEE_ADDED = "order.fee.added", "Fee added"
    CODE_REDEEMED = "code.redeemed", "Code redeemed"
    CODE_RELEASED = "code.released", "Code released"
    GIFTCARD_TRANSACTION = "giftcard.transaction", "Gift card transaction"


#: Room for the longest name and some to come.
TYPE_MAX_LENGTH = 40

T = NotificationType
#: When each type is written, and what its ``data`` holds. The order types carry the order's code and event.
WHEN: dict[NotificationType, str] = {
    T.ORDER_PLACED: "An order was created (checkout or direct order); data: its status and totals.",
    T.ORDER_PAID: "A pending order became paid; data: the amount paid.",
    T.ORDER_EXPIRED: "A pending order expired (its payment deadline passed).",
    T.ORDER_CANCELED: "An order was canceled; data: the status it had before.",
    T.ORDER_CHANGED: "An order's positions, prices or fees changed; data: what changed, before and after.",
    T.ORDER_REACTIVATED: "A canceled or expired order became pending or paid again; data: the new status.",
    T.ORDER_DEADLINE_CHANGED: "An order's payment deadline moved; data: the old and the new deadline.",
    T.ORDER_PAYMENT_CREATED: "A payment of an order was started; data: the payment's id and amount.",
    T.ORDER_PAYMENT_CONFIRMED: "A payment of an order was confirmed; data: the payment's id and amount.",
    T.ORDER_PAYMENT_CANCELED: "A payment of an order was canceled; data: the payment's id.",
    T.ORDER_PAYMENT_FAILED: "A payment of an order failed; data: the payment's id and the reason.",
    T.ORDER_REFUND_CREATED: "A refund of an order was started; data: the refund's id and amount.",
    T.ORDER_REFUND_DONE: "A refund of an order was completed; data: the refund's id and amount.",
    T.ORDER_REFUND_CANCELED: "A refund of an order was canceled; data: the refund's id.",
    T.ORDER_FEE_ADDED: "A fee was added to an order; data: the fee's type and amount.",
    T.CODE_REDEEMED: "An order used a code (voucher, coupon, promo code); data: the code, its kind, uses.",
    T.CODE_RELEASED: "An order gave a code's uses back (canceled, expired, changed); data: the code, uses.",
    T.GIFTCARD_TRANSACTION: (
        "A gift card's balance changed (organizer-wide: no event; the order's code when an order paid or "
        "was refunded with it); data: the card's id, the transaction's value and the new balance."
    ),
}
del T

"""Order status changes: mark paid (which issues the gift cards of gift-card items), mark canceled
(which gives quota, code usage and gift card payments back, and voids the gift cards the order issued
— or is refused with 409 ``gift_card_spent`` when one of them has paid for something already)."""

from __future__ import annotations

from datetime import datetime

from core.errors import ConflictError
from core.locks import LockKind, lock_in_order, locking_transaction
from orders.giftcards import order_gift_cards_issue, order_gift_cards_reverse
from orders.models import Order, OrderPosition, OrderStatus, Redemption
from orders.sales import order_status_moved
from vouchers.choices import CodeKind
from vouchers.services.usage import CodeUse, code_uses_release


class OrderStateError(ConflictError):
    code = "order_state"


def _locked(order: Order) -> Order:
    return lock_in_order(order=lambda: Order.objects.select_for_update().get(pk=order.pk))[LockKind.ORDER]


def order_mark_paid(*, order: Order, now: datetime) -> Order:
    """A pending order becomes paid; a paid or canceled one is a 409 ``order_state``. Each of its
    positions of an item that issues gift cards issues one, worth the position's price."""
    with locking_transaction():
        locked = _locked(order)
        if locked.status != OrderStatus.PENDING:
            raise OrderStateError(f"The order is {locked.status}, not pending.", status=locked.status)
        order_status_moved(locked, OrderStatus.PENDING, OrderStatus.PAID)
        locked.status = OrderStatus.PAID
        locked.paid_at = now
        locked.save(update_fields=["status", "paid_at"])
        issuing = OrderPosition.objects.filter(order=locked, item__issues_gift_card=True)
        positions = list(issuing.select_related("order__event").order_by("positionid"))
        if positions:
            event = positions[0].order.event
            order_gift_cards_issue(
                locked, positions, organizer_id=event.organizer_id, currency=event.currency, now=now
            )
    return locked


def order_mark_canceled(*, order: Order, now: datetime) -> Order:
    """Cancel a pending or paid order and give back what it used.

    Its positions stop counting against quotas (their products' sales counts go down); each code's
    counters go down by what its redemption recorded (never below 0), a one-time
    promo code it deactivated becomes usable again, and the redemption rows are
    marked reversed — nothing is deleted. What gift cards paid goes back to them; the gift cards the
    order issued are voided, unless one of them has paid for something (409 ``gift_card_spent``, and
    nothing changes). Locks: the order, then vouchers and coupons, then gift cards.
    """
    with locking_transaction():
        locked = _locked(order)
        if locked.status == OrderStatus.CANCELED:
            raise OrderStateError("The order is already canceled.", status=locked.status)
        redemptions = list(locked.redemptions.filter(reversed=False).order_by("id"))
        code_uses_release(
            event_id=locked.event_id, uses=[use_of(r) for r in redemptions if r.voucher_id or r.coupon_id]
        )
        Redemption.objects.filter(pk__in=[r.pk for r in redemptions]).update(reversed=True, reversed_at=now)
        order_gift_cards_reverse(locked, now=now)
        order_status_moved(locked, locked.status, None)  # its positions stop counting against quotas
        locked.status = OrderStatus.CANCELED
        locked.canceled_at = now
        locked.save(update_fields=["status", "canceled_at"])
    return locked


def use_of(redemption: Redemption) -> CodeUse:
    """What the redemption recorded, for the vouchers app to give back."""
    if redemption.voucher_id:
        return CodeUse(
            kind=CodeKind.VOUCHER, code_id=redemption.voucher_id, uses=redemption.uses,
            tickets=redemption.tickets, budget=redemption.budget_spent,
        )  # fmt: skip
    return CodeUse(
        kind=CodeKind(redemption.kind), code_id=redemption.coupon_id, uses=redemption.uses,
        tickets=redemption.tickets, deactivates=redemption.deactivated_code,
    )  # fmt: skip

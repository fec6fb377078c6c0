"""Order status changes: mark paid, mark canceled (which gives quota and code usage back)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Value
from django.db.models.functions import Greatest

from config.errors import ConflictError
from orders.locking import locking_transaction
from orders.models import Order, OrderStatus, Redemption
from orders.sales import order_status_moved
from vouchers.models import Coupon, CouponEventUsage, Voucher


class OrderStateError(ConflictError):
    code = "order_state"


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def order_mark_paid(*, order: Order, now: datetime) -> Order:
    """A pending order becomes paid; a paid or canceled one is a 409 ``order_state``."""
    with locking_transaction():
        locked = _locked(order)
        if locked.status != OrderStatus.PENDING:
            raise OrderStateError(f"The order is {locked.status}, not pending.", status=locked.status)
        order_status_moved(locked, OrderStatus.PENDING, OrderStatus.PAID)
        locked.status = OrderStatus.PAID
        locked.paid_at = now
        locked.save(update_fields=["status", "paid_at"])
    return locked


def order_mark_canceled(*, order: Order, now: datetime) -> Order:
    """Cancel a pending or paid order and give back what it used.

    Its positions stop counting against quotas (their products' sales counts go down); each code's
    counters go down by what its redemption recorded (never below 0), a one-time
    promo code it deactivated becomes usable again, and the redemption rows are
    marked reversed — nothing is deleted.
    """
    with locking_transaction():
        locked = _locked(order)
        if locked.status == OrderStatus.CANCELED:
            raise OrderStateError("The order is already canceled.", status=locked.status)
        redemptions = list(locked.redemptions.filter(reversed=False).order_by("id"))
        # Same lock order as the checkout: vouchers, then coupons, by primary key.
        voucher_ids = sorted({r.voucher_id for r in redemptions if r.voucher_id})
        coupon_ids = sorted({r.coupon_id for r in redemptions if r.coupon_id})
        list(Voucher.objects.select_for_update().filter(pk__in=voucher_ids).order_by("pk").values_list("pk"))
        list(Coupon.objects.select_for_update().filter(pk__in=coupon_ids).order_by("pk").values_list("pk"))
        for redemption in redemptions:
            give_back(redemption, event_id=locked.event_id)
        Redemption.objects.filter(pk__in=[r.pk for r in redemptions]).update(reversed=True, reversed_at=now)
        order_status_moved(locked, locked.status, None)  # its positions stop counting against quotas
        locked.status = OrderStatus.CANCELED
        locked.canceled_at = now
        locked.save(update_fields=["status", "canceled_at"])
    return locked


def give_back(redemption: Redemption, *, event_id: int) -> None:
    if redemption.voucher_id:
        Voucher.objects.filter(pk=redemption.voucher_id).update(
            redeemed=Greatest(F("redeemed") - redemption.uses, Value(0)),
            budget_used=Greatest(F("budget_used") - redemption.budget_spent, Value(0)),
        )
    elif redemption.coupon_id:
        counters = {
            "used_orders": Greatest(F("used_orders") - 1, Value(0)),
            "used_tickets": Greatest(F("used_tickets") - redemption.tickets, Value(0)),
        }
        if redemption.deactivated_code:
            counters["active"] = Value(True)
        Coupon.objects.filter(pk=redemption.coupon_id).update(**counters)
        CouponEventUsage.objects.filter(coupon_id=redemption.coupon_id, event_id=event_id).update(
            orders=Greatest(F("orders") - 1, Value(0)),
            tickets=Greatest(F("tickets") - redemption.tickets, Value(0)),
        )

"""Demo orders for the demo conference: one per kind of code, and one that the rules discount.

``ensure_demo_orders(event, codes)`` goes through the real checkout (``order_place``),
so the demo shows stored price breakdowns, redemptions and usage counters exactly as
the API makes them. Idempotent: each demo order is recognised by its e-mail address
and created only when missing; an order whose code can no longer be used (someone
used it up) is skipped rather than failing the demo command.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from orders.checkout.draft import PositionSpec
from orders.models import Order, OrderStatus
from orders.payments import order_net_paid
from orders.services.checkout import order_place
from orders.services.orders import order_mark_canceled, order_mark_paid
from orders.services.payments import refund_create
from ticketing.models import Event, Item, SalesChannel
from vouchers.demo import DemoCodes


@dataclass(frozen=True)
class DemoOrder:
    email: str
    name: str
    positions: tuple[tuple[str, int | None, bool], ...]  # item name, add-on to (index), carries the voucher
    codes: tuple[str, ...] = ()
    paid: bool = False
    #: Paid, then canceled keeping this fee, and the rest refunded (the life cycle's money in the demo).
    cancellation_fee: Decimal | None = None


def demo_orders(codes: DemoCodes) -> list[DemoOrder]:
    return [
        DemoOrder(
            email="voucher.demo@example.com", name="Vera Voucher", paid=True,
            positions=(("Regular ticket", None, True), ("Regular ticket", None, False)),
        ),
        DemoOrder(
            email="coupon.demo@example.com", name="Cora Coupon",
            positions=(("Student ticket", None, False), ("Regular ticket", None, False)),
            codes=(codes.order_coupon,),
        ),
        DemoOrder(
            email="promo.demo@example.com", name="Piet Promo",
            positions=(("VIP ticket", None, False),), codes=(codes.promo_code,),
        ),
        DemoOrder(
            email="rules.demo@example.com", name="Rita Rules",  # 3 for 2, then 10% from 100.00
            positions=(("Regular ticket", None, False), ("Regular ticket", None, False),
                       ("Student ticket", None, False), ("Workshop: Django deep dive", 0, False),
                       ("VIP ticket", None, False)),
        ),
        DemoOrder(
            email="cancel.demo@example.com", name="Carl Cancel", paid=True, cancellation_fee=Decimal("10.00"),
            positions=(("Student ticket", None, False),),
        ),
    ]  # fmt: skip


@transaction.atomic
def ensure_demo_orders(event: Event, codes: DemoCodes) -> list[Order]:
    """The demo orders of ``event`` (the demo conference), created through the checkout if missing."""
    items = {item.name: item for item in Item.objects.filter(event=event)}
    web = SalesChannel.objects.get(organizer_id=event.organizer_id, identifier=SalesChannel.WEB)
    orders = []
    for demo in demo_orders(codes):
        order = Order.objects.filter(event=event, email=demo.email).order_by("id").first()
        if order is None:
            order = place(event, web, items, demo, codes)
        if order is not None:
            orders.append(order)
    return orders


def place(event: Event, web: SalesChannel, items: dict[str, Item], demo: DemoOrder, codes: DemoCodes):
    if any(name not in items for name, _, _ in demo.positions):
        return None  # the demo items were renamed or deleted: nothing to show
    positions = [
        PositionSpec(item=items[name].pk, addon_to=addon_to, voucher=codes.voucher if carries else None)
        for name, addon_to, carries in demo.positions
    ]
    try:
        with transaction.atomic():
            order = order_place(
                event=event, sales_channel=web, positions=positions, codes=demo.codes, email=demo.email,
                name=demo.name, now=timezone.now(),
            )  # fmt: skip
            if demo.paid and order.status == OrderStatus.PENDING:
                order = order_mark_paid(order=order, now=timezone.now(), provider="banktransfer")
            if demo.cancellation_fee is not None:
                now = timezone.now()
                order = order_mark_canceled(order=order, now=now, cancellation_fee=demo.cancellation_fee)
                payment = order.payments.get(local_id=1)
                overpaid = order_net_paid(order) - order.total  # what the fee does not keep is due back
                refund_create(order=order, payment=payment, amount=overpaid, now=now)
    except DomainError:
        return None  # e.g. a code used up by someone trying the demo: skip this order
    return order

"""Money never appears or vanishes: random order lifecycles through the services, then the books.

Each lifecycle places an order (some with fees, some paid in part by a gift card), then runs a random
walk of what happens to orders: partial and full payments, payments created then confirmed or canceled
(a payment confirmed for an expired order revives it or is due back), refunds (created then done or
canceled, or done at once), cancels with and without a fee, expiry and revival (extend), and changes
(a position added, canceled, or given another item). After the walk
every order is settled (what is due paid, what is overpaid refunded) and the books must balance to the
cent: confirmed payments − done refunds = what the orders owe; every gift card's balance is its value minus
what it paid plus what came back; each payment's refunds never exceed it; each order's total is its live
positions plus its live fees; the running sales counts equal a recount.
"""

from __future__ import annotations

import os
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from core.errors import ConflictError
from notifications.models import Notification
from orders.checkout.draft import FeeSpec, PositionSpec
from orders.models import (
    GIFT_CARD_PROVIDER,
    Order,
    OrderFee,
    OrderPayment,
    OrderPosition,
    OrderRefund,
    OrderStatus,
    PaymentState,
    ProductSales,
    RefundState,
)
from orders.payments import order_net_paid, owed, payment_refundable
from orders.sales import sales_recount
from orders.services.changes import NewPosition, OrderChange, PositionPatch, order_change
from orders.services.checkout import order_place
from orders.services.expiry import order_extend, order_mark_expired
from orders.services.orders import order_mark_canceled, order_mark_paid
from orders.services.payments import (
    payment_cancel,
    payment_confirm,
    payment_create,
    refund_cancel,
    refund_create,
    refund_done,
)
from orders.tests.factories import web_channel
from ticketing.tests.factories import ItemFactory, QuotaFactory
from vouchers.models import GiftCard
from vouchers.selectors import gift_card_balance
from vouchers.tests.factories import GiftCardFactory

pytestmark = pytest.mark.django_db
D = Decimal
CENT = D("0.01")
#: Lifecycles per run (about a minute); LEDGER_LIFECYCLES=10000 runs more.
LIFECYCLES = int(os.environ.get("LEDGER_LIFECYCLES", "1000"))


def amount(rng: random.Random, low: Decimal, high: Decimal) -> Decimal:
    """A random amount in cents between ``low`` and ``high`` (both > 0)."""
    cents = rng.randint(int(low / CENT), max(int(high / CENT), int(low / CENT)))
    return D(cents) * CENT


class Walk:
    def __init__(self, event, rng: random.Random):
        self.event, self.rng = event, rng
        self.channel = web_channel(event)
        self.items = [
            ItemFactory(event=event, default_price=D(price)) for price in ("49.90", "23.00", "7.35", "0.00")
        ]
        QuotaFactory(event=event, size=None, items=self.items)
        self.cards = [GiftCardFactory(organizer=event.organizer, value=D("500.00")) for _ in range(5)]
        self.card_values = {card.pk: D("500.00") for card in self.cards}

    def place(self) -> Order:
        rng, now = self.rng, timezone.now()
        positions = [PositionSpec(item=rng.choice(self.items).pk) for _ in range(rng.randint(1, 3))]
        fees = [FeeSpec(fee_type="service", value=amount(rng, CENT, D("5.00")))] if rng.random() < 0.3 else []
        cards = []
        if rng.random() < 0.3:
            card = rng.choice(self.cards)
            if gift_card_balance(card) > 0:
                cards = [card.code]
        return order_place(
            event=self.event, sales_channel=self.channel, positions=positions, email="l@example.com", now=now,
            fees=fees, gift_cards=cards,
        )  # fmt: skip

    def step(self, order: Order) -> None:
        """One random thing that happens to an order; refusals are part of life (4xx), never a mess."""
        rng, now = self.rng, timezone.now()
        order.refresh_from_db()
        due = owed(order) - order_net_paid(order)
        move = rng.choice(["pay_part", "pay_all", "payment", "refund", "refund_any", "cancel_fee", "cancel",
                           "settle_refunds", "expire", "revive", "expire", "change", "change"])  # fmt: skip
        try:
            if move == "pay_part" and due > CENT:
                order_mark_paid(order=order, now=now, amount=amount(rng, CENT, due - CENT), provider="bank")
            elif move == "pay_all":
                order_mark_paid(order=order, now=now)
            elif move == "payment":
                payment = payment_create(
                    order=order,
                    provider="stripe",
                    amount=amount(rng, CENT, max(due, CENT) + D("3.00")),
                    now=now,
                )
                if rng.random() < 0.7:
                    payment_confirm(payment=payment, now=now)
                else:
                    payment_cancel(payment=payment, now=now)
            elif move == "refund":
                received = list(order.payments.filter(state=PaymentState.CONFIRMED))
                if received:
                    payment = rng.choice(received)
                    left = payment_refundable(payment)
                    if left > 0:
                        refund = refund_create(
                            order=order, payment=payment, amount=amount(rng, CENT, left), now=now
                        )
                        if refund.state == RefundState.CREATED:
                            (refund_done if rng.random() < 0.7 else refund_cancel)(refund=refund, now=now)
            elif move == "refund_any":
                refund_create(order=order, provider="cash", amount=amount(rng, CENT, D("10.00")), now=now,
                              state=rng.choice([RefundState.DONE, RefundState.CREATED]))  # fmt: skip
            elif move == "cancel_fee" and order.total > 0:
                order_mark_canceled(order=order, now=now, cancellation_fee=amount(rng, CENT, order.total))
            elif move == "cancel":
                order_mark_canceled(order=order, now=now)
            elif move == "expire":
                order_mark_expired(order=order, now=now)
            elif move == "revive":
                order_extend(order=order, expires=now + timedelta(days=1), now=now)
            elif move == "change":
                self.change(order, now)
            elif move == "settle_refunds":
                for refund in order.refunds.filter(state=RefundState.CREATED):
                    refund_done(refund=refund, now=now)
        except (ConflictError, ValidationError):
            pass

    def change(self, order: Order, now) -> None:
        """Add a position, cancel one (when another stays) or give one another item."""
        live = list(
            order.positions.filter(canceled=False, addon_to__isnull=True).values_list("positionid", flat=True)
        )
        rng = self.rng
        kind = rng.choice(["create", "cancel", "patch"])
        if kind == "cancel" and len(live) > 1:
            change = OrderChange(cancel=(rng.choice(live),))
        elif kind == "patch" and live:
            change = OrderChange(
                patch=(PositionPatch(position=rng.choice(live), values={"item": rng.choice(self.items).pk}),)
            )
        else:
            change = OrderChange(create=(NewPosition(item=rng.choice(self.items).pk),))
        order_change(order=order, change=change, now=now)

    def settle(self, order: Order) -> None:
        """Pay what is due, refund what is overpaid: afterwards the order's balance is 0."""
        now = timezone.now()
        order.refresh_from_db()
        for refund in order.refunds.filter(state__in=(RefundState.CREATED, RefundState.TRANSIT)):
            refund_done(refund=refund, now=now)
        due = owed(order) - order_net_paid(order)
        if due > 0:  # a pending order, or a paid one whose refunds left some of it owed
            payment_create(order=order, provider="bank", amount=due, state=PaymentState.CONFIRMED, now=now)
        elif due < 0:
            left = -due
            for payment in order.payments.filter(state=PaymentState.CONFIRMED).order_by("-local_id"):
                take = min(left, payment_refundable(payment))
                if take > 0:
                    refund = refund_create(order=order, payment=payment, amount=take, now=now)
                    if refund.state != RefundState.DONE:
                        refund_done(refund=refund, now=now)
                    left -= take
            assert left == 0, f"{order.code}: {left} overpaid and nothing left to refund"
        order.refresh_from_db()
        if order.status == OrderStatus.PENDING:  # nothing due (a free order, or paid ahead): it becomes paid
            order_mark_paid(order=order, now=now)


def books(orders: list[Order], walk: Walk) -> None:
    """Everything that must hold whatever happened."""
    for order in Order.objects.filter(pk__in=[o.pk for o in orders]):
        live_positions = OrderPosition.objects.filter(order=order, canceled=False).aggregate(s=Sum("price"))[
            "s"
        ]
        live_fees = OrderFee.objects.filter(order=order, canceled=False).aggregate(s=Sum("value"))["s"]
        assert order.fee_total == (live_fees or D("0")), order.code
        if order.status != OrderStatus.CANCELED:
            assert order.total == (live_positions or D("0")) + (live_fees or D("0")), order.code
        for payment in order.payments.all():
            active = payment.refunds.filter(
                state__in=(RefundState.CREATED, RefundState.TRANSIT, RefundState.DONE)
            ).aggregate(s=Sum("amount"))["s"] or D("0")
            done = payment.refunds.filter(state=RefundState.DONE).aggregate(s=Sum("amount"))["s"] or D("0")
            assert active <= payment.amount, payment
            if payment.state in (PaymentState.CONFIRMED, PaymentState.REFUNDED):
                assert (payment.state == PaymentState.REFUNDED) == (done == payment.amount), payment
            else:
                assert active == 0, payment
    for card in GiftCard.objects.filter(pk__in=walk.card_values):
        paid = OrderPayment.objects.filter(
            gift_card=card,
            provider=GIFT_CARD_PROVIDER,
            state__in=(PaymentState.CONFIRMED, PaymentState.REFUNDED),
        ).aggregate(s=Sum("amount"))["s"] or D("0")
        back = OrderRefund.objects.filter(payment__gift_card=card, state=RefundState.DONE).aggregate(
            s=Sum("amount")
        )["s"] or D("0")
        assert gift_card_balance(card) == walk.card_values[card.pk] - paid + back, card.code
    counted = {
        (r.item_id, r.variation_key, r.subevent_key, r.status): r.quantity for r in ProductSales.objects.all()
    }
    sales_recount()
    recounted = {
        (r.item_id, r.variation_key, r.subevent_key, r.status): r.quantity for r in ProductSales.objects.all()
    }
    assert {k: v for k, v in counted.items() if v} == {k: v for k, v in recounted.items() if v}


def test_random_lifecycles_balance_to_the_cent(event):
    rng = random.Random(20261208)
    walk = Walk(event, rng)
    orders = []
    for _ in range(LIFECYCLES):
        order = walk.place()
        for _ in range(rng.randint(0, 5)):
            walk.step(order)
        orders.append(order)
    books(orders, walk)
    for order in orders:
        walk.settle(order)
    books(orders, walk)
    got = sum((order_net_paid(o) for o in Order.objects.all()), D("0"))
    owing = sum((owed(o) for o in Order.objects.all()), D("0"))
    assert got == owing
    statuses = set(Order.objects.values_list("status", flat=True))
    assert statuses == {OrderStatus.PAID, OrderStatus.CANCELED, OrderStatus.EXPIRED}  # every end reached
    assert OrderRefund.objects.filter(provider=GIFT_CARD_PROVIDER).exists()
    assert OrderFee.objects.filter(fee_type="cancellation").exists()
    assert Notification.objects.filter(type="order.changed").exists()  # the walk changed orders

"""Every transition writes exactly one notification of its type, in the transaction of the change: a change
that is rolled back, or refused, writes none (STYLE: a transition announces itself; docs/notifications.md)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from core.errors import ConflictError
from notifications.models import Notification
from orders.checkout.draft import PositionSpec
from orders.services.changes import NewPosition, OrderChange, order_change
from orders.services.checkout import order_place
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
from vouchers.services.giftcards import gift_card_transact
from vouchers.tests.factories import GiftCardFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def shop(event):
    item = ItemFactory(event=event, default_price=D("40.00"))
    QuotaFactory(event=event, size=10, items=[item])
    VoucherFactory(event=event, code="TAKE-FIVE", price_mode="subtract", value=D("5.00"))
    return item


def place(event, item, **kwargs):
    spec = PositionSpec(item=item.pk, **kwargs.pop("spec", {}))
    return order_place(
        event=event, sales_channel=web_channel(event), positions=[spec], email="a@example.com",
        now=timezone.now(), **kwargs,
    )  # fmt: skip


def written(action) -> Counter:
    """The notifications ``action`` wrote, by type."""
    before = set(Notification.objects.values_list("pk", flat=True))
    action()
    return Counter(Notification.objects.exclude(pk__in=before).values_list("type", flat=True))


def test_placing_an_order_announces_it_and_the_code_it_redeemed(event, shop):
    got = written(lambda: place(event, shop, spec={"voucher": "TAKE-FIVE"}))
    assert got == Counter({"order.placed": 1, "code.redeemed": 1})
    placed = Notification.objects.get(type="order.placed")
    assert (placed.event_id, placed.organizer_id, placed.data["total"], placed.data["status"]) == (
        event.pk, event.organizer_id, "35.00", "pending",
    )  # fmt: skip


def test_an_order_paid_by_a_gift_card_announces_the_payment_the_card_and_paid(event, shop, organizer):
    GiftCardFactory(organizer=organizer, code="GIFT", value=D("100.00"))
    got = written(lambda: place(event, shop, gift_cards=["GIFT"]))
    assert got == Counter({"order.placed": 1, "order.payment.confirmed": 1, "order.paid": 1,
                           "giftcard.transaction": 1})  # fmt: skip
    entry = Notification.objects.get(type="giftcard.transaction", data__kind="payment")
    assert (entry.event_id, entry.data["value"], entry.data["balance"]) == (None, "-40.00", "60.00")


def bank(order, amount: str, now):
    return payment_create(order=order, provider="bank", amount=D(amount), now=now)


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (lambda o, now: order_mark_paid(order=o, now=now), {"order.payment.confirmed": 1, "order.paid": 1}),
        (lambda o, now: order_mark_paid(order=o, now=now, amount=D("1.00")), {"order.payment.confirmed": 1}),
        (lambda o, now: order_mark_canceled(order=o, now=now), {"order.canceled": 1, "code.released": 1}),
        (lambda o, now: order_mark_canceled(order=o, now=now, cancellation_fee=D("3.00")),
         {"order.canceled": 1, "code.released": 1}),
        (lambda o, now: payment_create(order=o, provider="bank", amount=D("1.00"), now=now),
         {"order.payment.created": 1}),
        (lambda o, now: payment_confirm(payment=bank(o, "35.00", now), now=now),
         {"order.payment.created": 1, "order.payment.confirmed": 1, "order.paid": 1}),
        (lambda o, now: payment_cancel(payment=bank(o, "1.00", now), now=now),
         {"order.payment.created": 1, "order.payment.canceled": 1}),
    ],
)  # fmt: skip
def test_each_order_transition_writes_one_notification_of_its_type(event, shop, action, expected):
    order = place(event, shop, spec={"voucher": "TAKE-FIVE"})
    assert written(lambda: action(order, timezone.now())) == Counter(expected)


def test_each_refund_transition_writes_one_notification(event, shop):
    order = place(event, shop)
    now = timezone.now()
    payment = payment_create(order=order, provider="bank", amount=D("40.00"), state="confirmed", now=now)
    first = None

    def create():
        nonlocal first
        first = refund_create(order=order, payment=payment, amount=D("1.00"), now=now)

    assert written(create) == Counter({"order.refund.created": 1})
    assert written(lambda: refund_done(refund=first, now=now)) == Counter({"order.refund.done": 1})
    second = refund_create(order=order, payment=payment, amount=D("1.00"), now=now)
    assert written(lambda: refund_cancel(refund=second, now=now)) == Counter({"order.refund.canceled": 1})


def test_a_gift_card_refund_announces_the_refund_and_the_cards_entry(event, shop, organizer):
    GiftCardFactory(organizer=organizer, code="GIFT", value=D("10.00"))
    order = place(event, shop, gift_cards=["GIFT"])
    payment = order.payment_list[0]
    got = written(lambda: refund_create(order=order, payment=payment, amount=D("4.00"), now=timezone.now()))
    assert got == Counter({"order.refund.created": 1, "giftcard.transaction": 1})


def test_a_top_up_announces_the_cards_entry_organizer_wide(organizer):
    card = GiftCardFactory(organizer=organizer, value=D("10.00"))
    assert written(lambda: gift_card_transact(card=card, value=D("5.00"))) == Counter(
        {"giftcard.transaction": 1}
    )
    entry = Notification.objects.get(data__kind="top_up")
    assert (entry.event_id, entry.order_code, entry.data["balance"]) == (None, "", "15.00")


def test_a_rolled_back_change_writes_no_notification(event, shop):
    order = place(event, shop)

    def rolled_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            order_mark_paid(order=order, now=timezone.now())
            raise RuntimeError("the caller's transaction fails after the change")

    assert written(rolled_back) == Counter()
    order.refresh_from_db()
    assert order.status == "pending"


def test_a_refused_change_writes_no_notification(event, shop):
    order = place(event, shop)
    order_mark_paid(order=order, now=timezone.now())

    def refused():
        with pytest.raises(ConflictError):
            order_mark_paid(order=order, now=timezone.now())

    assert written(refused) == Counter()


def test_a_change_writes_one_order_changed_and_a_refused_one_none(event, shop):
    order = place(event, shop)
    add = OrderChange(create=(NewPosition(item=shop.pk),))
    assert written(lambda: order_change(order=order, change=add, now=timezone.now())) == Counter(
        {"order.changed": 1}
    )
    QuotaFactory(event=event, size=0, items=[other := ItemFactory(event=event, default_price=D("5.00"))])
    full = OrderChange(create=(NewPosition(item=other.pk),))

    def refused():
        with pytest.raises(ConflictError):
            order_change(order=order, change=full, now=timezone.now())

    assert written(refused) == Counter()

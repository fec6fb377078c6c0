"""A payment arriving for an expired order (docs/orders.md, "Payment deadlines and expiry"): it revives the
order when its places and codes are still there, otherwise it is recorded and the order shows a refund due;
and what the event's payment terms say about late payments and automatic expiry."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from notifications.models import Notification
from orders.checkout.draft import PositionSpec
from orders.models import OrderStatus, ProductSales
from orders.payments import order_net_paid, payment_balance
from orders.selectors import event_orders
from orders.services.checkout import order_place
from orders.services.expiry import order_mark_expired, orders_expire_due
from orders.services.payments import payment_create
from orders.tests.factories import web_channel
from ticketing.services import event_settings_update
from ticketing.tests.factories import ItemFactory, QuotaFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def item(event):
    item = ItemFactory(event=event, default_price=D("40.00"))
    QuotaFactory(event=event, size=1, items=[item])
    return item


def place(event, item, **kwargs):
    return order_place(
        event=event, sales_channel=web_channel(event), positions=[PositionSpec(item=item.pk)],
        email="a@example.com", now=timezone.now(), **kwargs,
    )  # fmt: skip


def balance(order) -> Decimal:
    fresh = event_orders(order.event).get(pk=order.pk)
    return payment_balance(fresh, fresh.payment_list, fresh.refund_list)


def test_a_late_payment_revives_the_order_when_its_place_is_still_free(event, item):
    order = place(event, item)
    order_mark_expired(order=order, now=timezone.now())
    before = set(Notification.objects.values_list("pk", flat=True))
    payment = payment_create(
        order=order, provider="bank", amount=D("40.00"), state="confirmed", now=timezone.now()
    )
    order.refresh_from_db()
    assert (payment.state, order.status) == ("confirmed", OrderStatus.PAID)
    assert order.expires > timezone.now()  # a new deadline from the payment terms
    assert ProductSales.objects.get(item=item, status="paid").quantity == 1
    written = Counter(Notification.objects.exclude(pk__in=before).values_list("type", flat=True))
    assert written == Counter({"order.payment.confirmed": 1, "order.reactivated": 1, "order.paid": 1})


def test_a_late_payment_without_room_is_recorded_and_due_back(event, item):
    order = place(event, item)
    order_mark_expired(order=order, now=timezone.now())
    place(event, item)  # someone else takes the only place
    payment = payment_create(
        order=order, provider="bank", amount=D("40.00"), state="confirmed", now=timezone.now()
    )
    order.refresh_from_db()
    assert (payment.state, order.status) == ("confirmed", OrderStatus.EXPIRED)
    assert order_net_paid(order) == D("40.00")
    assert balance(order) == D("-40.00")  # the whole payment is due back
    assert ProductSales.objects.get(item=item, status="pending").quantity == 1  # never oversold


def test_an_event_that_refuses_late_payments_keeps_the_order_expired(event, item):
    event_settings_update(event=event, changes={"payment_term_accept_late": False})
    order = place(event, item)
    order_mark_expired(order=order, now=timezone.now())
    payment_create(order=order, provider="bank", amount=D("40.00"), state="confirmed", now=timezone.now())
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED and balance(order) == D("-40.00")


def test_orders_of_an_event_that_does_not_expire_automatically_stay_pending(event, item):
    event_settings_update(event=event, changes={"payment_term_expire_automatically": False})
    order = place(event, item, expires=timezone.now() + timedelta(minutes=1))
    run = orders_expire_due(now=timezone.now() + timedelta(hours=1))
    order.refresh_from_db()
    assert (run.expired, order.status) == (0, OrderStatus.PENDING)


def test_expiry_announces_each_order_once(event, item):
    order = place(event, item, expires=timezone.now() + timedelta(minutes=1))
    before = set(Notification.objects.values_list("pk", flat=True))
    orders_expire_due(now=timezone.now() + timedelta(hours=1))
    orders_expire_due(now=timezone.now() + timedelta(hours=1))
    written = list(Notification.objects.exclude(pk__in=before).values_list("type", "order_code"))
    assert written == [("order.expired", order.code)]

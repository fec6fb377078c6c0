"""The payment and refund services called directly: which state changes each allows (table-driven), what
each does to the order, and the refund limits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from orders.checkout.draft import PositionSpec
from orders.models import OrderStatus, PaymentState, RefundState
from orders.services.checkout import order_place
from orders.services.orders import order_mark_canceled, order_mark_paid
from orders.services.payments import (
    PaymentStateError,
    RefundStateError,
    RefundTooLarge,
    payment_cancel,
    payment_confirm,
    payment_create,
    refund_cancel,
    refund_create,
    refund_done,
)
from orders.tests.factories import web_channel
from ticketing.tests.factories import ItemFactory, QuotaFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def order(event):
    item = ItemFactory(event=event, default_price=D("40.00"))
    QuotaFactory(event=event, size=10, items=[item])
    return order_place(
        event=event, sales_channel=web_channel(event), positions=[PositionSpec(item=item.pk)],
        email="a@example.com", now=timezone.now(),
    )  # fmt: skip


def a_payment(order, state: str):
    now = timezone.now()
    start = (
        state if state in (PaymentState.CREATED, PaymentState.PENDING, PaymentState.CONFIRMED) else "created"
    )
    payment = payment_create(order=order, provider="stripe", amount=D("10.00"), state=start, now=now)
    if state == PaymentState.CANCELED:
        payment = payment_cancel(payment=payment, now=now)
    return payment


@pytest.mark.parametrize(
    ("state", "confirm", "cancel"),
    [
        ("created", "confirmed", "canceled"),
        ("pending", "confirmed", "canceled"),
        ("confirmed", None, None),
        ("canceled", None, None),
    ],
)
def test_what_a_payment_in_each_state_may_become(order, state, confirm, cancel):
    for action, expected in ((payment_confirm, confirm), (payment_cancel, cancel)):
        payment = a_payment(order, state)
        if expected is None:
            with pytest.raises(PaymentStateError) as refused:
                action(payment=payment, now=timezone.now())
            assert refused.value.context == {"state": state}
        else:
            assert action(payment=payment, now=timezone.now()).state == expected


def a_refund(order, state: str):
    now = timezone.now()
    payment = payment_create(order=order, provider="bank", amount=D("40.00"), state="confirmed", now=now)
    start = state if state != RefundState.CANCELED else RefundState.CREATED
    refund = refund_create(order=order, payment=payment, amount=D("1.00"), state=start, now=now)
    if state == RefundState.CANCELED:
        refund = refund_cancel(refund=refund, now=now)
    return refund


@pytest.mark.parametrize(
    ("state", "done", "cancel"),
    [
        ("created", "done", "canceled"),
        ("transit", "done", "canceled"),
        ("external", "done", "canceled"),
        ("done", None, None),
        ("canceled", None, None),
    ],
)
def test_what_a_refund_in_each_state_may_become(order, state, done, cancel):
    for action, expected in ((refund_done, done), (refund_cancel, cancel)):
        refund = a_refund(order, state)
        if expected is None:
            with pytest.raises(RefundStateError):
                action(refund=refund, now=timezone.now())
        else:
            assert action(refund=refund, now=timezone.now()).state == expected


def test_payments_covering_the_total_make_the_order_paid_and_not_before(order):
    now = timezone.now()
    payment_create(order=order, provider="bank", amount=D("39.99"), state="confirmed", now=now)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    last = payment_create(order=order, provider="bank", amount=D("0.01"), now=now)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING  # created, not confirmed
    payment_confirm(payment=last, now=now)
    order.refresh_from_db()
    assert (order.status, order.paid_at) == (OrderStatus.PAID, now)


def test_a_refund_never_exceeds_what_is_left_of_its_payment(order):
    now = timezone.now()
    payment = payment_create(order=order, provider="bank", amount=D("40.00"), state="confirmed", now=now)
    refund_create(order=order, payment=payment, amount=D("25.00"), now=now)  # created: counts already
    with pytest.raises(RefundTooLarge) as refused:
        refund_create(order=order, payment=payment, amount=D("15.01"), now=now)
    assert refused.value.context == {"refundable": "15.00", "payment": 1}
    last = refund_create(order=order, payment=payment, amount=D("15.00"), state="done", now=now)
    payment.refresh_from_db()
    assert payment.state == PaymentState.CONFIRMED  # 25.00 of it is not done yet
    assert last.local_id == 2


def test_a_refund_of_an_unconfirmed_payment_is_refused(order):
    payment = payment_create(order=order, provider="bank", amount=D("40.00"), now=timezone.now())
    with pytest.raises(RefundTooLarge):
        refund_create(order=order, payment=payment, amount=D("1.00"), now=timezone.now())


def test_a_refund_names_its_payments_provider(order):
    payment = payment_create(
        order=order, provider="bank", amount=D("40.00"), state="confirmed", now=timezone.now()
    )
    with pytest.raises(ValidationError) as refused:
        refund_create(order=order, payment=payment, provider="cash", amount=D("1.00"), now=timezone.now())
    assert "provider" in refused.value.message_dict


def test_a_canceled_order_takes_a_confirmed_payment_and_shows_it_due_back(order):
    now = timezone.now()
    order_mark_canceled(order=order, now=now)
    with pytest.raises(PaymentStateError):
        payment_create(order=order, provider="bank", amount=D("5.00"), now=now)
    late = payment_create(order=order, provider="bank", amount=D("40.00"), state="confirmed", now=now)
    order.refresh_from_db()
    assert (late.state, order.status) == (PaymentState.CONFIRMED, OrderStatus.CANCELED)
    refund_create(order=order, payment=late, amount=D("40.00"), state="done", now=now)


@pytest.mark.parametrize(
    ("fee", "paid", "status", "total"),
    [
        ("10.00", "40.00", OrderStatus.PAID, "10.00"),  # paid more than the fee: paid, 30.00 due back
        ("10.00", "5.00", OrderStatus.PENDING, "10.00"),  # paid less than the fee: the rest is due
        ("10.00", "0", OrderStatus.PENDING, "10.00"),
        ("40.00", "40.00", OrderStatus.PAID, "40.00"),  # the whole total kept
    ],
)
def test_a_cancel_keeping_a_fee(order, fee, paid, status, total):
    now = timezone.now()
    if D(paid) == D("40.00"):
        order_mark_paid(order=order, now=now)
    elif D(paid):
        order_mark_paid(order=order, now=now, amount=D(paid))
    canceled = order_mark_canceled(order=order, now=now, cancellation_fee=D(fee))
    assert (canceled.status, canceled.total, canceled.fee_total) == (status, D(total), D(fee))
    assert list(canceled.positions.values_list("canceled", flat=True)) == [True]
    assert list(canceled.fees.values_list("fee_type", "value")) == [("cancellation", D(fee))]

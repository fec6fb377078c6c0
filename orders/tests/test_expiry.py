"""Payment deadlines (``orders.services.expiry``), the services called directly: which orders the periodic
run expires, what expiry gives back, mark_expired, extend, and reviving an expired order (what refuses).

Orders are placed through the real checkout (``order_place``), so their sales counts, redemptions and
gift card payments are the checkout's; the test then sets the deadline (the lead's placement will)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from orders.checkout.draft import PositionSpec
from orders.models import (
    Order,
    OrderPayment,
    OrderRefund,
    OrderStatus,
    PaymentState,
    Redemption,
    RefundState,
)
from orders.payments import order_net_paid
from orders.sales import product_key, record_sales
from orders.services.checkout import order_place
from orders.services.expiry import (
    ReviveCodeRefused,
    ReviveRefused,
    order_extend,
    order_mark_expired,
    order_revive,
    orders_expire_due,
)
from orders.services.orders import OrderStateError, order_mark_canceled, order_mark_paid
from orders.tasks import expire_orders_task
from orders.tests.factories import CartFactory, CartPositionFactory, web_channel
from ticketing.models import Quota
from ticketing.selectors import quota_availability
from ticketing.tests.factories import ItemFactory, QuotaFactory
from vouchers.models import GiftCardTransaction, PriceMode
from vouchers.selectors import gift_card_balance
from vouchers.tests.factories import CouponFactory, GiftCardFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal
HOUR = timedelta(hours=1)


@pytest.fixture
def ticket(event):
    """A ticket at 50.00 in a quota of 1."""
    item = ItemFactory(event=event, name="Ticket", default_price=D("50.00"))
    QuotaFactory(event=event, name="Hall", size=1, items=[item])
    return item


def place(event, item, *, codes=(), gift_cards=(), voucher=None, expires=None, count=1, plain=0) -> Order:
    """A pending order through the checkout of ``count`` positions (carrying ``voucher``) and ``plain``
    more without it; its deadline set to ``expires`` (default: an hour ago)."""
    positions = [PositionSpec(item=item.pk, voucher=voucher)] * count + [PositionSpec(item=item.pk)] * plain
    order = order_place(
        event=event, sales_channel=web_channel(event), email="buyer@example.com", now=timezone.now(),
        positions=positions, codes=codes, gift_cards=gift_cards,
    )  # fmt: skip
    Order.objects.filter(pk=order.pk).update(expires=expires or timezone.now() - HOUR)
    return Order.objects.get(pk=order.pk)


def sold(item) -> tuple[int, int]:
    """(pending, paid) positions of the item's quota."""
    figures = quota_availability(Quota.objects.get(items=item))
    return figures.pending_orders, figures.paid_orders


def status(order: Order) -> str:
    return Order.objects.values_list("status", flat=True).get(pk=order.pk)


# --- the periodic run ----------------------------------------------------------------------------


def test_after_the_deadline_a_run_expires_the_order_and_frees_its_place(event, ticket):
    order = place(event, ticket, expires=timezone.now() + HOUR)
    before = orders_expire_due(now=timezone.now())
    assert (before.expired, status(order), sold(ticket)) == (0, "pending", (1, 0))
    run = orders_expire_due(now=timezone.now() + 2 * HOUR)
    assert (run.expired, run.batches, run.busy) == (1, 1, 0)
    assert (status(order), sold(ticket)) == ("expired", (0, 0))
    assert quota_availability(Quota.objects.get(items=ticket)).available_number == 1


@pytest.mark.parametrize(
    ("case", "state", "deadline", "after"),
    [
        ("pending, deadline passed", OrderStatus.PENDING, -HOUR, "expired"),
        ("pending, deadline this very moment", OrderStatus.PENDING, timedelta(0), "pending"),
        ("pending, deadline ahead", OrderStatus.PENDING, HOUR, "pending"),
        ("pending, no deadline", OrderStatus.PENDING, None, "pending"),
        ("paid, deadline passed", OrderStatus.PAID, -HOUR, "paid"),
        ("canceled, deadline passed", OrderStatus.CANCELED, -HOUR, "canceled"),
        ("expired already", OrderStatus.EXPIRED, -HOUR, "expired"),
    ],
)
def test_which_orders_a_run_expires(event, ticket, case, state, deadline, after):
    now = timezone.now()
    order = place(event, ticket)
    if state == OrderStatus.PAID:
        order_mark_paid(order=order, now=now)
    elif state == OrderStatus.CANCELED:
        order_mark_canceled(order=order, now=now)
    elif state == OrderStatus.EXPIRED:
        order_mark_expired(order=order, now=now)
    Order.objects.filter(pk=order.pk).update(expires=None if deadline is None else now + deadline)
    counts = sold(ticket)
    run = orders_expire_due(now=now)
    assert status(order) == after, case
    assert run.expired == (1 if after == "expired" and state == OrderStatus.PENDING else 0)
    if run.expired == 0:
        assert sold(ticket) == counts  # nothing given back twice, nothing taken from a paid order


def test_a_second_run_expires_nothing_and_gives_nothing_back_again(event, organizer, ticket):
    Quota.objects.filter(items=ticket).update(size=10)
    voucher = VoucherFactory(event=event, max_usages=3)
    for _ in range(3):
        place(event, ticket, voucher=voucher.code)
    assert orders_expire_due(now=timezone.now()).expired == 3
    again = orders_expire_due(now=timezone.now())
    assert (again.expired, again.batches) == (0, 0)
    voucher.refresh_from_db()
    assert voucher.redeemed == 0
    assert sold(ticket) == (0, 0)
    assert Redemption.objects.filter(reversed=True).count() == 3


def test_orders_expire_in_batches_of_the_size_asked_for(event, ticket):
    Quota.objects.filter(items=ticket).update(size=10)
    orders = [place(event, ticket) for _ in range(5)]
    run = orders_expire_due(now=timezone.now(), batch_size=2)
    assert (run.expired, run.batches, len(run.hold_seconds)) == (5, 3, 3)
    assert 0 < run.hold_median <= run.hold_max
    assert {status(o) for o in orders} == {"expired"}
    with pytest.raises(ValueError):
        orders_expire_due(now=timezone.now(), batch_size=0)


def test_expiry_gives_the_code_uses_back(event, organizer, ticket):
    Quota.objects.filter(items=ticket).update(size=10)
    voucher = VoucherFactory(event=event, max_usages=1, price_mode=PriceMode.SET, value=D("40.00"))
    promo = PromoCodeFactory(series__organizer=organizer, series__single_usage=True)
    orders = [place(event, ticket, voucher=voucher.code), place(event, ticket, codes=[promo.code])]
    voucher.refresh_from_db()
    promo.refresh_from_db()
    assert (voucher.redeemed, promo.used_orders, promo.active) == (1, 1, False)
    now = timezone.now()
    orders_expire_due(now=now)
    voucher.refresh_from_db()
    promo.refresh_from_db()
    assert (voucher.redeemed, promo.used_orders, promo.active) == (0, 0, True)
    assert list(Redemption.objects.filter(order__in=orders).values_list("reversed", "reversed_at")) == [
        (True, now), (True, now),
    ]  # fmt: skip
    # Both codes can be used again.
    assert place(event, ticket, voucher=voucher.code).total == D("40.00")
    assert place(event, ticket, codes=[promo.code]).total == D("45.00")  # 50.00 − 10 %


def test_expiry_gives_the_gift_card_money_back_to_the_card(event, organizer, ticket):
    card = GiftCardFactory(organizer=organizer, code="GIFT-TWENTY", value=D("20.00"))
    order = place(event, ticket, gift_cards=[card.code])
    assert gift_card_balance(card) == D("0")
    orders_expire_due(now=timezone.now())
    assert gift_card_balance(card) == D("20.00")
    payment = OrderPayment.objects.get(order=order)
    assert (payment.provider, payment.amount, payment.state) == ("giftcard", D("20.00"), "refunded")
    refund = OrderRefund.objects.get(order=order)
    assert (refund.provider, refund.amount, refund.state, refund.payment_id) == (
        "giftcard", D("20.00"), RefundState.DONE, payment.pk,
    )  # fmt: skip
    last = GiftCardTransaction.objects.filter(card=card).latest("id")
    assert (last.value, last.order_code, last.text) == (D("20.00"), order.code, f"Order {order.code} expired")
    assert order_net_paid(order) == D("0")


# --- mark_expired --------------------------------------------------------------------------------


def test_mark_expired_expires_a_pending_order_before_its_deadline(event, ticket):
    order = place(event, ticket, expires=timezone.now() + HOUR)
    expired = order_mark_expired(order=order, now=timezone.now())
    assert (expired.status, status(order), sold(ticket)) == ("expired", "expired", (0, 0))


@pytest.mark.parametrize("state", ["paid", "canceled", "expired"])
def test_mark_expired_refuses_an_order_that_is_not_pending(event, ticket, state):
    order = place(event, ticket)
    {"paid": order_mark_paid, "canceled": order_mark_canceled, "expired": order_mark_expired}[state](
        order=order, now=timezone.now()
    )
    counts = sold(ticket)
    with pytest.raises(OrderStateError) as refused:
        order_mark_expired(order=order, now=timezone.now())
    assert (refused.value.status_code, refused.value.code, refused.value.context) == (
        409, "order_state", {"status": state},
    )  # fmt: skip
    assert (status(order), sold(ticket)) == (state, counts)


# --- extend --------------------------------------------------------------------------------------


def test_extend_gives_a_pending_order_a_new_deadline(event, ticket):
    order = place(event, ticket, expires=timezone.now() + HOUR)
    later = timezone.now() + 48 * HOUR
    extended = order_extend(order=order, expires=later, now=timezone.now())
    assert (extended.status, Order.objects.get(pk=order.pk).expires) == ("pending", later)
    assert sold(ticket) == (1, 0)  # taken once, not twice


@pytest.mark.parametrize(
    ("case", "shift", "force", "field"),
    [
        ("a deadline in the past", -HOUR, False, "expires"),
        ("a deadline this very moment", timedelta(0), False, "expires"),
        ("force", HOUR, True, "force"),
    ],
)
def test_extend_refuses_bad_input_naming_the_field(event, ticket, case, shift, force, field):
    order = place(event, ticket)
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        order_extend(order=order, expires=now + shift, now=now, force=force)
    assert list(refused.value.message_dict) == [field], case
    assert Order.objects.get(pk=order.pk).expires == order.expires


@pytest.mark.parametrize("state", ["paid", "canceled"])
def test_extend_refuses_a_paid_or_canceled_order(event, ticket, state):
    order = place(event, ticket)
    (order_mark_paid if state == "paid" else order_mark_canceled)(order=order, now=timezone.now())
    with pytest.raises(OrderStateError) as refused:
        order_extend(order=order, expires=timezone.now() + HOUR, now=timezone.now())
    assert (refused.value.code, refused.value.context) == ("order_state", {"status": state})
    assert Order.objects.get(pk=order.pk).expires == order.expires


# --- revive --------------------------------------------------------------------------------------


def test_extend_revives_an_expired_order_with_room(event, organizer, ticket):
    Quota.objects.filter(items=ticket).update(size=2)
    voucher = VoucherFactory(event=event, max_usages=1)
    promo = PromoCodeFactory(
        series__organizer=organizer, series__single_usage=True, series__can_be_combined=True
    )
    order = place(event, ticket, voucher=voucher.code, plain=1, codes=[promo.code])
    orders_expire_due(now=timezone.now())
    later = timezone.now() + HOUR
    revived = order_extend(order=order, expires=later, now=timezone.now())
    assert (revived.status, revived.expires) == ("pending", later)
    assert (status(order), sold(ticket)) == ("pending", (2, 0))
    voucher.refresh_from_db()
    promo.refresh_from_db()
    assert (voucher.redeemed, promo.used_orders, promo.used_tickets, promo.active) == (1, 1, 1, False)
    assert list(Redemption.objects.filter(order=order).values_list("reversed", "reversed_at")) == [
        (False, None), (False, None),
    ]  # fmt: skip
    # Then it expires again like any pending order, giving everything back once more.
    orders_expire_due(now=later + HOUR)
    voucher.refresh_from_db()
    assert (status(order), sold(ticket), voucher.redeemed) == ("expired", (0, 0), 0)


def test_a_revived_order_owes_what_its_gift_card_got_back(event, organizer, ticket):
    card = GiftCardFactory(organizer=organizer, value=D("20.00"))
    order = place(event, ticket, gift_cards=[card.code])
    orders_expire_due(now=timezone.now())
    order_extend(order=order, expires=timezone.now() + HOUR, now=timezone.now())
    assert gift_card_balance(card) == D("20.00")  # not taken again
    assert OrderPayment.objects.get(order=order).state == PaymentState.REFUNDED
    order.refresh_from_db()
    assert (order.total - order_net_paid(order)) == D("50.00")  # the whole total is due


def test_revive_is_refused_when_the_place_was_sold_meanwhile_and_nothing_changes(event, organizer, ticket):
    voucher = VoucherFactory(event=event, max_usages=5)
    order = place(event, ticket, voucher=voucher.code)
    orders_expire_due(now=timezone.now())
    place(event, ticket, expires=timezone.now() + HOUR)  # the last place, sold to someone else
    expires = Order.objects.get(pk=order.pk).expires
    with pytest.raises(ReviveRefused) as refused:
        order_extend(order=order, expires=timezone.now() + HOUR, now=timezone.now())
    quota = Quota.objects.get(items=ticket)
    assert (refused.value.status_code, refused.value.code) == (409, "quota_exceeded")
    assert refused.value.context == {"quota": quota.pk, "available": 0}
    assert Order.objects.values_list("status", "expires").get(pk=order.pk) == ("expired", expires)
    voucher.refresh_from_db()
    assert (voucher.redeemed, sold(ticket)) == (0, (1, 0))
    assert Redemption.objects.get(order=order).reversed


def test_a_place_held_by_another_cart_is_not_the_revived_orders(event, ticket):
    order = place(event, ticket)
    orders_expire_due(now=timezone.now())
    CartPositionFactory(cart=CartFactory(event=event), item=ticket)
    with pytest.raises(ReviveRefused) as refused:
        order_extend(order=order, expires=timezone.now() + HOUR, now=timezone.now())
    assert refused.value.code == "quota_exceeded"
    assert status(order) == "expired"


def test_a_blocking_voucher_the_order_carries_gives_it_its_place_back(event, ticket):
    voucher = VoucherFactory(event=event, item=ticket, max_usages=1, block_quota=True)
    order = place(event, ticket, voucher=voucher.code)
    orders_expire_due(now=timezone.now())
    assert quota_availability(Quota.objects.get(items=ticket)).blocking_vouchers == 1  # held for the voucher
    order_extend(order=order, expires=timezone.now() + HOUR, now=timezone.now())
    assert (status(order), sold(ticket)) == ("pending", (1, 0))
    assert quota_availability(Quota.objects.get(items=ticket)).blocking_vouchers == 0


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("a single-use promo code used by another order", "exhausted"),
        ("a voucher of max_usages 1 used by another order", "exhausted"),
        ("a single-use coupon used by another order", "exhausted"),
        ("the voucher's last use held by a cart", "held_in_other_cart"),
        ("the voucher's budget spent by another order", "budget_exhausted"),
    ],
)
def test_revive_is_refused_when_a_code_was_used_meanwhile_and_nothing_changes(
    event, organizer, ticket, case, code
):
    Quota.objects.filter(items=ticket).update(size=10)
    voucher = promo = None
    if "promo" in case:
        promo = PromoCodeFactory(series__organizer=organizer, series__single_usage=True)
    elif "coupon" in case:
        promo = CouponFactory(series__organizer=organizer, series__single_usage=True)
    elif "budget" in case:
        voucher = VoucherFactory(event=event, max_usages=5, price_mode=PriceMode.SUBTRACT, value=D("10.00"),
                                 budget=D("10.00"))  # fmt: skip
    else:
        voucher = VoucherFactory(event=event, max_usages=1)
    text = promo.code if promo else voucher.code
    uses = {"codes": [promo.code]} if promo else {"voucher": voucher.code}
    order = place(event, ticket, **uses)
    orders_expire_due(now=timezone.now())
    if "cart" in case:
        CartPositionFactory(cart=CartFactory(event=event), item=ticket, voucher=voucher)
    else:
        place(event, ticket, expires=timezone.now() + HOUR, **uses)
    row = promo or voucher
    row.refresh_from_db()
    counters = (row.used_orders, row.used_tickets) if promo else (row.redeemed, row.budget_used)
    with pytest.raises(ReviveCodeRefused) as refused:
        order_extend(order=order, expires=timezone.now() + HOUR, now=timezone.now())
    error = refused.value
    assert (error.status_code, error.code, error.context["code_text"]) == (400, code, text), case
    assert isinstance(error, ReviveRefused)
    assert status(order) == "expired"
    assert sold(ticket) == ((0, 0) if "cart" in case else (1, 0))
    row.refresh_from_db()
    assert ((row.used_orders, row.used_tickets) if promo else (row.redeemed, row.budget_used)) == counters
    assert Redemption.objects.get(order=order).reversed


def test_order_revive_takes_only_an_expired_order(event, ticket):
    order = place(event, ticket)
    with pytest.raises(OrderStateError):
        order_revive(order, now=timezone.now())


def test_a_position_canceled_on_its_own_is_not_revived(event, ticket):
    Quota.objects.filter(items=ticket).update(size=2)
    order = place(event, ticket, count=2)
    order.positions.filter(positionid=2).update(canceled=True)
    record_sales(Counter({product_key(ticket.pk, None, None, "pending"): -1}))  # as a position's cancel does
    Quota.objects.filter(items=ticket).update(size=1)  # room for the one position left
    orders_expire_due(now=timezone.now())
    order_extend(order=order, expires=timezone.now() + HOUR, now=timezone.now())
    assert sold(ticket) == (1, 0)


# --- the task and the command --------------------------------------------------------------------


def test_the_task_expires_what_is_due_and_the_beat_runs_it_every_minute(event, ticket):
    order = place(event, ticket)
    assert expire_orders_task.delay().get() == 1
    assert status(order) == "expired"
    assert settings.CELERY_BEAT_SCHEDULE["expire-orders"] == {
        "task": "orders.tasks.expire_orders_task", "schedule": 60.0,
    }  # fmt: skip


def test_the_command_prints_how_many_expired_and_the_rate(event, ticket):
    Quota.objects.filter(items=ticket).update(size=10)
    for _ in range(3):
        place(event, ticket)
    out = StringIO()
    call_command("expire_orders", "--batch-size", "2", stdout=out)
    text = out.getvalue()
    assert text.startswith("Expired 3 order(s) in 2 batch(es), ")
    assert "orders/s); locks held per batch: median " in text
    with pytest.raises(CommandError):
        call_command("expire_orders", "--batch-size", "0")

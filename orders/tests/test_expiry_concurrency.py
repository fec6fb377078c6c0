"""Expiry at the same time as itself, a checkout and an extend, on PostgreSQL: real threads, each with its
own database connection (its own server process), as in ``test_concurrency``. SQLite serialises writers
and takes no row locks, so these run in CI's PostgreSQL pass only."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ConflictError
from orders.checkout.draft import PositionSpec
from orders.models import (
    LIVE_STATUSES,
    Order,
    OrderPayment,
    OrderPosition,
    OrderRefund,
    OrderStatus,
    Redemption,
)
from orders.payments import order_net_paid, owed
from orders.services.checkout import order_place
from orders.services.expiry import order_extend, orders_expire_due
from orders.services.payments import payment_create
from orders.tests.factories import web_channel
from orders.tests.test_concurrency import TOKEN, at_once
from ticketing.models import Quota
from ticketing.selectors import quota_availability
from ticketing.tests.factories import ItemFactory, QuotaFactory, TeamFactory, make_token
from vouchers.models import Coupon, Voucher
from vouchers.selectors import gift_card_balance
from vouchers.tests.factories import CouponFactory, GiftCardFactory, VoucherFactory

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]
D = Decimal
HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True)
def token(organizer):
    TOKEN[:] = [make_token(TeamFactory(organizer=organizer, all_permissions=True, all_events=True))]


def place(event, item, *, deadline: timedelta, **extra) -> Order:
    order = order_place(
        event=event, sales_channel=web_channel(event), email="buyer@example.com", now=timezone.now(),
        positions=[PositionSpec(item=item.pk, voucher=extra.pop("voucher", None))], **extra,
    )  # fmt: skip
    Order.objects.filter(pk=order.pk).update(expires=timezone.now() + deadline)
    return order


def live_positions(item) -> int:
    return OrderPosition.objects.filter(item=item, canceled=False, order__status__in=LIVE_STATUSES).count()


def test_two_runs_at_once_over_many_orders_expire_and_give_back_each_order_once(event, organizer):
    item = ItemFactory(event=event, default_price=D("50.00"))
    quota = QuotaFactory(event=event, size=1000, items=[item])
    voucher = VoucherFactory(event=event, max_usages=1000)
    coupon = CouponFactory(series__organizer=organizer, series__max_usage=1000, series__can_be_combined=True)
    cards = [GiftCardFactory(organizer=organizer, value=D("20.00")) for _ in range(30)]
    for n in range(150):  # 120 overdue, every other one with the voucher, the rest with the coupon
        code = {"voucher": voucher.code} if n % 2 else {"codes": [coupon.code]}
        card_pays = {"gift_cards": [cards[n // 4].code]} if n % 4 == 0 and n < 120 else {}  # pays part
        place(event, item, deadline=-HOUR if n < 120 else HOUR, **code, **card_pays)
    assert sum(gift_card_balance(card) for card in cards) == D("0")

    runs = at_once(4, lambda client, i: orders_expire_due(now=timezone.now(), batch_size=10))

    assert sum(run.expired for run in runs) == 120
    assert Counter(Order.objects.values_list("status", flat=True)) == {"expired": 120, "pending": 30}
    figures = quota_availability(Quota.objects.get(pk=quota.pk))
    assert (figures.pending_orders, live_positions(item)) == (30, 30)
    # The 30 that stay (15 with each code) are still counted: nothing was given back twice.
    assert Voucher.objects.get(pk=voucher.pk).redeemed == 15
    assert Coupon.objects.values_list("used_orders", "used_tickets").get(pk=coupon.pk) == (15, 15)
    assert Redemption.objects.filter(reversed=True).count() == 120
    assert OrderRefund.objects.count() == 30  # one per card payment
    assert [gift_card_balance(card) for card in cards] == [D("20.00")] * 30


def test_expiry_a_checkout_and_an_extend_at_once_never_oversell_a_quota_of_1(event):
    outcomes: Counter[str] = Counter()
    for _ in range(8):  # a fresh item each round, so that the three meet in different orders
        item = ItemFactory(event=event, default_price=D("50.00"))
        quota = QuotaFactory(event=event, size=1, items=[item])
        overdue = place(event, item, deadline=-HOUR)

        def race(client, i, item=item, overdue=overdue):
            if i == 0:
                return orders_expire_due(now=timezone.now()).expired
            try:
                if i == 1:
                    return order_place(
                        event=event, sales_channel=web_channel(event), email="late@example.com",
                        now=timezone.now(), positions=[PositionSpec(item=item.pk)],
                    ).status  # fmt: skip
                return order_extend(order=overdue, expires=timezone.now() + HOUR, now=timezone.now()).status
            except ConflictError as exc:
                return exc.code

        expired, checkout, extend = at_once(3, race)
        outcomes[f"expired {expired}, checkout {checkout}, extend {extend}"] += 1
        figures = quota_availability(Quota.objects.get(pk=quota.pk))
        assert live_positions(item) == figures.pending_orders + figures.paid_orders <= 1
        assert [checkout, extend].count("pending") == live_positions(item)
    assert sum(outcomes.values()) == 8, outcomes


def test_expiry_a_late_payment_and_a_checkout_at_once_never_oversell_nor_lose_the_payment(event):
    """An overdue order's payment arrives while the expiry runs and someone else buys the only place:
    whatever the order they meet in, the quota of 1 holds at most one live position, and the payment is
    recorded either way — paying a revived (or never expired) order, or due back from an expired one."""
    outcomes: Counter[str] = Counter()
    for _ in range(8):
        item = ItemFactory(event=event, default_price=D("50.00"))
        quota = QuotaFactory(event=event, size=1, items=[item])
        overdue = place(event, item, deadline=-HOUR)

        def race(client, i, item=item, overdue=overdue):
            if i == 0:
                return orders_expire_due(now=timezone.now()).expired
            try:
                if i == 1:
                    return order_place(
                        event=event, sales_channel=web_channel(event), email="other@example.com",
                        now=timezone.now(), positions=[PositionSpec(item=item.pk)],
                    ).status  # fmt: skip
                return payment_create(
                    order=overdue, provider="bank", amount=D("50.00"), state="confirmed", now=timezone.now()
                ).state  # fmt: skip
            except ConflictError as exc:
                return exc.code

        expired, checkout, payment = at_once(3, race)
        paid_order = Order.objects.get(pk=overdue.pk)
        outcomes[f"expired {expired}, checkout {checkout}, payment {payment}, order {paid_order.status}"] += 1
        figures = quota_availability(Quota.objects.get(pk=quota.pk))
        assert live_positions(item) == figures.pending_orders + figures.paid_orders <= 1
        assert payment == "confirmed"  # never lost: the money is recorded whatever happened to the order
        assert OrderPayment.objects.filter(order=overdue, state="confirmed", amount=D("50.00")).count() == 1
        if paid_order.status == OrderStatus.PAID:
            assert checkout != "pending" and order_net_paid(paid_order) == owed(paid_order)
        else:  # expired for good: the whole payment is due back
            assert paid_order.status == OrderStatus.EXPIRED and owed(paid_order) == D("0")
            assert order_net_paid(paid_order) == D("50.00")
    assert sum(outcomes.values()) == 8, outcomes

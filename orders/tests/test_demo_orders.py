"""Demo orders: one per kind of code and one discounted by the rules, idempotent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from discounts.demo import ensure_demo_discounts
from orders.demo import ensure_demo_orders
from orders.models import Order, Redemption
from ticketing.demo import ensure_demo_ticketing
from vouchers.demo import ensure_demo_codes

pytestmark = pytest.mark.django_db


def test_demo_orders_use_each_kind_of_code_and_the_rules_and_are_created_once():
    demo = ensure_demo_ticketing()
    ensure_demo_discounts(demo.conference)
    codes = ensure_demo_codes(demo.organizer, demo.conference)
    orders = ensure_demo_orders(demo.conference, codes)
    assert len(orders) == 5
    kinds = set(Redemption.objects.filter(order__in=orders).values_list("kind", flat=True))
    assert kinds == {"voucher", "coupon", "promo_code"}
    rules_order = next(o for o in orders if o.email.startswith("rules"))
    assert rules_order.positions.filter(discount_rule__isnull=False).count() == 5
    assert rules_order.positions.filter(is_bundled=True).exists()  # the VIP ticket's parking pass
    assert orders[0].status == "paid"
    again = ensure_demo_orders(demo.conference, codes)
    assert [o.pk for o in again] == [o.pk for o in orders]
    assert Order.objects.count() == 5
    canceled = next(o for o in orders if o.email.startswith("cancel"))
    canceled.refresh_from_db()
    assert (canceled.status, canceled.total) == ("paid", Decimal("10.00"))  # the fee: 15.00 − 5.00 due back
    assert list(canceled.payments.values_list("provider", "amount", "state")) == [
        ("banktransfer", Decimal("15.00"), "confirmed")
    ]
    assert list(canceled.refunds.values_list("provider", "amount", "state")) == [
        ("banktransfer", Decimal("5.00"), "created")
    ]

"""Orders and carts count against quotas through the counters registered in ``OrdersConfig.ready()``."""

from __future__ import annotations

import pytest

from orders.models import ProductSales
from orders.sales import sales_recount
from orders.tests.factories import CartFactory, CartPositionFactory, OrderFactory, OrderPositionFactory
from ticketing.selectors import quota_availability
from ticketing.tests.factories import ItemFactory, ItemVariationFactory, QuotaFactory, SubEventFactory
from vouchers.tests.factories import VoucherFactory

pytestmark = pytest.mark.django_db


def test_pending_and_paid_positions_count_canceled_ones_do_not(event):
    item = ItemFactory(event=event)
    quota = QuotaFactory(event=event, size=10, items=[item])
    OrderPositionFactory(order=OrderFactory(event=event), item=item)
    OrderPositionFactory(order=OrderFactory(event=event, paid=True), item=item)
    OrderPositionFactory(order=OrderFactory(event=event, paid=True), item=item)
    OrderPositionFactory(order=OrderFactory(event=event, canceled=True), item=item)
    availability = quota_availability(quota)
    assert (availability.pending_orders, availability.paid_orders) == (1, 2)
    assert availability.available_number == 7


def test_unexpired_cart_positions_count_expired_and_blocking_voucher_ones_do_not(event):
    item = ItemFactory(event=event)
    quota = QuotaFactory(event=event, size=10, items=[item])
    CartPositionFactory(cart=CartFactory(event=event), item=item)
    CartPositionFactory(cart=CartFactory(event=event, expired=True), item=item)
    blocking = VoucherFactory(event=event, item=item, block_quota=True, max_usages=2)
    CartPositionFactory(cart=CartFactory(event=event), item=item, voucher=blocking)
    availability = quota_availability(quota)
    assert availability.cart_positions == 1
    assert availability.blocking_vouchers == 2
    assert availability.available_number == 7


def test_a_position_counts_only_for_quotas_of_its_variation_and_date(organizer):
    from ticketing.tests.factories import EventFactory

    series = EventFactory(organizer=organizer, has_subevents=True)
    friday, saturday = SubEventFactory(event=series), SubEventFactory(event=series)
    item = ItemFactory(event=series)
    small, large = ItemVariationFactory(item=item), ItemVariationFactory(item=item)
    friday_small = QuotaFactory(event=series, subevent=friday, items=[item], variations=[small])
    friday_all = QuotaFactory(event=series, subevent=friday, items=[item], variations=[small, large])
    saturday_all = QuotaFactory(event=series, subevent=saturday, items=[item], variations=[small, large])
    order = OrderFactory(event=series)
    OrderPositionFactory(order=order, item=item, variation=large, subevent=friday)
    OrderPositionFactory(order=order, item=item, variation=small, subevent=friday)
    assert quota_availability(friday_small).pending_orders == 1
    assert quota_availability(friday_all).pending_orders == 2
    assert quota_availability(saturday_all).pending_orders == 0


def test_counting_takes_a_fixed_number_of_queries_whatever_the_number_of_quotas(
    event, django_assert_num_queries
):
    from ticketing.selectors import quota_availabilities

    items = [ItemFactory(event=event) for _ in range(5)]
    quotas = [QuotaFactory(event=event, items=items) for _ in range(8)]
    for item in items:
        OrderPositionFactory(order=OrderFactory(event=event), item=item)
    # One per kind, and the cart counter first asks the vouchers app which vouchers hold places.
    with django_assert_num_queries(5):
        result = quota_availabilities(quotas)
    assert {a.pending_orders for a in result.values()} == {5}


def sales_snapshot() -> set[tuple]:
    fields = ("item_id", "variation_key", "subevent_key", "status", "quantity")
    return set(ProductSales.objects.exclude(quantity=0).values_list(*fields))


def test_running_sales_counts_follow_orders_through_paid_and_canceled(api, event):
    from orders.tests.conftest import BASE

    item = ItemFactory(event=event)
    small = ItemVariationFactory(item=item)
    quota = QuotaFactory(event=event, size=10, items=[item], variations=[small])
    body = {"email": "a@example.com", "positions": [{"item": item.pk, "variation": small.pk}] * 3}
    first = api.post(BASE + "orders/", body, format="json").json()["code"]
    api.post(BASE + "orders/", body, format="json")
    assert quota_availability(quota).pending_orders == 6
    api.post(BASE + f"orders/{first}/mark_paid/")
    availability = quota_availability(quota)
    assert (availability.pending_orders, availability.paid_orders, availability.available_number) == (3, 3, 4)
    api.post(BASE + f"orders/{first}/mark_canceled/")
    assert (quota_availability(quota).paid_orders, quota_availability(quota).available_number) == (0, 7)
    # The running counts are what counting the positions gives.
    kept = sales_snapshot()
    sales_recount()
    assert sales_snapshot() == kept == {(item.pk, small.pk, 0, "pending", 3)}


def test_a_cart_position_carrying_a_used_up_blocking_voucher_counts_as_a_cart_position(event):
    item = ItemFactory(event=event)
    quota = QuotaFactory(event=event, size=10, items=[item])
    used_up = VoucherFactory(event=event, item=item, block_quota=True, max_usages=1, redeemed=1)
    CartPositionFactory(cart=CartFactory(event=event), item=item, voucher=used_up)
    availability = quota_availability(quota)
    assert (availability.cart_positions, availability.blocking_vouchers) == (1, 0)  # counted once, not never

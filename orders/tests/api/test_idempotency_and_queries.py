"""``X-Idempotency-Key`` on order-creating requests, and the checkout's query count."""

from __future__ import annotations

from decimal import Decimal

import pytest

from discounts.models import Discount
from orders.models import IdempotencyKey, Order
from orders.tests.conftest import BASE, pos
from vouchers.models import CouponEventUsage, PriceMode
from vouchers.tests.factories import CouponFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal
KEY = {"X-Idempotency-Key": "7f1c2e"}


def test_the_same_key_and_body_return_the_first_response_without_a_second_order(buy, shop):
    first = buy([pos(shop.ticket)], headers=KEY)
    second = buy([pos(shop.ticket)], headers=KEY)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_a_409(buy, shop):
    buy([pos(shop.ticket)], headers=KEY)
    response = buy([pos(shop.cheap)], headers=KEY)
    assert (response.status_code, response.json()["code"]) == (409, "idempotency_key_reused")
    assert Order.objects.count() == 1


def test_a_refused_request_stores_nothing_and_may_be_retried_with_its_key(buy, shop):
    shop.quota.size = 0
    shop.quota.save()
    assert buy([pos(shop.ticket)], headers=KEY).status_code == 409
    assert not IdempotencyKey.objects.exists()
    shop.quota.size = 1
    shop.quota.save()
    assert buy([pos(shop.ticket)], headers=KEY).status_code == 201


def test_keys_are_scoped_per_caller(buy, api_for, shop):
    other = api_for(all_events=True, can_change_orders=True)
    assert buy([pos(shop.ticket)], headers=KEY).status_code == 201
    assert buy([pos(shop.ticket)], headers=KEY, client=other).status_code == 201
    assert Order.objects.count() == 2


def test_cart_checkout_accepts_a_key(api, shop):
    cart = api.post(BASE + "carts/", {"positions": [pos(shop.ticket)]}, format="json").json()
    url = BASE + f"carts/{cart['id']}/checkout/"
    first = api.post(url, {"email": "a@example.com"}, format="json", headers=KEY)
    second = api.post(url, {"email": "a@example.com"}, format="json", headers=KEY)
    assert first.status_code == second.status_code == 201
    assert first.json()["code"] == second.json()["code"]


@pytest.fixture
def priced_event(event, organizer, shop):
    """Two rules and codes of each kind, so that a checkout does all its work."""
    three_for_two = {"condition_min_count": 3, "benefit_only_apply_to_cheapest_n_matches": 1}
    Discount.objects.create(event=event, internal_name="3 for 2", position=1,
                            benefit_discount_matching_percent=D("100"), **three_for_two)  # fmt: skip
    from_100 = {"condition_min_value": D("100"), "benefit_discount_matching_percent": D("10")}
    Discount.objects.create(event=event, internal_name="10% from 100", position=2, **from_100)
    shop.quota.size = 1000
    shop.quota.save()
    voucher = VoucherFactory(event=event, price_mode=PriceMode.PERCENT, value=D("10"), max_usages=1000,
                             budget=D("10000"))  # fmt: skip
    coupon = CouponFactory(series__organizer=organizer, series__can_be_combined=True, series__tags=["x"])
    # Its per-event usage row exists from an earlier order (the first order creates it: one more query).
    CouponEventUsage.objects.create(coupon=coupon, event=event, orders=1, tickets=1)
    return voucher, coupon


def carts_positions(shop, voucher, size: int, with_coupon: bool) -> list[dict]:
    """A voucher on every position, or on the first one with a coupon for the others."""
    if with_coupon:
        return [pos(shop.ticket, voucher=voucher.code)] + [pos(shop.cheap)] * (size - 1)
    return [pos(shop.ticket, voucher=voucher.code)] * size


SCENARIOS = [  # (sizes compared, a coupon too, an idempotency key)
    ((1, 50), False, False),
    ((1, 50), False, True),
    ((2, 50), True, False),
    ((2, 50), True, True),
]


@pytest.mark.parametrize(("sizes", "with_coupon", "with_key"), SCENARIOS)
def test_the_checkout_query_count_does_not_grow_with_positions(
    buy, shop, priced_event, django_assert_max_num_queries, sizes, with_coupon, with_key
):
    voucher, coupon = priced_event
    counts = []
    for size in sizes:
        headers = {"X-Idempotency-Key": f"k{size}"} if with_key else None
        with django_assert_max_num_queries(60) as captured:
            response = buy(
                carts_positions(shop, voucher, size, with_coupon), codes=[coupon.code] if with_coupon else [],
                headers=headers,
            )  # fmt: skip
        assert response.status_code == 201, response.json()
        assert len(response.json()["positions"]) == size
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(("sizes", "with_coupon"), [((1, 50), False), ((2, 50), True)])
def test_the_cart_checkout_query_count_does_not_grow_with_positions(
    api, shop, priced_event, django_assert_max_num_queries, sizes, with_coupon
):
    voucher, coupon = priced_event
    counts = []
    for size in sizes:
        body = {"positions": carts_positions(shop, voucher, size, with_coupon),
                "codes": [coupon.code] if with_coupon else []}  # fmt: skip
        cart = api.post(BASE + "carts/", body, format="json").json()
        url = BASE + f"carts/{cart['id']}/checkout/"
        with django_assert_max_num_queries(60) as captured:
            response = api.post(url, {"email": "a@example.com"}, format="json")
        assert response.status_code == 201, response.json()
        counts.append(len(captured))
    assert counts[0] == counts[1]

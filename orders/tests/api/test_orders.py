"""Orders API: /api/v1/organizers/<o>/events/<e>/orders/"""

from __future__ import annotations

from decimal import Decimal

import pytest

from discounts.models import Discount
from orders.models import Order, OrderStatus, Redemption
from orders.tests.conftest import BASE, pos
from orders.tests.factories import OrderFactory, OrderPositionFactory
from ticketing.api.scoping import ORGANIZER_FORBIDDEN
from ticketing.selectors import quota_availability
from ticketing.tests.factories import EventFactory, OrganizerFactory
from vouchers.models import PriceMode
from vouchers.tests.factories import CouponFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal
ORDERS = BASE + "orders/"
ORDER_FIELDS = {
    "code", "event", "status", "status_text", "email", "name", "sales_channel", "datetime", "list_total",
    "code_discount_total",
    "rule_discount_total", "total", "tags", "positions", "redemptions", "set_aside_codes", "warnings",
    "gift_cards", "amount_due", "issued_gift_cards", "expires", "fee_total", "fees", "payments", "refunds",
    "payment_balance",
}  # fmt: skip


def make_orders(event, count: int, **fields) -> list[Order]:
    orders = []
    for _ in range(count):
        order = OrderFactory(event=event, **fields)
        OrderPositionFactory(order=order, positionid=1)
        orders.append(order)
    return orders


def test_list_is_paginated_with_the_envelope(api, event):
    make_orders(event, 3)
    make_orders(EventFactory(organizer=event.organizer), 1)  # another event's order is not listed
    body = api.get(ORDERS, {"page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"].endswith("page=2&page_size=2") and body["previous"] is None
    assert set(body["results"][0]) == ORDER_FIELDS
    assert api.get(ORDERS, {"page": 9}).status_code == 404


def test_order_codes_are_long_and_unguessable(buy, shop):
    codes = {buy([pos(shop.ticket)]).json()["code"] for _ in range(5)}
    assert len(codes) == 5
    assert all(len(code) >= 10 and not set(code) & set("IJO01") for code in codes)


def test_detail_by_order_code_in_any_case(api, event):
    order = make_orders(event, 1)[0]
    body = api.get(ORDERS + f"{order.code.lower()}/").json()
    assert body["code"] == order.code
    assert body["positions"][0]["positionid"] == 1


def test_an_order_of_another_event_is_a_404(api, event):
    other = make_orders(EventFactory(organizer=event.organizer), 1)[0]
    assert api.get(ORDERS + f"{other.code}/").status_code == 404
    assert api.post(ORDERS + f"{other.code}/mark_paid/").status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "paid"}, {"paid"}),
        ({"email": "PAID@example.com"}, {"paid"}),
        ({"voucher": "spring-2026"}, {"pending"}),
        ({"tag": "press"}, {"pending"}),
        ({"status": "canceled"}, {"canceled"}),
    ],
)
def test_filters(api, event, params, expected):
    pending = make_orders(event, 1, email="pending@example.com")[0]
    make_orders(event, 1, status=OrderStatus.PAID, email="paid@example.com")
    make_orders(event, 1, status=OrderStatus.CANCELED, email="canceled@example.com")
    Redemption.objects.create(order=pending, kind="voucher", code="SPRING-2026")
    pending.tag_rows.create(tag="press")
    body = api.get(ORDERS, params).json()
    assert {o["status_text"] for o in body["results"]} == expected


def test_filter_by_order_code(api, event):
    first, _ = make_orders(event, 2)
    body = api.get(ORDERS, {"code": first.code.lower()}).json()
    assert [o["code"] for o in body["results"]] == [first.code]


def test_an_invalid_filter_value_is_a_400_naming_it(api, event):
    response = api.get(ORDERS, {"status": "maybe"})
    assert response.status_code == 400 and "status" in response.json()


@pytest.mark.parametrize("field", ["datetime", "code", "total"])
def test_ordering(api, event, field):
    orders = make_orders(event, 3)
    for index, order in enumerate(orders):
        Order.objects.filter(pk=order.pk).update(total=D(10 - index))
    expected = sorted(Order.objects.filter(event=event).values_list(field, "code"))
    body = api.get(ORDERS, {"ordering": field}).json()
    assert [o["code"] for o in body["results"]] == [code for _, code in expected]
    body = api.get(ORDERS, {"ordering": f"-{field}"}).json()
    assert [o["code"] for o in body["results"]] == [code for _, code in reversed(expected)]


def test_list_query_count_is_constant(api, event, django_assert_max_num_queries):
    rule = Discount.objects.create(event=event, internal_name="r", condition_min_count=1)
    for order in make_orders(event, 30):
        OrderPositionFactory(order=order, positionid=2, discount_rule=rule)
        Redemption.objects.create(order=order, kind="voucher", code="X")
    with django_assert_max_num_queries(12):
        response = api.get(ORDERS, {"page_size": 30})
    assert len(response.json()["results"]) == 30


def test_create_directly_from_positions_and_codes(buy, event, organizer, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("5.00"))
    response = buy([pos(shop.ticket, voucher=voucher.code), pos(shop.cheap)], name="Ada", sales_channel="web")
    assert response.status_code == 201
    body = response.json()
    assert (body["status_text"], body["name"], body["sales_channel"]) == ("pending", "Ada", "web")
    assert body["total"] == "75.00"
    assert body["redemptions"][0]["code"] == voucher.code


def test_mark_paid(api, event):
    order = make_orders(event, 1)[0]
    response = api.post(ORDERS + f"{order.code}/mark_paid/")
    assert (response.status_code, response.json()["status_text"]) == (200, "paid")
    again = api.post(ORDERS + f"{order.code}/mark_paid/")
    assert (again.status_code, again.json()["code"]) == (409, "order_state")


def test_cancel_gives_back_quota_and_code_usage(buy, api, event, organizer, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.PERCENT, value=D("10"), max_usages=2,
                             budget=D("100"))  # fmt: skip
    # The voucher takes 5.00 off each ticket; the coupon 10 % off one reduced ticket (its allowance:
    # 3.00); the promo code, stacked, 10 % off both reduced ones (27.00 + 30.00: 5.70).
    coupon = CouponFactory(series__organizer=organizer, series__discount_value=D("10"), series__max_tickets=1,
                           series__can_be_combined=True)  # fmt: skip
    promo = PromoCodeFactory(series__organizer=organizer, series__single_usage=True,
                             series__can_be_combined=True)  # fmt: skip
    body = buy(
        [pos(shop.ticket, voucher=voucher.code), pos(shop.ticket, voucher=voucher.code), pos(shop.cheap),
         pos(shop.cheap)],
        codes=[coupon.code, promo.code],
    ).json()  # fmt: skip
    assert body["code_discount_total"] == "18.70"
    voucher.refresh_from_db()
    coupon.refresh_from_db()
    promo.refresh_from_db()
    assert (voucher.redeemed, voucher.budget_used) == (2, D("10"))
    assert (coupon.used_orders, coupon.used_tickets, promo.active) == (1, 1, False)
    assert quota_availability(shop.quota).pending_orders == 4

    response = api.post(ORDERS + f"{body['code']}/mark_canceled/")
    assert (response.status_code, response.json()["status_text"]) == (200, "canceled")
    assert {r["reversed"] for r in response.json()["redemptions"]} == {True}
    voucher.refresh_from_db()
    coupon.refresh_from_db()
    promo.refresh_from_db()
    assert (voucher.redeemed, voucher.budget_used) == (0, D("0"))
    assert (coupon.used_orders, coupon.used_tickets) == (0, 0)
    assert coupon.event_usages.get().orders == 0
    assert promo.active  # the one-time promo code may be used again
    assert quota_availability(shop.quota).pending_orders == 0
    assert Redemption.objects.filter(order__code=body["code"], reversed=True).count() == 3  # kept, reversed
    again = api.post(ORDERS + f"{body['code']}/mark_canceled/")
    assert (again.status_code, again.json()["code"]) == (409, "order_state")
    # The codes can be used again.
    reuse = buy([pos(shop.ticket, voucher=voucher.code), pos(shop.cheap)], codes=[promo.code])
    assert reuse.status_code == 201


def test_a_paid_order_can_be_canceled(api, event):
    order = make_orders(event, 1, status=OrderStatus.PAID)[0]
    assert api.post(ORDERS + f"{order.code}/mark_canceled/").json()["status_text"] == "canceled"


def test_reading_needs_can_view_orders(api_for, event):
    make_orders(event, 1)
    assert api_for(all_events=True, can_view_vouchers=True).get(ORDERS).status_code == 403
    assert api_for(all_events=True, can_view_orders=True).get(ORDERS).status_code == 200


def test_changing_needs_can_change_orders(api_for, event, shop):
    order = make_orders(event, 1)[0]
    viewer = api_for(all_events=True, can_view_orders=True)
    assert viewer.post(ORDERS + f"{order.code}/mark_paid/").status_code == 403
    body = {"email": "a@example.com", "positions": [pos(shop.ticket)]}
    assert viewer.post(ORDERS, body, format="json").status_code == 403


def test_needs_a_token(anon, event):
    assert anon.get(ORDERS).status_code == 401


def test_another_organizers_path_is_a_403_with_the_same_body(api, event):
    other = EventFactory(organizer=OrganizerFactory(slug="other-org"), slug="conf")
    foreign = api.get(f"/api/v1/organizers/{other.organizer.slug}/events/conf/orders/")
    missing = api.get("/api/v1/organizers/nobody/events/conf/orders/")
    assert foreign.status_code == missing.status_code == 403
    assert foreign.json() == missing.json() == {"code": "permission_denied", "detail": ORGANIZER_FORBIDDEN}


def test_the_fast_rendering_matches_the_declared_fields(buy, api, event, organizer, shop):
    """``OrderSerializer`` renders through ``order_data``; DRF's own rendering of its fields agrees."""
    from rest_framework import serializers as drf

    from orders.api.serializers.outputs import OrderSerializer
    from orders.selectors import event_orders
    from ticketing.tests.factories import ItemAddOnFactory, ItemCategoryFactory, ItemFactory

    category = ItemCategoryFactory(event=event, addon=True)
    addon = ItemFactory(event=event, category=category)
    shop.quota.items.add(addon)
    ItemAddOnFactory(base_item=shop.ticket, addon_category=category)
    Discount.objects.create(event=event, internal_name="2+", condition_min_count=2,
                            benefit_discount_matching_percent=D("10"))  # fmt: skip
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("1.00"))
    coupon = CouponFactory(series__organizer=organizer, series__tags=["t"], series__can_be_combined=True)
    code = buy([pos(shop.ticket, voucher=voucher.code), pos(addon, addon_to=0), pos(shop.cheap)],
               codes=[coupon.code]).json()["code"]  # fmt: skip
    order = event_orders(event).get(code=code)
    serializer = OrderSerializer(order, context={"event": event})
    assert serializer.data == drf.ModelSerializer.to_representation(serializer, order)

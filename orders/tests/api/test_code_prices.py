"""Each kind of code changes the price as docs/pricing.md (section 3) says, end to end.

Every case buys through ``POST orders/`` and reads the stored breakdown back.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.models import Order, OrderPosition
from orders.tests.conftest import pos, prices
from ticketing.tests.factories import ItemFactory
from vouchers.models import DiscountType, PriceMode
from vouchers.tests.factories import CouponFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.mark.parametrize(
    ("mode", "value", "expected_price", "expected_discount"),
    [
        (PriceMode.SET, "30.00", "30.00", "20.00"),
        (PriceMode.SET, "60.00", "60.00", "-10.00"),  # a set price may exceed the list price
        (PriceMode.SUBTRACT, "15.00", "35.00", "15.00"),
        (PriceMode.SUBTRACT, "80.00", "0.00", "50.00"),  # never below 0
        (PriceMode.PERCENT, "12.50", "43.75", "6.25"),
        (PriceMode.NONE, None, "50.00", "0.00"),
    ],
)
def test_a_voucher_changes_the_position_that_carries_it(
    buy, event, shop, mode, value, expected_price, expected_discount
):
    voucher = VoucherFactory(event=event, price_mode=mode, value=D(value) if value else None)
    response = buy([pos(shop.ticket, voucher=voucher.code.lower()), pos(shop.ticket)])
    assert response.status_code == 201, response.json()
    first, second = response.json()["positions"]
    assert (first["code"], first["code_discount"], first["price"]) == (
        voucher.code, expected_discount, expected_price
    )
    assert (second["code"], second["price"]) == (None, "50.00")


def test_a_voucher_budget_shrinks_the_discount_of_later_positions(buy, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.PERCENT, value=D("10"), budget=D("8.00"),
                             max_usages=5)  # fmt: skip
    response = buy([pos(shop.ticket, voucher=voucher.code), pos(shop.ticket, voucher=voucher.code)])
    assert prices(response.json()) == ["45.00", "47.00"]
    voucher.refresh_from_db()
    assert (voucher.redeemed, voucher.budget_used) == (2, D("8.00"))


def test_a_voucher_for_the_whole_order_goes_to_the_largest_savings_as_far_as_uses_remain(buy, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.PERCENT, value=D("50"), max_usages=1)
    response = buy([pos(shop.cheap), pos(shop.ticket)], codes=[voucher.code])
    assert prices(response.json()) == ["30.00", "25.00"]


def test_ticket_evolution_12_percent_on_two_tickets_of_50(buy, organizer, event, shop):
    coupon = CouponFactory(series__organizer=organizer, series__discount_type=DiscountType.PERCENT,
                           series__discount_value=D("12"))  # fmt: skip
    body = buy([pos(shop.ticket), pos(shop.ticket)], codes=[coupon.code]).json()
    assert body["code_discount_total"] == "12.00"
    assert prices(body) == ["44.00", "44.00"]
    assert {p["code"] for p in body["positions"]} == {coupon.code}


def test_a_fixed_coupon_is_split_by_list_price_and_the_remainder_rule_decides_the_cents(
    buy, organizer, event, shop
):
    ten = ItemFactory(event=event, default_price=D("10.00"))
    shop.quota.items.add(ten)
    coupon = CouponFactory(series__organizer=organizer, series__discount_type=DiscountType.FIX,
                           series__discount_value=D("10.00"))  # fmt: skip
    body = buy([pos(ten), pos(ten), pos(ten)], codes=[coupon.code]).json()
    # 10.00 × 10/30 = 3.333…: each gets 3.33, the missing cent goes to the earliest tie.
    assert [p["code_discount"] for p in body["positions"]] == ["3.34", "3.33", "3.33"]
    assert body["total"] == "20.00"


def test_a_fixed_coupon_splits_in_proportion_to_list_prices(buy, organizer, event, shop):
    coupon = CouponFactory(series__organizer=organizer, series__discount_type=DiscountType.FIX,
                           series__discount_value=D("10.00"))  # fmt: skip
    body = buy([pos(shop.ticket), pos(shop.cheap)], codes=[coupon.code]).json()
    assert [p["code_discount"] for p in body["positions"]] == ["6.25", "3.75"]


def test_a_fixed_coupon_never_takes_more_than_the_eligible_positions_cost(buy, organizer, event, shop):
    coupon = CouponFactory(series__organizer=organizer, series__discount_type=DiscountType.FIX,
                           series__discount_value=D("500.00"))  # fmt: skip
    assert buy([pos(shop.ticket)], codes=[coupon.code]).json()["total"] == "0.00"


def test_a_fix_per_item_coupon_takes_the_value_off_each_eligible_position(buy, organizer, event, shop):
    coupon = CouponFactory(series__organizer=organizer, series__discount_type=DiscountType.FIX_PER_ITEM,
                           series__discount_value=D("35.00"))  # fmt: skip
    body = buy([pos(shop.ticket), pos(shop.cheap)], codes=[coupon.code]).json()
    assert [p["code_discount"] for p in body["positions"]] == ["35.00", "30.00"]


def test_a_percent_coupon_is_capped_by_its_maximum_value(buy, organizer, event, shop):
    coupon = CouponFactory(series__organizer=organizer, series__discount_value=D("50"),
                           series__discount_max_value=D("20.00"))  # fmt: skip
    body = buy([pos(shop.ticket), pos(shop.ticket)], codes=[coupon.code]).json()
    assert body["code_discount_total"] == "20.00"


def test_a_coupon_discounts_at_most_its_remaining_tickets_dearest_first(buy, organizer, event, shop):
    coupon = CouponFactory(series__organizer=organizer, series__discount_value=D("10"), series__max_tickets=3,
                           used_tickets=2)  # fmt: skip
    body = buy([pos(shop.cheap), pos(shop.ticket), pos(shop.cheap)], codes=[coupon.code]).json()
    assert prices(body) == ["30.00", "45.00", "30.00"]
    coupon.refresh_from_db()
    assert (coupon.used_orders, coupon.used_tickets) == (1, 3)


def test_a_coupon_leaves_positions_with_a_voucher_alone(buy, organizer, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("5.00"))
    coupon = CouponFactory(series__organizer=organizer, series__discount_value=D("10"),
                           series__can_be_combined=True)  # fmt: skip
    body = buy([pos(shop.ticket, voucher=voucher.code), pos(shop.ticket)], codes=[coupon.code]).json()
    assert [(p["code"], p["price"]) for p in body["positions"]] == [
        (voucher.code, "45.00"), (coupon.code, "45.00")
    ]  # fmt: skip


def test_a_coupon_only_changes_its_allowed_items(buy, organizer, event, shop):
    coupon = CouponFactory(series__organizer=organizer, series__discount_value=D("10"),
                           series__allow_all_items=False, series__allowed_items=[shop.cheap])  # fmt: skip
    assert prices(buy([pos(shop.ticket), pos(shop.cheap)], codes=[coupon.code]).json()) == ["50.00", "27.00"]


@pytest.mark.parametrize(
    ("percentage", "expected"), [(True, ["45.00", "27.00"]), (False, ["43.75", "26.25"])]
)
def test_a_promo_code_is_a_percentage_or_an_amount_off_the_order(buy, organizer, shop, percentage, expected):
    promo = PromoCodeFactory(
        series__organizer=organizer, series__discount_value=D("10"),
        series__discount_type=DiscountType.PERCENT if percentage else DiscountType.FIX,
    )  # fmt: skip
    assert prices(buy([pos(shop.ticket), pos(shop.cheap)], codes=[promo.code]).json()) == expected


def test_a_one_time_promo_code_is_deactivated_by_its_use(buy, organizer, shop):
    promo = PromoCodeFactory(series__organizer=organizer, series__single_usage=True)
    assert buy([pos(shop.ticket)], codes=[promo.code]).status_code == 201
    promo.refresh_from_db()
    assert not promo.active
    again = buy([pos(shop.ticket)], codes=[promo.code])
    assert (again.status_code, again.json()["code"]) == (400, "inactive")


def test_a_coupon_typed_on_a_position_applies_to_the_order(buy, organizer, shop):
    coupon = CouponFactory(series__organizer=organizer, series__discount_value=D("10"))
    body = buy([pos(shop.ticket, voucher=coupon.code), pos(shop.cheap)]).json()
    assert prices(body) == ["45.00", "27.00"]


def test_the_order_records_the_breakdown_and_one_redemption_per_code(buy, organizer, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("5.00"), max_usages=3)
    coupon = CouponFactory(series__organizer=organizer, series__discount_value=D("10"),
                           series__can_be_combined=True, series__tags=["spring", "press"])  # fmt: skip
    body = buy(
        [pos(shop.ticket, voucher=voucher.code), pos(shop.ticket, voucher=voucher.code), pos(shop.cheap)],
        codes=[coupon.code],
    ).json()
    order = Order.objects.get(code=body["code"])
    assert order.tags == ["press", "spring"] == body["tags"]
    assert sorted(order.tag_rows.values_list("tag", flat=True)) == ["press", "spring"]
    rows = list(OrderPosition.objects.filter(order=order).order_by("positionid"))
    assert [(r.code, r.code_discount, r.price) for r in rows] == [
        (voucher.code, D("5.000"), D("45.000")),
        (voucher.code, D("5.000"), D("45.000")),
        (coupon.code, D("3.000"), D("27.000")),
    ]
    assert rows[0].voucher_id == voucher.pk and rows[2].coupon_id == coupon.pk
    redemptions = {r.code: r for r in order.redemptions.all()}
    assert (redemptions[voucher.code].uses, redemptions[voucher.code].discount) == (2, D("10.000"))
    assert sorted(p.positionid for p in redemptions[voucher.code].positions.all()) == [1, 2]
    assert (redemptions[coupon.code].uses, redemptions[coupon.code].tickets) == (1, 1)
    voucher.refresh_from_db()
    coupon.refresh_from_db()
    assert voucher.redeemed == 2
    assert (coupon.used_orders, coupon.used_tickets) == (1, 1)
    assert coupon.event_usages.get().orders == 1

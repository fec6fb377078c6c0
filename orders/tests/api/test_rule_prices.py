"""Codes and automatic discount rules together, and rules over carts with add-ons and bundles."""

from __future__ import annotations

from decimal import Decimal

import pytest

from discounts.models import Discount
from orders.tests.conftest import BASE, pos, prices
from ticketing.tests.factories import ItemAddOnFactory, ItemBundleFactory, ItemCategoryFactory, ItemFactory
from vouchers.models import PriceMode
from vouchers.tests.factories import VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal


def rule(event, name: str, **fields) -> Discount:
    fields.setdefault("benefit_discount_matching_percent", D("100"))
    return Discount.objects.create(event=event, internal_name=name, **fields)


def rule_ids(body: dict) -> list[int | None]:
    return [p["discount_rule"]["id"] if p["discount_rule"] else None for p in body["positions"]]


def test_a_voucher_discounted_ticket_is_left_out_of_a_rule_that_ignores_them(buy, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("10.00"))
    ten_off = rule(
        event, "2 or more: 20% off", condition_min_count=2, condition_ignore_voucher_discounted=True,
        benefit_discount_matching_percent=D("20"),
    )  # fmt: skip
    body = buy([pos(shop.ticket, voucher=voucher.code), pos(shop.ticket), pos(shop.ticket)]).json()
    first, second, third = body["positions"]
    assert (first["code_discount"], first["discount_rule"], first["price"]) == ("10.00", None, "40.00")
    assert second["discount_rule"] == {"id": ten_off.pk, "name": "2 or more: 20% off"}
    assert (second["rule_discount"], second["price"], third["price"]) == ("10.00", "40.00", "40.00")
    totals = (body["code_discount_total"], body["rule_discount_total"], body["total"])
    assert totals == ("10.00", "20.00", "120.00")


def test_without_the_voucher_the_same_rule_counts_every_ticket(buy, event, shop):
    rule(event, "2 or more: 20% off", condition_min_count=2, condition_ignore_voucher_discounted=True,
         benefit_discount_matching_percent=D("20"))  # fmt: skip
    assert prices(buy([pos(shop.ticket)] * 3).json()) == ["40.00"] * 3


def test_rules_see_the_price_after_the_code(buy, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SET, value=D("20.00"))
    rule(event, "10% from 100", condition_min_value=D("100.00"), benefit_discount_matching_percent=D("10"))
    body = buy([pos(shop.ticket, voucher=voucher.code), pos(shop.ticket), pos(shop.cheap)]).json()
    assert prices(body) == ["18.00", "45.00", "27.00"]  # 20 + 50 + 30 = 100 after the voucher


def test_rules_run_in_order_and_a_consumed_position_is_invisible_to_later_rules(buy, event, shop):
    first = rule(event, "3 for 2", position=1, condition_min_count=3,
                 benefit_only_apply_to_cheapest_n_matches=1)  # fmt: skip
    rule(event, "2 or more: half price", position=2, condition_min_count=2,
         benefit_discount_matching_percent=D("50"))  # fmt: skip
    body = buy([pos(shop.ticket), pos(shop.ticket), pos(shop.ticket), pos(shop.cheap)]).json()
    # The first rule consumes the three cheapest (30 free, two tickets counted); the second rule
    # sees the one ticket left and does nothing.
    assert rule_ids(body) == [None, first.pk, first.pk, first.pk]
    assert prices(body) == ["50.00", "50.00", "50.00", "0.00"]


@pytest.fixture
def conference(event, shop):
    """A VIP ticket bundling a parking pass, and workshops offered as add-ons of the ticket."""
    workshops = ItemCategoryFactory(event=event, addon=True)
    workshop = ItemFactory(event=event, category=workshops, default_price=D("40.00"))
    ItemAddOnFactory(base_item=shop.ticket, addon_category=workshops, max_count=2)
    vip = ItemFactory(event=event, default_price=D("99.00"))
    bundle = ItemBundleFactory(base_item=vip, designated_price=D("5.00"))
    shop.quota.items.add(workshop, vip, bundle.bundled_item)
    return {"workshop": workshop, "vip": vip, "parking": bundle.bundled_item}


def test_three_for_two_over_a_cart_with_add_ons_and_bundles(buy, event, shop, conference):
    three_for_two = rule(event, "3 for 2", condition_min_count=3, benefit_only_apply_to_cheapest_n_matches=1)
    body = buy([
        pos(shop.ticket), pos(conference["workshop"], addon_to=0), pos(conference["vip"]), pos(shop.cheap),
        pos(shop.cheap),
    ]).json()  # fmt: skip
    rows = [
        (p["item"], p["addon_to"], p["is_bundled"], p["list_price"], p["price"]) for p in body["positions"]
    ]
    ticket, workshop, vip = shop.ticket.pk, conference["workshop"].pk, conference["vip"].pk
    parking, cheap = conference["parking"].pk, shop.cheap.pk
    # Candidates (bundled positions never take part): 50, 40 (add-on), 99, 30, 30. One application:
    # the three cheapest are consumed (30, 30, 40) and the cheapest is free — of the two 30.00
    # positions the later one (cart index descending breaks the tie).
    assert rows == [
        (ticket, None, False, "50.00", "50.00"),
        (workshop, 1, False, "40.00", "40.00"),
        (vip, None, False, "99.00", "99.00"),
        (parking, 3, True, "5.00", "5.00"),
        (cheap, None, False, "30.00", "30.00"),
        (cheap, None, False, "30.00", "0.00"),
    ]
    assert rule_ids(body) == [None, three_for_two.pk, None, None, three_for_two.pk, three_for_two.pk]
    assert body["total"] == "224.00"


def test_a_cart_prices_add_ons_and_bundles_as_the_order_does(api, event, shop, conference):
    rule(event, "3 for 2", condition_min_count=3, benefit_only_apply_to_cheapest_n_matches=1)
    positions = [
        pos(shop.ticket), pos(conference["workshop"], addon_to=0), pos(conference["vip"]), pos(shop.cheap),
        pos(shop.cheap),
    ]  # fmt: skip
    created = api.post(BASE + "carts/", {"positions": positions}, format="json").json()
    ids = [p["id"] for p in created["positions"]]
    assert [p["addon_to"] for p in created["positions"]] == [None, ids[0], None, ids[2], None, None]
    assert prices(created) == ["50.00", "40.00", "99.00", "5.00", "30.00", "0.00"]
    checkout = BASE + f"carts/{created['id']}/checkout/"
    order = api.post(checkout, {"email": "a@example.com"}, format="json").json()
    assert prices(order) == prices(created)
    assert [p["addon_to"] for p in order["positions"]] == [None, 1, None, 3, None, None]


def test_an_add_on_whose_price_is_included_costs_nothing(buy, event, shop, conference):
    shop.ticket.addons.update(price_included=True)
    body = buy([pos(shop.ticket), pos(conference["workshop"], addon_to=0)]).json()
    assert prices(body) == ["50.00", "0.00"]


def test_a_voucher_with_all_addons_included_makes_the_add_ons_free(buy, event, shop, conference):
    voucher = VoucherFactory(event=event, item=shop.ticket, all_addons_included=True)
    body = buy([pos(shop.ticket, voucher=voucher.code), pos(conference["workshop"], addon_to=0)]).json()
    assert prices(body) == ["50.00", "0.00"]
    assert body["positions"][1]["code"] == voucher.code
    voucher.refresh_from_db()
    assert voucher.redeemed == 1  # the add-on it made free is not a use


def test_rules_limited_to_products_and_channels(buy, event, shop):
    from ticketing.models import SalesChannel

    box = SalesChannel.objects.create(organizer=event.organizer, identifier="box", label="Box office")
    on_cheap = rule(event, "reduced: 10% off", condition_min_count=1, condition_all_products=False,
                    benefit_discount_matching_percent=D("10"))  # fmt: skip
    on_cheap.condition_limit_products.set([shop.cheap])
    at_the_box = rule(event, "box: 50% off", position=5, condition_min_count=1, all_sales_channels=False,
                      benefit_discount_matching_percent=D("50"))  # fmt: skip
    at_the_box.limit_sales_channels.set([box])
    cross = rule(event, "a ticket makes a reduced one free", position=9, condition_min_count=1,
                 condition_all_products=False, benefit_same_products=False)  # fmt: skip
    cross.condition_limit_products.set([shop.ticket])
    cross.benefit_limit_products.set([shop.cheap])
    body = buy([pos(shop.cheap), pos(shop.ticket)]).json()
    assert prices(body) == ["27.00", "50.00"]
    assert rule_ids(body) == [on_cheap.pk, cross.pk]  # the ticket counted, the reduced one was taken already
    at_the_box_body = buy([pos(shop.ticket)], sales_channel="box").json()
    assert prices(at_the_box_body) == ["25.00"]

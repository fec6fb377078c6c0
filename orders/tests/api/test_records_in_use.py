"""What an order used cannot be deleted: the API answers 409 with a stable code and nothing is lost.

The catalogue endpoints translate a protected delete into a conflict; these
tests place a real order first, so the protection comes from the order's rows.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from discounts.models import Discount
from orders.models import Order, OrderPosition
from orders.tests.conftest import BASE, pos
from ticketing.models import Event, Item
from vouchers.models import PriceMode, Voucher
from vouchers.tests.factories import VoucherFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order_with_rule_and_voucher(buy, event, shop):
    rule = Discount.objects.create(
        event=event, internal_name="2 for 1", condition_min_count=2,
        benefit_discount_matching_percent=Decimal("50"),
    )  # fmt: skip
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=Decimal("5.00"), max_usages=3)
    response = buy([pos(shop.ticket, voucher=voucher.code), pos(shop.cheap), pos(shop.cheap)])
    assert response.status_code == 201, response.json()
    assert {p["discount_rule"]["id"] for p in response.json()["positions"] if p["discount_rule"]} == {rule.pk}
    return rule, voucher


def test_a_rule_an_order_used_cannot_be_deleted(api, order_with_rule_and_voucher):
    rule, _ = order_with_rule_and_voucher
    response = api.delete(f"{BASE}discounts/{rule.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "discount_in_use"
    assert Discount.objects.filter(pk=rule.pk).exists()
    assert OrderPosition.objects.filter(discount_rule=rule).count() == 3


def test_a_rule_no_order_used_can_be_deleted(api, event):
    rule = Discount.objects.create(event=event, internal_name="unused", condition_min_count=2)
    assert api.delete(f"{BASE}discounts/{rule.pk}/").status_code == 204


def test_a_redeemed_voucher_cannot_be_deleted(api, order_with_rule_and_voucher):
    _, voucher = order_with_rule_and_voucher
    response = api.delete(f"{BASE}vouchers/{voucher.pk}/")
    assert response.status_code == 409
    assert Voucher.objects.get(pk=voucher.pk).redeemed == 1


def test_a_sold_item_cannot_be_deleted(api, shop, order_with_rule_and_voucher):
    response = api.delete(f"{BASE}items/{shop.ticket.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "item_in_use"
    assert Item.objects.filter(pk=shop.ticket.pk).exists()


def test_an_event_with_orders_cannot_be_deleted(api, event, order_with_rule_and_voucher):
    response = api.delete(f"/api/v1/organizers/demo-org/events/{event.slug}/")
    assert response.status_code == 409
    assert response.json()["code"] == "event_in_use"
    assert Event.objects.filter(pk=event.pk).exists()
    assert Order.objects.filter(event=event).count() == 1

"""Carts API: /api/v1/organizers/<o>/events/<e>/carts/"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Cart, CartCode, CartPosition, Order
from orders.tests.conftest import BASE, pos, prices
from orders.tests.factories import CartFactory
from ticketing.api.scoping import EVENT_FORBIDDEN, ORGANIZER_FORBIDDEN
from ticketing.selectors import quota_availability
from ticketing.tests.factories import EventFactory, ItemBundleFactory, ItemFactory, OrganizerFactory
from vouchers.models import PriceMode
from vouchers.tests.factories import CouponFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal
CARTS = BASE + "carts/"

POSITION_FIELDS = {
    "id", "item", "variation", "subevent", "addon_to", "is_bundled", "list_price", "code", "codes",
    "code_discount", "discount_rule", "rule_discount", "price",
}  # fmt: skip
CART_FIELDS = {
    "id", "sales_channel", "email", "created", "expires", "currency", "positions", "codes", "list_total",
    "code_discount_total", "rule_discount_total", "total", "set_aside_codes", "warnings", "invalid_codes",
    "gift_cards", "amount_due",
}  # fmt: skip


def create(api, positions=(), codes=(), **body):
    return api.post(CARTS, {"positions": list(positions), "codes": list(codes), **body}, format="json")


def checkout(api, cart_id: str, **body):
    body.setdefault("email", "a@example.com")
    return api.post(CARTS + f"{cart_id}/checkout/", body, format="json")


def test_create_with_positions_and_codes_answers_the_priced_cart(api, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("5.00"))
    response = create(api, [pos(shop.ticket), pos(shop.cheap)], codes=[voucher.code])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == CART_FIELDS
    assert set(body["positions"][0]) == POSITION_FIELDS
    # The voucher goes to the position where it saves most (both save 5.00: the earlier one).
    assert [(p["code"], p["price"]) for p in body["positions"]] == [(voucher.code, "45.00"), (None, "30.00")]
    assert [p["codes"] for p in body["positions"]] == [[{"code": voucher.code, "amount": "5.00"}], []]
    assert body["codes"] == [{"code": voucher.code, "kind": "voucher", "discount": "5.00", "saving": None}]
    # The voucher has one use: it reached one of the two positions it could change.
    assert body["set_aside_codes"] == []
    assert body["warnings"] == [
        {"code": "partly_applied", "code_text": voucher.code, "discounted": 1, "eligible": 2}
    ]
    assert (body["list_total"], body["code_discount_total"], body["total"]) == ("80.00", "5.00", "75.00")
    cart = Cart.objects.get(pk=body["id"])
    assert cart.sales_channel.identifier == "web"
    assert timedelta(minutes=29) < cart.expires - timezone.now() <= timedelta(minutes=30)


def test_the_cart_lifetime_is_configurable(api, shop, settings):
    settings.ORDERS_CART_LIFETIME_MINUTES = 5
    cart = Cart.objects.get(pk=create(api, [pos(shop.ticket)]).json()["id"])
    assert cart.expires - cart.created == timedelta(minutes=5)


def test_an_empty_cart_can_be_filled_later(api, shop):
    cart = create(api).json()
    assert cart["positions"] == [] and cart["total"] == "0.00"
    response = api.post(CARTS + f"{cart['id']}/positions/", pos(shop.ticket), format="json")
    assert response.status_code == 201
    assert prices(response.json()) == ["50.00"]


def test_get_prices_the_cart_now(api, shop):
    cart = create(api, [pos(shop.ticket)]).json()
    body = api.get(CARTS + f"{cart['id']}/").json()
    assert body["id"] == cart["id"] and prices(body) == ["50.00"]


def test_positions_hold_quota_until_the_cart_expires(api, shop):
    create(api, [pos(shop.ticket), pos(shop.ticket)])
    assert quota_availability(shop.quota).cart_positions == 2
    Cart.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert quota_availability(shop.quota).cart_positions == 0


def test_adding_a_position_beyond_the_quota_is_refused(api, shop):
    shop.quota.size = 1
    shop.quota.save()
    cart = create(api, [pos(shop.ticket)]).json()
    response = api.post(CARTS + f"{cart['id']}/positions/", pos(shop.ticket), format="json")
    assert (response.status_code, response.json()["code"]) == (409, "quota_exceeded")


def test_adding_a_position_with_a_bundle_adds_the_bundled_positions(api, event, shop):
    bundle = ItemBundleFactory(base_item=shop.cheap, count=2, designated_price=D("4.00"))
    shop.quota.items.add(bundle.bundled_item)
    cart = create(api, [pos(shop.ticket)]).json()
    body = api.post(CARTS + f"{cart['id']}/positions/", pos(shop.cheap), format="json").json()
    parent = body["positions"][1]["id"]
    assert [(p["is_bundled"], p["addon_to"], p["price"]) for p in body["positions"]] == [
        (False, None, "50.00"), (False, None, "30.00"), (True, parent, "4.00"), (True, parent, "4.00"),
    ]  # fmt: skip


def test_removing_a_position_removes_its_bundled_positions(api, shop):
    bundle = ItemBundleFactory(base_item=shop.cheap)
    shop.quota.items.add(bundle.bundled_item)
    cart = create(api, [pos(shop.ticket), pos(shop.cheap)]).json()
    response = api.delete(CARTS + f"{cart['id']}/positions/{cart['positions'][1]['id']}/")
    assert response.status_code == 204
    assert CartPosition.objects.count() == 1


def test_a_bundled_position_cannot_be_removed_alone(api, shop):
    bundle = ItemBundleFactory(base_item=shop.cheap)
    shop.quota.items.add(bundle.bundled_item)
    cart = create(api, [pos(shop.cheap)]).json()
    response = api.delete(CARTS + f"{cart['id']}/positions/{cart['positions'][1]['id']}/")
    assert (response.status_code, response.json()["code"]) == (400, "position_bundled")


def test_removing_an_unknown_position_is_a_404(api, shop):
    cart = create(api, [pos(shop.ticket)]).json()
    other = create(api, [pos(shop.ticket)]).json()
    response = api.delete(CARTS + f"{cart['id']}/positions/{other['positions'][0]['id']}/")
    assert response.status_code == 404


def test_applying_a_voucher_attaches_it_to_the_positions_it_may_change(api, event, shop):
    voucher = VoucherFactory(event=event, item=shop.cheap, price_mode=PriceMode.PERCENT, value=D("50"),
                             max_usages=5)  # fmt: skip
    cart = create(api, [pos(shop.ticket), pos(shop.cheap), pos(shop.cheap)]).json()
    response = api.post(CARTS + f"{cart['id']}/codes/", {"code": voucher.code.lower()}, format="json")
    assert response.status_code == 201
    assert [p["code"] for p in response.json()["positions"]] == [None, voucher.code, voucher.code]
    assert CartPosition.objects.filter(voucher=voucher).count() == 2
    # A position added later does not take the voucher by itself.
    added = api.post(CARTS + f"{cart['id']}/positions/", pos(shop.cheap), format="json").json()
    assert added["positions"][-1]["code"] is None


def test_applying_a_voucher_stops_where_its_uses_end(api, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.PERCENT, value=D("10"), max_usages=1)
    cart = create(api, [pos(shop.cheap), pos(shop.ticket)]).json()
    body = api.post(CARTS + f"{cart['id']}/codes/", {"code": voucher.code}, format="json").json()
    assert [p["code"] for p in body["positions"]] == [None, voucher.code]  # the larger saving


def test_a_refused_code_is_a_400_with_the_code_service_error(api, event, shop):
    cart = create(api, [pos(shop.ticket)]).json()
    used = VoucherFactory(event=event, used_up=True)
    for code, expected in (("UNKNOWN-CODE", "invalid"), (used.code, "exhausted")):
        response = api.post(CARTS + f"{cart['id']}/codes/", {"code": code}, format="json")
        assert (response.status_code, response.json()["code"]) == (400, expected)
    assert not CartCode.objects.exists()


def test_uses_held_by_another_cart_are_not_available(api, event, shop):
    voucher = VoucherFactory(event=event, max_usages=1)
    create(api, [pos(shop.ticket, voucher=voucher.code)])
    other = create(api, [pos(shop.ticket)]).json()
    response = api.post(CARTS + f"{other['id']}/codes/", {"code": voucher.code}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "held_in_other_cart")
    assert "held in another cart" in response.json()["detail"]
    Cart.objects.exclude(pk=other["id"]).update(expires=timezone.now() - timedelta(seconds=1))
    assert api.post(CARTS + f"{other['id']}/codes/", {"code": voucher.code}, format="json").status_code == 201


def test_a_coupon_applies_to_the_cart_as_a_whole(api, organizer, shop):
    coupon = CouponFactory(series__organizer=organizer, series__discount_value=D("10"))
    cart = create(api, [pos(shop.ticket)]).json()
    body = api.post(CARTS + f"{cart['id']}/codes/", {"code": coupon.code}, format="json").json()
    assert prices(body) == ["45.00"]
    # ... including positions added afterwards.
    body = api.post(CARTS + f"{cart['id']}/positions/", pos(shop.cheap), format="json").json()
    assert prices(body) == ["45.00", "27.00"]


def test_removing_a_code_detaches_it(api, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("5.00"))
    cart = create(api, [pos(shop.ticket, voucher=voucher.code)]).json()
    assert api.delete(CARTS + f"{cart['id']}/codes/{voucher.code.lower()}/").status_code == 204
    body = api.get(CARTS + f"{cart['id']}/").json()
    assert (prices(body), body["codes"]) == (["50.00"], [])
    assert api.delete(CARTS + f"{cart['id']}/codes/{voucher.code}/").status_code == 404


def test_a_code_that_became_invalid_is_reported_and_left_out_of_the_price(api, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("5.00"))
    cart = create(api, [pos(shop.ticket, voucher=voucher.code)]).json()
    type(voucher).objects.filter(pk=voucher.pk).update(valid_until=timezone.now() - timedelta(minutes=1))
    body = api.get(CARTS + f"{cart['id']}/").json()
    assert prices(body) == ["50.00"]
    expired = {
        "code": "expired",
        "detail": "This code has expired.",
        "kind": "voucher",
        "code_text": voucher.code,
    }
    assert body["invalid_codes"] == [{"code": voucher.code, "error": expired}]
    response = checkout(api, cart["id"])
    assert (response.status_code, response.json()["code"]) == (400, "expired")


def test_checkout_creates_the_order_and_deletes_the_cart(api, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("5.00"))
    cart = create(api, [pos(shop.ticket, voucher=voucher.code), pos(shop.cheap)]).json()
    response = checkout(api, cart["id"], name="Ada", expected_total="75.00")
    assert response.status_code == 201, response.json()
    order = response.json()
    assert (order["status_text"], order["email"], order["name"], order["total"]) == (
        "pending", "a@example.com", "Ada", "75.00"
    )  # fmt: skip
    assert not Cart.objects.exists()
    assert Order.objects.get().code == order["code"]
    assert checkout(api, cart["id"]).status_code == 404


def test_checkout_of_a_cart_at_the_quota_limit_counts_its_own_positions_once(api, shop):
    shop.quota.size = 2
    shop.quota.save()
    cart = create(api, [pos(shop.ticket), pos(shop.ticket)]).json()
    assert checkout(api, cart["id"]).status_code == 201


def test_checkout_needs_an_email(api, shop):
    cart = create(api, [pos(shop.ticket)]).json()
    assert "email" in checkout(api, cart["id"], email="").json()


def test_delete_cart(api, shop):
    cart = create(api, [pos(shop.ticket)]).json()
    assert api.delete(CARTS + f"{cart['id']}/").status_code == 204
    assert not Cart.objects.exists()


def test_validation_errors_name_the_field(api, shop):
    assert "sales_channel" in create(api, [pos(shop.ticket)], sales_channel="nowhere").json()
    assert "codes" in api.post(CARTS, {"positions": [], "codes": "ABCDE"}, format="json").json()
    cart = create(api).json()
    assert "item" in api.post(CARTS + f"{cart['id']}/positions/", {}, format="json").json()
    assert "code" in api.post(CARTS + f"{cart['id']}/codes/", {}, format="json").json()


def test_needs_a_token(anon, shop):
    assert anon.post(CARTS, {}, format="json").status_code == 401


def test_needs_can_change_orders(api_for, shop):
    client = api_for(all_events=True, can_view_orders=True)
    assert create(client, [pos(shop.ticket)]).status_code == 403


def test_another_organizers_path_is_a_403_with_the_same_body(api, shop):
    other = EventFactory(organizer=OrganizerFactory(slug="other-org"), slug="conf")
    foreign = api.post(f"/api/v1/organizers/{other.organizer.slug}/events/conf/carts/", {}, format="json")
    missing = api.post("/api/v1/organizers/nobody/events/conf/carts/", {}, format="json")
    assert foreign.status_code == missing.status_code == 403
    assert foreign.json() == missing.json() == {"code": "permission_denied", "detail": ORGANIZER_FORBIDDEN}
    assert api.post("/api/v1/organizers/demo-org/events/nope/carts/", {}, format="json").json() == {
        "code": "permission_denied",
        "detail": EVENT_FORBIDDEN,
    }


def test_a_cart_of_another_event_is_a_404(api, event, shop):
    other = CartFactory(event=EventFactory(organizer=event.organizer))
    assert api.get(CARTS + f"{other.pk}/").status_code == 404
    assert checkout(api, str(other.pk)).status_code == 404


def test_an_item_of_another_event_is_not_found(api, event, shop):
    foreign = ItemFactory(event=EventFactory(organizer=event.organizer))
    response = create(api, [pos(foreign)])
    assert (response.status_code, response.json()["code"], response.json()["position"]) == (
        400, "item_not_found", 0
    )  # fmt: skip


def test_reading_a_cart_takes_a_constant_number_of_queries(api, event, shop, django_assert_max_num_queries):
    voucher = VoucherFactory(event=event, max_usages=100)
    small = create(api, [pos(shop.ticket, voucher=voucher.code)]).json()
    big = create(api, [pos(shop.ticket, voucher=voucher.code)] * 40 + [pos(shop.cheap)] * 10).json()
    bounds = []
    for cart in (small, big):
        with django_assert_max_num_queries(30) as captured:
            assert api.get(CARTS + f"{cart['id']}/").status_code == 200
        bounds.append(len(captured))
    assert bounds[0] == bounds[1]


def test_a_code_held_by_a_cart_reads_held_in_code_info_until_the_cart_lets_it_go(api, anon, event, shop):
    voucher = VoucherFactory(event=event, max_usages=1)
    url = f"/api/v1/organizers/demo-org/code-info/{voucher.code}/?event=conf"
    assert anon.get(url).json()["message"] == "valid"
    cart = create(api, [pos(shop.ticket, voucher=voucher.code)]).json()
    assert anon.get(url).json()["message"] == "heldInOtherCart"
    second = create(api, [pos(shop.ticket, voucher=voucher.code)])
    assert (second.status_code, second.json()["code"]) == (400, "held_in_other_cart")
    assert Cart.objects.count() == 1
    assert api.delete(CARTS + f"{cart['id']}/").status_code == 204
    assert anon.get(url).json()["message"] == "valid"
    assert create(api, [pos(shop.ticket, voucher=voucher.code)]).status_code == 201


def test_a_cart_cannot_hold_more_places_than_are_left_and_says_how_many_are(api, event, shop):
    shop.quota.size = 3
    shop.quota.save()
    cart = create(api, [pos(shop.ticket), pos(shop.ticket)]).json()
    other = create(api, [pos(shop.ticket), pos(shop.ticket)])
    assert (other.status_code, other.json()["code"], other.json()["available"]) == (409, "quota_exceeded", 1)
    added = api.post(CARTS + f"{cart['id']}/positions/", pos(shop.ticket), format="json")
    assert added.status_code == 201
    refused = api.post(CARTS + f"{cart['id']}/positions/", pos(shop.ticket), format="json")
    assert (refused.status_code, refused.json()["code"], refused.json()["available"]) == (
        409,
        "quota_exceeded",
        0,
    )
    assert CartPosition.objects.count() == 3 == quota_availability(shop.quota).cart_positions


def test_a_position_carrying_a_blocking_voucher_takes_the_voucher_s_place(api, event, shop):
    shop.quota.size = 2
    shop.quota.save()
    blocking = VoucherFactory(event=event, item=shop.ticket, block_quota=True, max_usages=1)
    create(api, [pos(shop.ticket)])  # one place held by a cart, one by the voucher
    assert (create(api, [pos(shop.ticket)]).status_code, quota_availability(shop.quota).available_number) == (
        409,
        0,
    )
    cart = create(api, [pos(shop.ticket, voucher=blocking.code)])
    assert cart.status_code == 201
    assert quota_availability(shop.quota).cart_positions == 1  # its place is the voucher's
    assert checkout(api, cart.json()["id"]).status_code == 201

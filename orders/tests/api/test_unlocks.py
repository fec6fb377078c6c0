"""A series' ``unlocks`` at checkout (issue 13, point 4): hidden items a cart holding the code may buy.

The same in a price preview, a cart (its changes and its checkout) and a direct order. An unlocked item
costs its own price; the code's discount reaches it only when it is also in the code's scope.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from discounts.models import Discount
from orders.models import Order, Redemption
from orders.tests.conftest import BASE, pos, prices
from ticketing.tests.factories import ItemFactory
from vouchers.models import Coupon, DiscountType
from vouchers.services.standalone import coupon_decouple, standalone_coupon_create
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory

pytestmark = pytest.mark.django_db
D = Decimal
PREVIEW = BASE + "price-preview/"
CARTS = BASE + "carts/"
ORDERS = BASE + "orders/"
LOOKUP = "/api/v1/organizers/demo-org/code-info/"


@pytest.fixture
def secret(event, shop):
    """A hidden item at 40.00, in the shop's quota."""
    item = ItemFactory(event=event, name="Backstage", default_price=D("40.00"), hide_without_voucher=True)
    shop.quota.items.add(item)
    return item


def unlocking(organizer, code, secret, *, value="10", **series):
    """A coupon of a 10 %-off series that unlocks ``secret``."""
    made = CouponFactory(
        series=CouponSeriesFactory(organizer=organizer, discount_type=DiscountType.PERCENT,
                                   discount_value=D(value), **series),
        code=code,
    )  # fmt: skip
    made.series.unlocks.set([secret])
    return made


def post(api, url, body):
    return api.post(url, body, format="json")


def preview(api, positions, codes):
    response = post(api, PREVIEW, {"positions": positions, "codes": codes})
    assert response.status_code == 200, response.json()
    return response.json()


def order(api, positions, codes):
    return post(api, ORDERS, {"email": "a@example.com", "positions": positions, "codes": codes})


def test_an_unlocked_item_outside_the_scope_costs_its_own_price(api, organizer, shop, secret):
    # 10 % off the ticket only; the backstage pass is unlocked, not discounted: 45.00 + 40.00 = 85.00.
    unlocking(organizer, "BACKSTAGE", secret, allow_all_items=False, allowed_items=[shop.ticket])
    positions = [pos(shop.ticket), pos(secret)]
    body = preview(api, positions, ["BACKSTAGE"])
    assert (body["total"], prices(body)) == ("85.00", ["45.00", "40.00"])
    response = order(api, positions, ["BACKSTAGE"])
    assert response.status_code == 201, response.json()
    assert response.json()["total"] == "85.00"
    redemption = Redemption.objects.get(order__code=response.json()["code"])
    assert redemption.discount == D("5.00")


def test_an_unlocked_item_in_the_scope_is_discounted(api, organizer, shop, secret):
    # every item: 45.00 + 36.00 = 81.00
    unlocking(organizer, "BACKSTAGE", secret)
    positions = [pos(shop.ticket), pos(secret)]
    assert preview(api, positions, ["BACKSTAGE"])["total"] == "81.00"
    response = order(api, positions, ["BACKSTAGE"])
    assert (response.status_code, response.json()["total"]) == (201, "81.00")
    assert prices(response.json()) == ["45.00", "36.00"]


def test_a_code_that_only_unlocks_is_not_refused_for_its_items(api, organizer, shop, secret):
    # Its discount reaches nothing in the cart, but without it the pass could not be bought: 40.00.
    unlocking(organizer, "BACKSTAGE", secret, allow_all_items=False, allowed_items=[shop.ticket])
    body = preview(api, [pos(secret)], ["BACKSTAGE"])
    assert (body["total"], body["set_aside_codes"]) == ("40.00", [])
    assert [c["code"] for c in body["codes"]] == ["BACKSTAGE"]
    response = order(api, [pos(secret)], ["BACKSTAGE"])
    assert (response.status_code, response.json()["total"]) == (201, "40.00")
    coupon = Coupon.objects.get(code="BACKSTAGE")
    assert coupon.used_orders == 1


def test_without_the_code_the_hidden_item_is_refused(api, organizer, shop, secret):
    unlocking(organizer, "BACKSTAGE", secret)
    for response in (
        post(api, PREVIEW, {"positions": [pos(secret)], "codes": []}),
        order(api, [pos(secret)], []),
        post(api, CARTS, {"positions": [pos(secret)]}),
    ):
        assert (response.status_code, response.json()["code"], response.json()["position"]) == (
            400, "item_hidden", 0
        )  # fmt: skip
    assert not Order.objects.exists()


def test_a_code_of_another_series_does_not_unlock_it(api, organizer, shop, secret):
    unlocking(organizer, "BACKSTAGE", secret)
    other = CouponSeriesFactory(
        organizer=organizer, discount_type=DiscountType.PERCENT, discount_value=D("10")
    )
    CouponFactory(series=other, code="PLAIN-TEN")
    other_hidden = ItemFactory(event=secret.event, hide_without_voucher=True, default_price=D("5.00"))
    other.unlocks.set([other_hidden])  # unlocks something else
    response = order(api, [pos(shop.ticket), pos(secret)], ["PLAIN-TEN"])
    assert (response.status_code, response.json()["code"], response.json()["position"]) == (
        400,
        "item_hidden",
        1,
    )


def test_a_code_of_another_event_does_not_unlock_it(api, organizer, event, shop, secret):
    from ticketing.tests.factories import EventFactory

    elsewhere = EventFactory(organizer=organizer, slug="elsewhere")
    unlocking(organizer, "ELSEWHERE", secret, allow_all_events=False, allowed_events=[elsewhere])
    response = order(api, [pos(secret)], ["ELSEWHERE"])
    assert (response.status_code, response.json()["code"]) == (400, "not_valid_for_event")


def test_a_code_that_unlocks_an_item_of_the_cart_is_never_set_aside(api, organizer, event, secret):
    # Two passes at 40.00 and a 10 % rule from 80.00: 72.00 without the 1 % code. With it first
    # (79.20 < 80.00) the rule is lost, so it would be set aside — but the passes need it: 79.20.
    Discount.objects.create(
        event=event, internal_name="10% off from 80.00", position=1, condition_min_value=D("80.00"),
        benefit_discount_matching_percent=D("10"),
    )  # fmt: skip
    unlocking(organizer, "ONE-PCT", secret, value="1")
    body = preview(api, [pos(secret), pos(secret)], ["ONE-PCT"])
    assert (body["total"], body["set_aside_codes"]) == ("79.20", [])
    assert body["codes"][0]["saving"] == "-7.20"


def test_a_promo_code_and_a_stand_alone_coupon_unlock_too(api, organizer, shop, secret):
    promo = PromoCodeFactory(series__organizer=organizer, series__discount_type=DiscountType.FIX,
                             series__discount_value=D("5.00"), code="PROMO-PASS")  # fmt: skip
    promo.series.unlocks.set([secret])
    assert preview(api, [pos(secret)], ["PROMO-PASS"])["total"] == "35.00"
    standalone_coupon_create(
        organizer=organizer, code="SOLO-PASS",
        settings={"name": "Solo", "discount_type": DiscountType.PERCENT, "discount_value": D("50"),
                  "allow_all_items": False, "allowed_items": [shop.ticket], "unlocks": [secret]},
    )  # fmt: skip
    body = preview(api, [pos(shop.ticket), pos(secret)], ["SOLO-PASS"])
    assert (body["total"], prices(body)) == ("65.00", ["25.00", "40.00"])


def test_a_decoupled_coupon_keeps_unlocking_and_no_longer_follows_its_series(api, organizer, shop, secret):
    coupon = unlocking(organizer, "BACKSTAGE", secret)
    series = coupon.series
    coupon_decouple(coupon=coupon)
    series.unlocks.clear()
    series.discount_value = D("50")
    series.save()
    assert preview(api, [pos(secret)], ["BACKSTAGE"])["total"] == "36.00"


def test_a_cart_with_the_code_holds_the_item_until_the_code_is_removed(api, organizer, shop, secret):
    """As for a code revealing its allowed items today: removing the code leaves the position in the
    cart (reading it still prices it), but its checkout is refused with ``item_hidden`` until a code
    that unlocks it is added again."""
    unlocking(organizer, "BACKSTAGE", secret)
    response = post(api, CARTS, {"positions": [pos(secret)], "codes": ["BACKSTAGE"]})
    assert response.status_code == 201, response.json()
    cart = response.json()
    assert cart["total"] == "36.00"
    added = post(api, CARTS + f"{cart['id']}/positions/", {"item": secret.pk})
    assert added.status_code == 201, added.json()

    assert api.delete(CARTS + f"{cart['id']}/codes/BACKSTAGE/").status_code == 204
    body = api.get(CARTS + f"{cart['id']}/").json()
    assert (body["total"], body["codes"]) == ("80.00", [])
    refused = post(api, CARTS + f"{cart['id']}/positions/", {"item": secret.pk})
    assert (refused.status_code, refused.json()["code"]) == (400, "item_hidden")
    checkout = post(api, CARTS + f"{cart['id']}/checkout/", {"email": "a@example.com"})
    assert (checkout.status_code, checkout.json()["code"]) == (400, "item_hidden")
    assert not Order.objects.exists()

    assert post(api, CARTS + f"{cart['id']}/codes/", {"code": "BACKSTAGE"}).status_code == 201
    checkout = post(api, CARTS + f"{cart['id']}/checkout/", {"email": "a@example.com"})
    assert (checkout.status_code, checkout.json()["total"]) == (201, "72.00")


def test_removing_a_revealing_code_does_the_same(api, organizer, shop, secret):
    """What a code revealing its allowed items (``reveal_allowed_items``) did already, for comparison."""
    series = CouponSeriesFactory(
        organizer=organizer, discount_type=DiscountType.PERCENT, discount_value=D("10"),
        reveal_allowed_items=True, allow_all_items=False, allowed_items=[secret],
    )  # fmt: skip
    CouponFactory(series=series, code="REVEAL-IT")
    cart = post(api, CARTS, {"positions": [pos(secret)], "codes": ["REVEAL-IT"]}).json()
    assert api.delete(CARTS + f"{cart['id']}/codes/REVEAL-IT/").status_code == 204
    assert api.get(CARTS + f"{cart['id']}/").json()["total"] == "40.00"
    checkout = post(api, CARTS + f"{cart['id']}/checkout/", {"email": "a@example.com"})
    assert (checkout.status_code, checkout.json()["code"]) == (400, "item_hidden")


def test_the_public_lookup_lists_what_a_code_unlocks(anon, organizer, event, shop, secret):
    unlocking(organizer, "BACKSTAGE", secret)
    body = anon.get(f"{LOOKUP}BACKSTAGE/", {"event": "conf"}).json()
    assert body["message"] == "valid"
    assert body["code"]["unlocks"] == [{"id": secret.pk, "name": "Backstage", "event": "conf"}]
    assert anon.get(f"{LOOKUP}BACKSTAGE/").json()["code"]["unlocks"][0]["id"] == secret.pk  # no event: all
    plain = CouponFactory(series__organizer=organizer, code="NOTHING-HIDDEN")
    assert "unlocks" not in anon.get(f"{LOOKUP}{plain.code}/", {"event": "conf"}).json()["code"]

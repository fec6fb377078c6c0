"""Errors of several codes name their code (docs/pricing.md, section 3.2, "errors name their code").

Each code is checked alone first, in the order sent; the first that fails is named with its
own error and ``code_text``. Only when every code is valid alone is their combination
checked, and ``not_combinable`` names the code that may not be combined, whichever came first.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.checkout import run
from orders.checkout.draft import Draft, PositionSpec
from orders.checkout.mode import PRICE
from orders.models import CartCode
from orders.tests.conftest import BASE, pos
from ticketing.models import SalesChannel
from vouchers.resolution import CodeError
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory

pytestmark = pytest.mark.django_db
PREVIEW = BASE + "price-preview/"
CARTS = BASE + "carts/"


@pytest.fixture
def live(event):
    event.live = True
    event.save()
    return event


@pytest.fixture
def alone(organizer):
    """A valid coupon that may not be combined with other codes."""
    return CouponFactory(
        series=CouponSeriesFactory(organizer=organizer, can_be_combined=False), code="CART-COUPON"
    )


@pytest.fixture
def expired(organizer):
    series = CouponSeriesFactory(organizer=organizer, valid_until=timezone.now() - timedelta(days=1))
    return CouponFactory(series=series, code="OLD-COUPON")


def preview(client, shop, codes):
    body = {"positions": [pos(shop.ticket), pos(shop.ticket)], "codes": codes}
    return client.post(PREVIEW, body, format="json")


def error(response) -> tuple[int, str, str | None]:
    body = response.json()
    return response.status_code, body.get("code"), body.get("code_text")


@pytest.mark.parametrize(
    "codes",
    [["CART-COUPON", "NOPE-NOPE"], ["NOPE-NOPE", "CART-COUPON"]],
    ids=["uncombinable first", "unknown first"],
)
def test_an_unknown_code_beside_an_uncombinable_one_is_named_invalid_in_either_order(
    anon, live, shop, alone, codes
):
    assert error(preview(anon, shop, codes)) == (400, "invalid", "NOPE-NOPE")


@pytest.mark.parametrize("codes", [["CART-COUPON", "OLD-COUPON"], ["OLD-COUPON", "CART-COUPON"]])
def test_an_expired_code_beside_an_uncombinable_one_is_named_expired_in_either_order(
    anon, live, shop, alone, expired, codes
):
    response = preview(anon, shop, codes)
    assert error(response) == (400, "expired", "OLD-COUPON")
    assert response.json()["kind"] == "coupon"


@pytest.mark.parametrize("first", ["CART-COUPON", "PROMO-OK"])
def test_two_valid_codes_that_may_not_go_together_name_the_uncombinable_one(
    anon, live, organizer, shop, alone, first
):
    PromoCodeFactory(series__organizer=organizer, series__can_be_combined=True, code="PROMO-OK")
    codes = [first, "PROMO-OK" if first == "CART-COUPON" else "CART-COUPON"]
    response = preview(anon, shop, codes)
    assert error(response) == (400, "not_combinable", "CART-COUPON")
    assert response.json()["kind"] == "coupon"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("NOPE-NOPE", ("invalid", "NOPE-NOPE")),
        ("ab", ("invalid", "AB")),
        ("OLD-COUPON", ("expired", "OLD-COUPON")),
    ],
)
def test_adding_a_failing_code_to_a_cart_holding_an_uncombinable_coupon_names_the_added_code(
    api, live, shop, alone, expired, typed, expected
):
    cart = api.post(CARTS, {"positions": [pos(shop.ticket)], "codes": ["CART-COUPON"]}, format="json")
    assert cart.status_code == 201, cart.json()

    response = api.post(CARTS + f"{cart.json()['id']}/codes/", {"code": typed}, format="json")

    assert error(response) == (400, *expected)
    assert list(CartCode.objects.values_list("code", flat=True)) == ["CART-COUPON"]


def test_a_code_valid_for_no_item_of_the_cart_is_named(anon, live, organizer, event, shop):
    other_item = shop.cheap
    series = CouponSeriesFactory(organizer=organizer, allow_all_items=False, allowed_items=[other_item])
    CouponFactory(series=series, code="ONLY-CHEAP")
    response = anon.post(PREVIEW, {"positions": [pos(shop.ticket)], "codes": ["ONLY-CHEAP"]}, format="json")
    assert error(response) == (400, "not_valid_for_items", "ONLY-CHEAP")


def test_the_service_raises_the_error_naming_the_failing_code(live, shop, alone):
    draft = Draft(
        event=live,
        sales_channel=SalesChannel.objects.get(organizer=live.organizer, identifier="web"),
        email="",
        positions=(PositionSpec(item=shop.ticket.pk),),
        codes=("CART-COUPON", "NOPE-NOPE"),
    )
    with pytest.raises(CodeError) as refused:
        run(draft, mode=PRICE, now=timezone.now())
    assert (refused.value.code, refused.value.context["code_text"]) == ("invalid", "NOPE-NOPE")

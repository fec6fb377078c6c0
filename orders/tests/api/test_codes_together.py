"""Codes together over the API (docs/pricing.md, sections 3.1 and 3.2): the cases measured on the demo
event, each the same in a price preview, a cart and its checkout, and a direct order.

- a code that would raise the total is set aside (``set_aside_codes``), not redeemed;
- each applied coupon or promo code says what it ``saving``; its redemption stores it;
- combinable codes stack in the order added, and every position lists each code's amount;
- a code whose ticket allowance ran out on part of the cart is warned of (``partly_applied``).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from discounts.models import Discount
from orders.models import Order, Redemption, RedemptionPosition
from orders.tests.conftest import BASE, pos, prices
from ticketing.tests.factories import ItemFactory, QuotaFactory
from vouchers.models import Coupon, DiscountType, PriceMode
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal
PREVIEW = BASE + "price-preview/"
CARTS = BASE + "carts/"
ORDERS = BASE + "orders/"


@pytest.fixture
def ten_from_100(event):
    """10 % off every ticket once the cart is worth 100.00 (the demo event's rule)."""
    return Discount.objects.create(
        event=event, internal_name="10% off from 100.00", position=2, condition_min_value=D("100.00"),
        benefit_discount_matching_percent=D("10"),
    )  # fmt: skip


@pytest.fixture
def three_for_two(event):
    return Discount.objects.create(
        event=event, internal_name="3 for 2", position=1, condition_min_count=3,
        benefit_discount_matching_percent=D("100"), benefit_only_apply_to_cheapest_n_matches=1,
    )  # fmt: skip


@pytest.fixture
def one_pct(organizer):
    return PromoCodeFactory(
        series__organizer=organizer, series__discount_type=DiscountType.PERCENT,
        series__discount_value=D("1"), code="ONE-PCT",
    )  # fmt: skip


def coupon(organizer, code: str, kind: str, value: str, **series):
    return CouponFactory(
        series=CouponSeriesFactory(organizer=organizer, discount_type=kind, discount_value=D(value),
                                   can_be_combined=True, **series),
        code=code,
    )  # fmt: skip


def promo(organizer, code: str, kind: str, value: str, **series):
    return PromoCodeFactory(
        series__organizer=organizer, series__discount_type=kind, series__discount_value=D(value),
        series__can_be_combined=True, code=code, **{f"series__{k}": v for k, v in series.items()},
    )  # fmt: skip


def preview(api, positions, codes):
    response = api.post(PREVIEW, {"positions": positions, "codes": codes}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def cart_with(api, positions, codes):
    """A cart created with the positions, the codes then added one by one (the order added)."""
    response = api.post(CARTS, {"positions": positions}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    for code in codes:
        response = api.post(CARTS + f"{body['id']}/codes/", {"code": code}, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
    return body


def checkout(api, cart_id):
    response = api.post(CARTS + f"{cart_id}/checkout/", {"email": "a@example.com"}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def order(api, positions, codes):
    payload = {"email": "a@example.com", "positions": positions, "codes": codes}
    response = api.post(ORDERS, payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


# --- a code never makes the order dearer -----------------------------------------------------


def test_a_one_percent_promo_code_that_would_lose_the_10_percent_rule_is_set_aside(
    api, shop, ten_from_100, one_pct
):
    # 2 × 50.00 = 100.00 → the rule takes 10 %: 90.00. With 1 % first: 99.00 < 100.00, no rule.
    positions = [pos(shop.ticket), pos(shop.ticket)]
    set_aside = [{"code": "not_beneficial", "code_text": "ONE-PCT", "total_with": "99.00"}]
    for body in (preview(api, positions, ["ONE-PCT"]), cart_with(api, positions, ["ONE-PCT"])):
        assert body["total"] == "90.00"
        assert body["set_aside_codes"] == set_aside
        assert body["codes"] == []
        assert [p["codes"] for p in body["positions"]] == [[], []]
        assert [p["discount_rule"]["name"] for p in body["positions"]] == ["10% off from 100.00"] * 2

    bought = order(api, positions, ["ONE-PCT"])
    assert (bought["total"], bought["set_aside_codes"], bought["redemptions"]) == ("90.00", set_aside, [])
    one_pct.refresh_from_db()
    assert (one_pct.used_orders, one_pct.used_tickets) == (0, 0)  # not redeemed
    assert Order.objects.get(code=bought["code"]).set_aside_codes == set_aside


def test_a_set_aside_code_stays_in_the_cart_and_is_not_redeemed_by_its_checkout(
    api, shop, ten_from_100, one_pct
):
    cart = cart_with(api, [pos(shop.ticket), pos(shop.ticket)], ["ONE-PCT"])
    done = checkout(api, cart["id"])
    assert (done["total"], done["redemptions"]) == ("90.00", [])
    assert done["set_aside_codes"] == [
        {"code": "not_beneficial", "code_text": "ONE-PCT", "total_with": "99.00"}
    ]
    assert not Redemption.objects.exists()


def test_the_same_code_applies_once_it_no_longer_costs_the_rule(api, shop, ten_from_100, one_pct):
    # One ticket: no rule either way, so 1 % of 50.00 = 0.50 off, saved 0.50.
    body = preview(api, [pos(shop.ticket)], ["ONE-PCT"])
    assert (body["total"], body["set_aside_codes"]) == ("49.50", [])
    assert body["codes"] == [{"code": "ONE-PCT", "kind": "promo_code", "discount": "0.50", "saving": "0.50"}]


def test_a_code_that_unlocks_a_hidden_item_of_the_cart_is_never_set_aside(
    api, event, organizer, ten_from_100
):
    secret = ItemFactory(event=event, name="Secret", default_price=D("50.00"), hide_without_voucher=True)
    QuotaFactory(event=event, size=10, items=[secret])
    promo(organizer, "UNLOCK", DiscountType.PERCENT, "1", reveal_allowed_items=True, allow_all_items=False)
    Coupon.objects.get(code="UNLOCK").series.allowed_items.add(secret)
    body = preview(api, [pos(secret), pos(secret)], ["UNLOCK"])
    # Without the code the item could not be bought at all: it stays, at 99.00.
    assert (body["total"], body["set_aside_codes"]) == ("99.00", [])
    assert body["codes"][0]["saving"] == "-9.00"


def test_a_voucher_that_raises_the_price_is_kept_as_pretix_does(api, event, shop):
    VoucherFactory(event=event, code="SET-60", price_mode=PriceMode.SET, value=D("60.00"))
    body = preview(api, [pos(shop.ticket, voucher="SET-60")], [])
    assert (body["total"], body["set_aside_codes"]) == ("60.00", [])
    assert body["codes"] == [{"code": "SET-60", "kind": "voucher", "discount": "-10.00", "saving": None}]


# --- what a code saved -------------------------------------------------------------------------


def test_a_fix_coupon_before_3_for_2_takes_10_off_the_positions_but_saves_6_66(
    api, organizer, event, three_for_two
):
    ticket = ItemFactory(event=event, default_price=D("23.00"))
    QuotaFactory(event=event, size=10, items=[ticket])
    coupon(organizer, "TEN-OFF", DiscountType.FIX, "10.00")
    # 3.34 / 3.33 / 3.33 off → 19.66, 19.67, 19.67; "3 for 2" makes the cheapest free: 39.34.
    # Without the coupon: 23.00 + 23.00 + 0.00 = 46.00, so the coupon saved 6.66.
    positions = [pos(ticket), pos(ticket), pos(ticket)]
    applied = [{"code": "TEN-OFF", "kind": "coupon", "discount": "10.00", "saving": "6.66"}]
    for body in (preview(api, positions, ["TEN-OFF"]), cart_with(api, positions, ["TEN-OFF"])):
        assert (body["total"], body["code_discount_total"], body["codes"]) == ("39.34", "10.00", applied)
        assert prices(body) == ["0.00", "19.67", "19.67"]

    bought = order(api, positions, ["TEN-OFF"])
    assert bought["total"] == "39.34"
    assert [(r["code"], r["discount"], r["saving"]) for r in bought["redemptions"]] == [
        ("TEN-OFF", "10.00", "6.66")
    ]
    redemption = Redemption.objects.get(order__code=bought["code"])
    assert (redemption.discount, redemption.saving) == (D("10.00"), D("6.66"))
    assert sorted(RedemptionPosition.objects.values_list("amount", flat=True)) == [
        D("3.33"), D("3.33"), D("3.34")
    ]  # fmt: skip


# --- stacking ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "total", "shares", "savings"),
    [
        # 50.00 − 5.00 − 3.00; without TEN: 47.00 (saved 5.00), without THREE: 45.00 (saved 3.00).
        (["TEN-PCT", "THREE-OFF"], "42.00", [("TEN-PCT", "5.00"), ("THREE-OFF", "3.00")], ["5.00", "3.00"]),
        # 50.00 − 3.00 − 4.70; without THREE: 45.00 (saved 2.70), without TEN: 47.00 (saved 4.70).
        (["THREE-OFF", "TEN-PCT"], "42.30", [("THREE-OFF", "3.00"), ("TEN-PCT", "4.70")], ["2.70", "4.70"]),
    ],
    ids=["10 % then fix 3.00", "fix 3.00 then 10 %"],
)
def test_combinable_codes_stack_in_the_order_added(api, organizer, shop, codes, total, shares, savings):
    coupon(organizer, "TEN-PCT", DiscountType.PERCENT, "10")
    promo(organizer, "THREE-OFF", DiscountType.FIX, "3.00")
    positions = [pos(shop.ticket)]
    expected_shares = [[{"code": c, "amount": a} for c, a in shares]]
    for body in (preview(api, positions, codes), cart_with(api, positions, codes)):
        assert body["total"] == total
        assert [p["codes"] for p in body["positions"]] == expected_shares
        assert [(c["code"], c["discount"], c["saving"]) for c in body["codes"]] == [
            (code, amount, saving) for (code, amount), saving in zip(shares, savings, strict=True)
        ]

    cart = cart_with(api, positions, codes)
    for bought in (checkout(api, cart["id"]), order(api, positions, codes)):
        assert bought["total"] == total
        assert [p["codes"] for p in bought["positions"]] == expected_shares
        assert bought["positions"][0]["code"] == codes[0]  # the first code applied
        assert [(r["code"], r["discount"], r["saving"]) for r in bought["redemptions"]] == [
            (code, amount, saving) for (code, amount), saving in zip(shares, savings, strict=True)
        ]
    # The order read back lists the same.
    again = api.get(ORDERS + f"{bought['code']}/").json()
    assert [p["codes"] for p in again["positions"]] == expected_shares


def test_a_later_code_is_split_by_the_prices_the_earlier_one_left(api, organizer, shop):
    coupon(organizer, "TICKET-10", DiscountType.FIX_PER_ITEM, "10.00", allow_all_items=False)
    Coupon.objects.get(code="TICKET-10").series.allowed_items.add(shop.ticket)
    promo(organizer, "SIX-OFF", DiscountType.FIX, "6.00")
    # TICKET-10: 50.00 → 40.00; the reduced 30.00 untouched. SIX-OFF splits 6.00 by 40:30:
    # 3.428… and 2.571…, floors 3.42 + 2.57 = 5.99, the cent to the larger remainder (.857): 3.43.
    body = preview(api, [pos(shop.ticket), pos(shop.cheap)], ["TICKET-10", "SIX-OFF"])
    assert [p["codes"] for p in body["positions"]] == [
        [{"code": "TICKET-10", "amount": "10.00"}, {"code": "SIX-OFF", "amount": "3.43"}],
        [{"code": "SIX-OFF", "amount": "2.57"}],
    ]
    assert (prices(body), body["total"]) == (["36.57", "27.43"], "64.00")


# --- partly applied ---------------------------------------------------------------------------


def test_a_coupon_with_one_ticket_left_on_a_cart_of_three_warns(api, organizer, shop):
    coupon(organizer, "CART-COUPON", DiscountType.PERCENT, "10", max_tickets=1)
    positions = [pos(shop.ticket), pos(shop.ticket), pos(shop.cheap)]
    warning = [{"code": "partly_applied", "code_text": "CART-COUPON", "discounted": 1, "eligible": 3}]
    for body in (preview(api, positions, ["CART-COUPON"]), cart_with(api, positions, ["CART-COUPON"])):
        assert body["warnings"] == warning
        assert prices(body) == ["45.00", "50.00", "30.00"]  # the dearest, ties to the earlier
    bought = order(api, positions, ["CART-COUPON"])
    assert bought["warnings"] == warning
    assert Order.objects.get(code=bought["code"]).warnings == warning


def test_a_coupon_that_reaches_every_eligible_position_gives_no_warning(api, organizer, shop):
    coupon(organizer, "CART-COUPON", DiscountType.PERCENT, "10", max_tickets=3)
    body = preview(api, [pos(shop.ticket), pos(shop.cheap)], ["CART-COUPON"])
    assert (body["warnings"], prices(body)) == ([], ["45.00", "27.00"])

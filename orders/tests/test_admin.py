"""Admin pages of orders, redemptions and carts render, and status actions use the services.

The order page says in words what each code did, which codes were set aside and what was warned of.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discounts.models import Discount
from orders.models import Order, OrderStatus, Redemption, RedemptionPosition
from orders.tests.conftest import pos
from orders.tests.factories import CartFactory, CartPositionFactory, OrderFactory, OrderPositionFactory
from ticketing.tests.factories import EventFactory, ItemFactory, ItemVariationFactory
from vouchers.models import DiscountType
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client


def test_order_pages_show_the_breakdown(admin_client, event):
    order = OrderFactory(event=event)
    OrderPositionFactory(order=order, positionid=1, code="SPRING", code_discount=5)
    Redemption.objects.create(order=order, kind="voucher", code="SPRING")
    assert admin_client.get("/admin/orders/order/").status_code == 200
    page = admin_client.get(f"/admin/orders/order/{order.pk}/change/")
    assert page.status_code == 200
    assert b"SPRING" in page.content and b"code_discount" in page.content


def test_redemptions_are_listed_per_code(admin_client, event):
    order = OrderFactory(event=event)
    Redemption.objects.create(order=order, kind="voucher", code="SPRING")
    Redemption.objects.create(order=order, kind="coupon", code="OTHER")
    page = admin_client.get("/admin/orders/redemption/", {"q": "SPRING"})
    assert page.status_code == 200
    assert b"SPRING" in page.content and b"OTHER" not in page.content


def test_cart_pages_render(admin_client, event):
    cart = CartFactory(event=event)
    CartPositionFactory(cart=cart)
    assert admin_client.get(f"/admin/orders/cart/{cart.pk}/change/").status_code == 200


def test_actions_mark_paid_and_cancel_once_confirmed(admin_client, event):
    order = OrderFactory(event=event)
    confirmed = {"_selected_action": [order.pk], "post": "yes"}
    admin_client.post("/admin/orders/order/", {"action": "mark_paid", **confirmed})
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    admin_client.post("/admin/orders/order/", {"action": "mark_canceled", **confirmed})
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELED


# --- codes in words on the order page ---------------------------------------------------------

D = Decimal


def change_page(client, order) -> str:
    page = client.get(f"/admin/orders/order/{order.pk}/change/")
    assert page.status_code == 200
    return page.content.decode()


def readonly(html: str, field: str) -> str:
    """The contents of the order's read-only field ``field``."""
    match = re.search(rf'field-{field}">.*?<div class="readonly">(.*?)</div>', html, re.S)
    assert match, field
    return match.group(1)


def cells(html: str, field: str) -> list[str]:
    """The contents of an inline's column ``field``, row by row."""
    return re.findall(rf'<td class="field-{field}">\s*<p>(.*?)</p>', html, re.S)


def redeem(order, code: str, kind: str, discount: str, saving: str | None = None, **extra) -> Redemption:
    return Redemption.objects.create(
        order=order, kind=kind, code=code, discount=D(discount), saving=None if saving is None else D(saving),
        **extra,
    )  # fmt: skip


def link(redemption: Redemption, position, amount: str) -> RedemptionPosition:
    return RedemptionPosition.objects.create(redemption=redemption, orderposition=position, amount=D(amount))


def test_the_order_page_says_in_words_what_each_code_did(admin_client, event):
    order = OrderFactory(
        event=event,
        set_aside_codes=[{"code": "not_beneficial", "code_text": "ONE-PCT", "total_with": "99.00"}],
        warnings=[{"code": "partly_applied", "code_text": "CART-COUPON", "discounted": 1, "eligible": 3}],
    )
    first = OrderPositionFactory(order=order, positionid=1, list_price=D("50.00"), price=D("42.50"))
    second = OrderPositionFactory(order=order, positionid=2, list_price=D("50.00"), price=D("45.00"))
    OrderPositionFactory(order=order, positionid=3)
    code_a = redeem(order, "CODE-A", "coupon", "5.00", "5.00")
    code_b = redeem(order, "DEMO-PROMO", "promo_code", "2.50", "2.50")
    voucher = redeem(order, "VOUCHER1", "voucher", "5.00")
    redeem(order, "OLD-COUPON", "coupon", "3", "1.5", reversed=True)
    link(code_b, first, "2.50")  # stored first, applied second: listed in redemption order
    link(code_a, first, "5.00")
    link(voucher, second, "5.00")

    html = change_page(admin_client, order)

    assert readonly(html, "redeemed_codes") == (
        "CODE-A: 5.00 off, saved 5.00<br>DEMO-PROMO: 2.50 off, saved 2.50<br>VOUCHER1: 5.00 off<br>"
        "OLD-COUPON: 3.00 off, saved 1.50 (reversed)"
    )
    assert readonly(html, "codes_set_aside") == "ONE-PCT set aside: it would have raised the total to 99.00"
    assert readonly(html, "code_warnings") == (
        "CART-COUPON applied to 1 of 3 eligible positions (no tickets left for the others)"
    )
    assert cells(html, "codes") == ["CODE-A 5.00, DEMO-PROMO 2.50", "VOUCHER1 5.00", "-"]
    for label in ("Codes", "Codes set aside", "Warnings"):
        assert f"<label>{label}:</label>" in html


def test_each_set_aside_code_and_warning_gets_its_line(admin_client, event):
    order = OrderFactory(
        event=event,
        set_aside_codes=[
            {"code": "not_beneficial", "code_text": "ONE-PCT", "total_with": "99.00"},
            {"code": "not_beneficial", "code_text": "TWO-PCT", "total_with": "98.5"},
        ],
        warnings=[
            {"code": "partly_applied", "code_text": "CART-COUPON", "discounted": 1, "eligible": 3},
            {"code": "partly_applied", "code_text": "SPRING", "discounted": 2, "eligible": 4},
        ],
    )
    html = change_page(admin_client, order)
    assert readonly(html, "codes_set_aside") == (
        "ONE-PCT set aside: it would have raised the total to 99.00<br>"
        "TWO-PCT set aside: it would have raised the total to 98.50"
    )
    assert readonly(html, "code_warnings") == (
        "CART-COUPON applied to 1 of 3 eligible positions (no tickets left for the others)<br>"
        "SPRING applied to 2 of 4 eligible positions (no tickets left for the others)"
    )


def test_an_order_without_codes_shows_the_empty_value(admin_client, event):
    order = OrderFactory(event=event)
    OrderPositionFactory(order=order, positionid=1)
    html = change_page(admin_client, order)
    for field in ("redeemed_codes", "codes_set_aside", "code_warnings"):
        assert readonly(html, field) == "-"
    assert cells(html, "codes") == ["-"]


def test_a_voucher_above_the_list_price_and_a_code_that_cost_more_read_as_such(admin_client, event):
    order = OrderFactory(event=event)
    redeem(order, "SET-60", "voucher", "-10.00")
    redeem(order, "UNLOCK", "promo_code", "1.00", "-9.00")
    assert readonly(change_page(admin_client, order), "redeemed_codes") == (
        "SET-60: 10.00 added<br>UNLOCK: 1.00 off, cost 9.00 more"
    )


def test_code_texts_are_escaped(admin_client, event):
    evil = "<b>BOLD</b>"
    order = OrderFactory(
        event=event,
        set_aside_codes=[{"code": "not_beneficial", "code_text": evil, "total_with": "99.00"}],
        warnings=[{"code": "partly_applied", "code_text": evil, "discounted": 1, "eligible": 3}],
    )
    position = OrderPositionFactory(order=order, positionid=1)
    link(redeem(order, evil, "coupon", "5.00", "5.00"), position, "5.00")

    html = change_page(admin_client, order)

    assert evil not in html
    escaped = "&lt;b&gt;BOLD&lt;/b&gt;"
    assert readonly(html, "redeemed_codes") == f"{escaped}: 5.00 off, saved 5.00"
    set_aside = f"{escaped} set aside: it would have raised the total to 99.00"
    assert readonly(html, "codes_set_aside") == set_aside
    assert readonly(html, "code_warnings").startswith(f"{escaped} applied to 1 of 3")
    assert cells(html, "codes") == [f"{escaped} 5.00"]


def test_money_has_the_places_of_the_event_currency(admin_client, organizer):
    event = EventFactory(organizer=organizer, slug="tokyo", currency="JPY")
    set_aside = [{"code": "not_beneficial", "code_text": "ONE-PCT", "total_with": "9900"}]
    order = OrderFactory(event=event, set_aside_codes=set_aside)
    position = OrderPositionFactory(order=order, positionid=1, list_price=D("5000"), price=D("4500"))
    link(redeem(order, "YEN-OFF", "coupon", "500", "500"), position, "500")
    link(redeem(order, "YEN-VOUCHER", "voucher", "0"), position, "0")

    html = change_page(admin_client, order)

    assert readonly(html, "redeemed_codes") == "YEN-OFF: 500 off, saved 500<br>YEN-VOUCHER: 0 off"
    assert readonly(html, "codes_set_aside") == "ONE-PCT set aside: it would have raised the total to 9900"
    assert cells(html, "codes") == ["YEN-OFF 500, YEN-VOUCHER 0"]


def order_with_positions(event, count: int):
    """An order of ``count`` positions (with variations, add-ons after the first, a rule), each with two
    stacked codes, and a set-aside code and a warning."""
    order = OrderFactory(
        event=event,
        set_aside_codes=[{"code": "not_beneficial", "code_text": "ONE-PCT", "total_with": "99.00"}],
        warnings=[{"code": "partly_applied", "code_text": "CART-COUPON", "discounted": 1, "eligible": 3}],
    )
    rule = Discount.objects.create(event=event, internal_name="3 for 2", condition_min_count=3)
    first_code = redeem(order, "CODE-A", "coupon", "1.00", "1.00")
    second_code = redeem(order, "CODE-B", "promo_code", "1.00", "1.00")
    parent = None
    for positionid in range(1, count + 1):
        variation = ItemVariationFactory(item=ItemFactory(event=event))
        position = OrderPositionFactory(
            order=order, positionid=positionid, item=variation.item, variation=variation, addon_to=parent,
            discount_rule=rule,
        )  # fmt: skip
        parent = parent or position
        link(first_code, position, "0.50")
        link(second_code, position, "0.25")
    return order


def queries_of(client, order) -> int:
    with CaptureQueriesContext(connection) as queries:
        html = change_page(client, order)
    assert cells(html, "codes")[-1] == "CODE-A 0.50, CODE-B 0.25"
    return len(queries)


def test_the_change_page_makes_as_many_queries_for_one_position_as_for_many(
    admin_client, event, django_assert_max_num_queries
):
    one, many = order_with_positions(event, 1), order_with_positions(event, 12)
    assert queries_of(admin_client, one) == queries_of(admin_client, many)
    # 10, one each for the fee, payment, refund and issue inlines, two for the balance, one for the timeline
    with django_assert_max_num_queries(17):
        html = change_page(admin_client, many)
    assert cells(html, "codes") == ["CODE-A 0.50, CODE-B 0.25"] * 12


def test_redemptions_show_their_saving_next_to_the_discount(admin_client, event):
    order = OrderFactory(event=event)
    coupon_use = redeem(order, "TEN-OFF", "coupon", "10.00", "6.66")
    voucher_use = redeem(order, "VOUCHER1", "voucher", "5.00")

    html = change_page(admin_client, order)
    assert cells(html, "shown_saving") == ["6.66 EUR", "-"]  # the inline, next to its discount
    assert html.index('<th class="column-shown_discount') < html.index('<th class="column-shown_saving')

    listing = admin_client.get("/admin/orders/redemption/").content.decode()
    assert '<th scope="col" class="sortable column-shown_saving">' in listing
    pair = r'<td class="field-shown_discount">10.00 EUR</td><td class="field-shown_saving">6.66 EUR</td>'
    assert re.search(pair, listing)
    for redemption, saving in ((coupon_use, "6.66 EUR"), (voucher_use, "-")):
        page = admin_client.get(f"/admin/orders/redemption/{redemption.pk}/change/").content.decode()
        assert readonly(page, "shown_saving") == saving


# --- after a real checkout --------------------------------------------------------------------


def test_after_a_checkout_the_order_page_reads_like_the_api(admin_client, organizer, shop, buy):
    PromoCodeFactory(
        series__organizer=organizer, series__discount_type=DiscountType.PERCENT,
        series__discount_value=D("1"), code="ONE-PCT",
    )  # fmt: skip
    CouponFactory(
        series=CouponSeriesFactory(
            organizer=organizer, discount_type=DiscountType.PERCENT, discount_value=D("10"),
            can_be_combined=True, max_tickets=1,
        ),
        code="CART-COUPON",
    )  # fmt: skip
    PromoCodeFactory(
        series__organizer=organizer, series__discount_type=DiscountType.FIX, series__discount_value=D("3.00"),
        series__can_be_combined=True, code="THREE-OFF",
    )  # fmt: skip

    # 3 × 50.00: CART-COUPON 5.00 off one ticket (one ticket left of it), then THREE-OFF 3.00 split
    # by 45:50:50.
    response = buy([pos(shop.ticket), pos(shop.ticket), pos(shop.ticket)], codes=["CART-COUPON", "THREE-OFF"])
    assert response.status_code == 201, response.json()
    body = response.json()
    order = Order.objects.get(code=body["code"])
    html = change_page(admin_client, order)
    expected = ["CART-COUPON: 5.00 off, saved 5.00", "THREE-OFF: 3.00 off, saved 3.00"]
    assert readonly(html, "redeemed_codes") == "<br>".join(expected)
    assert readonly(html, "code_warnings") == (
        "CART-COUPON applied to 1 of 3 eligible positions (no tickets left for the others)"
    )
    assert cells(html, "codes") == ["CART-COUPON 5.00, THREE-OFF 0.93", "THREE-OFF 1.04", "THREE-OFF 1.03"]
    # The same as the API says.
    assert expected == [f"{r['code']}: {r['discount']} off, saved {r['saving']}" for r in body["redemptions"]]
    shares = [[f"{share['code']} {share['amount']}" for share in p["codes"]] for p in body["positions"]]
    assert cells(html, "codes") == [", ".join(texts) for texts in shares]

    # 2 × 50.00 with 1 %: 99.00 instead of 90.00 with the rule, so ONE-PCT is set aside.
    Discount.objects.create(
        event=shop.ticket.event, internal_name="10% off from 100.00", position=2,
        condition_min_value=D("100.00"), benefit_discount_matching_percent=D("10"),
    )  # fmt: skip
    response = buy([pos(shop.ticket), pos(shop.ticket)], codes=["ONE-PCT"])
    assert response.status_code == 201, response.json()
    html = change_page(admin_client, Order.objects.get(code=response.json()["code"]))
    assert readonly(html, "codes_set_aside") == "ONE-PCT set aside: it would have raised the total to 99.00"
    assert readonly(html, "redeemed_codes") == "-"

    # Canceled: the redemptions are reversed.
    admin_client.post(
        "/admin/orders/order/", {"action": "mark_canceled", "_selected_action": [order.pk], "post": "yes"}
    )
    html = change_page(admin_client, order)
    assert readonly(html, "redeemed_codes") == "<br>".join(f"{line} (reversed)" for line in expected)

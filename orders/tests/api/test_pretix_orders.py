"""POST orders/ as pretix's order API documents it: manual prices, simulate, consume_carts, pretix's
order and position fields, voucher budgets, blocking vouchers, and field-keyed refusals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ConflictError
from discounts.models import Discount
from orders.checkout.draft import PositionSpec
from orders.models import Cart, CartPosition, Order, OrderPosition, Redemption
from orders.services.checkout import order_place
from orders.tests.conftest import BASE, pos, prices
from ticketing.models import SalesChannel
from ticketing.selectors import quota_availability
from vouchers.models import PriceMode
from vouchers.tests.factories import CouponFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal
ORDERS = BASE + "orders/"
CARTS = BASE + "carts/"


def counts() -> tuple[int, int, int, int]:
    return (
        Order.objects.count(),
        OrderPosition.objects.count(),
        Redemption.objects.count(),
        Cart.objects.count(),
    )


def three_for_two(event) -> Discount:
    return Discount.objects.create(
        event=event, internal_name="3 for 2", condition_min_count=3,
        benefit_discount_matching_percent=D("100"), benefit_only_apply_to_cheapest_n_matches=1,
    )  # fmt: skip


def cart_of(api, positions) -> str:
    response = api.post(CARTS, {"positions": positions}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


# --- a position's price -------------------------------------------------------------------------


def test_a_sent_price_is_the_positions_price_and_no_rule_or_code_changes_it(buy, event, organizer, shop):
    three_for_two(event)
    coupon = CouponFactory(series__organizer=organizer, series__discount_value=D("10.00"))
    response = buy([pos(shop.ticket, price="12.50"), pos(shop.ticket), pos(shop.ticket)], codes=[coupon.code])
    assert response.status_code == 201, response.json()
    body = response.json()
    manual = body["positions"][0]
    assert (manual["list_price"], manual["code_discount"], manual["rule_discount"], manual["price"]) == (
        "12.50", "0.00", "0.00", "12.50"
    )  # fmt: skip
    assert (manual["price_manual"], manual["code"], manual["codes"], manual["discount"]) == (
        True,
        None,
        [],
        None,
    )
    # The others: 10% coupon each (45.00); the rule's free position was the manual one, so nobody gets it.
    assert prices(body)[1:] == ["45.00", "45.00"]
    assert [p["price_manual"] for p in body["positions"]] == [True, False, False]
    assert body["total"] == "102.50"
    row = OrderPosition.objects.get(order__code=body["code"], positionid=1)
    assert (row.price, row.price_manual, row.discount_rule_id) == (D("12.50"), True, None)


def test_a_sent_price_of_zero_is_kept(buy, shop):
    body = buy([pos(shop.ticket, price="0.00")]).json()
    assert (body["total"], body["positions"][0]["price_manual"]) == ("0.00", True)


def test_a_sent_price_with_a_voucher_on_the_same_position_is_refused_naming_price(buy, event, shop):
    voucher = VoucherFactory(event=event)
    response = buy([pos(shop.ticket, price="10.00", voucher=voucher.code)])
    assert response.status_code == 400
    assert list(response.json()["positions"]["0"]) == ["price"]
    assert Order.objects.count() == 0


def test_a_negative_or_too_precise_price_is_refused_naming_price(buy, shop):
    for price in ("-1.00", "1.001"):
        response = buy([pos(shop.ticket, price=price)])
        assert response.status_code == 400
        assert list(response.json()["positions"]["0"]) == ["price"]


def test_a_token_that_may_not_change_orders_cannot_send_a_price(api_for, shop):
    client = api_for(all_events=True, can_view_orders=True)
    response = client.post(
        ORDERS, {"email": "a@example.com", "positions": [pos(shop.ticket, price="1.00")]}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "Your team lacks the permission 'can_change_orders' for this event.",
    }
    assert Order.objects.count() == 0


def test_a_cart_or_preview_refuses_a_price_as_an_unknown_field(api, shop):
    for path in (CARTS, BASE + "price-preview/"):
        response = api.post(path, {"positions": [pos(shop.ticket, price="1.00")]}, format="json")
        assert response.status_code == 400
        assert response.json()["positions"]["0"] == {"price": ["Unknown field."]}


def test_the_service_takes_a_manual_price(event, shop):
    order = order_place(
        event=event, sales_channel=SalesChannel.objects.get(organizer=event.organizer, identifier="web"),
        positions=[PositionSpec(item=shop.ticket.pk, price=D("7.00")), PositionSpec(item=shop.cheap.pk)],
        email="a@example.com", now=timezone.now(),
    )  # fmt: skip
    assert [(p.price, p.price_manual) for p in order.position_list] == [
        (D("7.00"), True),
        (D("30.00"), False),
    ]
    assert order.total == D("37.00")


# --- simulate -----------------------------------------------------------------------------------


def test_simulate_answers_the_order_and_stores_nothing(api, buy, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("5.00"), max_usages=3)
    cart = cart_of(api, [pos(shop.cheap)])
    before = counts()
    available = quota_availability(shop.quota).available
    response = buy(
        [pos(shop.ticket, voucher=voucher.code), pos(shop.cheap, price="1.00")], simulate=True,
        consume_carts=[cart], headers={"X-Idempotency-Key": "sim-1"},
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["status"], body["status_text"], body["event"], body["total"]) == (
        "PREVIEW", "n", "pending", "conf", "46.00"
    )  # fmt: skip
    assert [(p["id"], p["positionid"], p["order"], p["price"]) for p in body["positions"]] == [
        (None, 1, "PREVIEW", "45.00"), (None, 2, "PREVIEW", "1.00")
    ]  # fmt: skip
    assert [(p["voucher"], p["voucher_budget_use"]) for p in body["positions"]] == [
        (voucher.pk, "5.00"), (None, None)
    ]  # fmt: skip
    assert [(r["id"], r["code"], r["uses"], r["discount"]) for r in body["redemptions"]] == [
        (None, voucher.code, 1, "5.00")
    ]
    assert counts() == before
    voucher.refresh_from_db()
    assert (voucher.redeemed, voucher.budget_used) == (0, D("0"))
    assert quota_availability(shop.quota).available == available
    # Nothing kept under the idempotency key either: the same key then creates the real order.
    real = buy([pos(shop.ticket)], headers={"X-Idempotency-Key": "sim-1"})
    assert (real.status_code, real.json()["code"] != "PREVIEW") == (201, True)


def test_simulate_refuses_what_an_order_refuses(buy, event, shop):
    shop.quota.size = 1
    shop.quota.save()
    response = buy([pos(shop.ticket), pos(shop.ticket)], simulate=True)
    assert (response.status_code, response.json()["code"]) == (409, "quota_exceeded")
    used = VoucherFactory(event=event, used_up=True)
    response = buy([pos(shop.ticket, voucher=used.code)], simulate=True)
    assert (response.status_code, response.json()["code"]) == (400, "exhausted")
    assert response.json()["positions"] == [{"voucher": [response.json()["detail"]]}]


def test_simulate_shows_what_gift_cards_would_pay_without_charging_them(buy, organizer, shop):
    from vouchers.services.giftcards import gift_card_create

    card = gift_card_create(organizer=organizer, initial_value=D("20.00"), currency="EUR", now=timezone.now())
    body = buy([pos(shop.ticket)], simulate=True, gift_cards=[card.code]).json()
    assert (body["gift_cards"], body["amount_due"]) == (
        [{"code": card.code, "amount": "20.00", "refunded": False}], "30.00"
    )  # fmt: skip
    assert card.transactions.count() == 1  # the issue only


# --- consume_carts ------------------------------------------------------------------------------


def test_an_order_consumes_the_cart_that_holds_its_last_seat(api, buy, shop):
    shop.quota.size = 1
    shop.quota.save()
    cart = cart_of(api, [pos(shop.ticket)])
    refused = buy([pos(shop.ticket)])
    assert (refused.status_code, refused.json()["code"]) == (409, "quota_exceeded")
    response = buy([pos(shop.ticket)], consume_carts=[cart])
    assert response.status_code == 201, response.json()
    assert not Cart.objects.filter(pk=cart).exists()
    assert CartPosition.objects.count() == 0
    assert quota_availability(shop.quota).available == 0


def test_an_order_consumes_the_cart_that_holds_its_voucher(api, buy, event, shop):
    voucher = VoucherFactory(event=event, max_usages=1)
    cart = cart_of(api, [pos(shop.ticket, voucher=voucher.code)])
    refused = buy([pos(shop.ticket, voucher=voucher.code)])
    assert (refused.status_code, refused.json()["code"]) == (400, "held_in_other_cart")
    response = buy([pos(shop.ticket, voucher=voucher.code)], consume_carts=[cart])
    assert response.status_code == 201, response.json()
    voucher.refresh_from_db()
    assert voucher.redeemed == 1
    assert Cart.objects.count() == 0


def test_consume_carts_passes_over_carts_that_are_gone_or_of_another_event(buy, shop):
    from ticketing.tests.factories import EventFactory

    other = Cart.objects.create(
        event=EventFactory(organizer=shop.ticket.event.organizer),
        sales_channel=SalesChannel.objects.get(organizer=shop.ticket.event.organizer, identifier="web"),
        expires=timezone.now() + timedelta(minutes=5),
    )  # fmt: skip
    gone = "00000000-0000-4000-8000-000000000000"
    response = buy([pos(shop.ticket)], consume_carts=[gone, str(other.pk)])
    assert response.status_code == 201, response.json()
    assert Cart.objects.filter(pk=other.pk).exists()


def test_a_refused_order_keeps_the_carts_it_would_consume(api, buy, event, shop):
    cart = cart_of(api, [pos(shop.ticket)])
    used = VoucherFactory(event=event, used_up=True)
    assert buy([pos(shop.ticket, voucher=used.code)], consume_carts=[cart]).status_code == 400
    assert Cart.objects.filter(pk=cart).exists()


def test_consume_carts_must_be_cart_ids(buy, shop):
    response = buy([pos(shop.ticket)], consume_carts=["nope"])
    assert response.status_code == 400
    assert "consume_carts" in response.json()


# --- pretix's order and position fields ---------------------------------------------------------


def test_order_and_positions_carry_pretixs_fields(api, buy, event, shop):
    rule = Discount.objects.create(event=event, internal_name="2+", condition_min_count=2,
                                   benefit_discount_matching_percent=D("10"))  # fmt: skip
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("5.00"), budget=D("50.00"))
    body = buy([pos(shop.ticket, voucher=voucher.code), pos(shop.cheap)]).json()
    code = body["code"]
    assert (body["event"], body["status"], body["status_text"]) == ("conf", "n", "pending")
    assert [
        (p["order"], p["voucher"], p["discount"], p["voucher_budget_use"], p["canceled"])
        for p in body["positions"]
    ] == [(code, voucher.pk, rule.pk, "5.00", False), (code, None, rule.pk, None, False)]
    assert api.get(ORDERS + f"{code}/").json()["positions"] == body["positions"]
    paid = api.post(ORDERS + f"{code}/mark_paid/").json()
    assert (paid["status"], paid["status_text"]) == ("p", "paid")
    canceled = api.post(ORDERS + f"{code}/mark_canceled/").json()
    assert (canceled["status"], canceled["status_text"]) == ("c", "canceled")


def test_the_status_filter_takes_pretixs_letters_and_the_words(api, buy, shop):
    pending = buy([pos(shop.ticket)]).json()["code"]
    paid = buy([pos(shop.ticket)]).json()["code"]
    api.post(ORDERS + f"{paid}/mark_paid/")
    for value, expected in (
        ("n", [pending]),
        ("pending", [pending]),
        ("p", [paid]),
        ("paid", [paid]),
        ("c", []),
    ):
        assert [o["code"] for o in api.get(ORDERS, {"status": value}).json()["results"]] == expected
    assert api.get(ORDERS, {"status": "x"}).status_code == 400


# --- voucher budgets and blocking vouchers ------------------------------------------------------


def test_a_position_whose_voucher_budget_is_spent_is_refused(buy, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.PERCENT, value=D("10"), budget=D("5.00"),
                             max_usages=5)  # fmt: skip
    response = buy([pos(shop.ticket, voucher=voucher.code), pos(shop.ticket, voucher=voucher.code)])
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["position"], body["code_text"]) == ("budget_exhausted", 1, voucher.code)
    assert body["positions"] == [{}, {"voucher": [body["detail"]]}]
    assert Order.objects.count() == 0
    voucher.refresh_from_db()
    assert (voucher.redeemed, voucher.budget_used) == (0, D("0"))


def test_a_budget_that_still_covers_part_of_a_discount_gives_the_smaller_discount(buy, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.PERCENT, value=D("10"), budget=D("6.00"),
                             max_usages=5)  # fmt: skip
    body = buy([pos(shop.ticket, voucher=voucher.code), pos(shop.ticket, voucher=voucher.code)]).json()
    assert prices(body) == ["45.00", "49.00"]
    assert [p["voucher_budget_use"] for p in body["positions"]] == ["5.00", "1.00"]


def test_a_budget_voucher_that_gives_nothing_anyway_is_not_refused(buy, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.PERCENT, value=D("0"), budget=D("5.00"))
    assert buy([pos(shop.ticket, voucher=voucher.code)]).status_code == 201


def test_an_expired_blocking_voucher_holds_no_quota(buy, event, shop):
    shop.quota.size = 1
    shop.quota.save()
    VoucherFactory(event=event, item=shop.ticket, block_quota=True, max_usages=1,
                   valid_until=timezone.now() - timedelta(minutes=1))  # fmt: skip
    assert buy([pos(shop.ticket)]).status_code == 201


# --- field-keyed refusals -----------------------------------------------------------------------


def test_a_refused_position_names_its_field_in_pretixs_shape_and_keeps_the_code(buy, event, shop):
    shop.cheap.active = False
    shop.cheap.save()
    response = buy([pos(shop.ticket), pos(shop.cheap)])
    assert response.status_code == 400
    assert response.json() == {
        "code": "item_inactive", "detail": "This item is not sold.", "position": 1,
        "positions": [{}, {"item": ["This item is not sold."]}],
    }  # fmt: skip


def test_a_refused_voucher_is_keyed_by_voucher_on_each_position_carrying_it(buy, event, shop):
    expired = VoucherFactory(event=event, valid_until=timezone.now() - timedelta(days=1))
    response = buy([pos(shop.cheap), pos(shop.ticket, voucher=expired.code.lower())])
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["code_text"]) == ("expired", expired.code)
    assert body["positions"] == [{}, {"voucher": ["This code has expired."]}]


def test_an_order_wide_refusal_keeps_the_one_shape(buy, event, shop):
    shop.quota.size = 0
    shop.quota.save()
    body = buy([pos(shop.ticket)]).json()
    assert (body["code"], "positions" in body) == ("quota_exceeded", False)
    expired = VoucherFactory(event=event, valid_until=timezone.now() - timedelta(days=1))
    body = buy([pos(shop.cheap)], codes=[expired.code]).json()
    assert (body["code"], "positions" in body) == ("expired", False)


def test_a_blocking_voucher_expired_at_the_checkouts_moment_holds_no_quota(event, shop):
    """The checkout's own moment decides, not the clock: a voucher valid until 12:00 holds nothing for
    an order placed at 13:00."""
    shop.quota.size = 1
    shop.quota.save()
    now = timezone.now()
    VoucherFactory(event=event, item=shop.ticket, block_quota=True, max_usages=1,
                   valid_until=now + timedelta(hours=1))  # fmt: skip
    web = SalesChannel.objects.get(organizer=event.organizer, identifier="web")

    def place(at):
        return order_place(
            event=event, sales_channel=web, positions=[PositionSpec(item=shop.ticket.pk)],
            email="a@example.com", now=at,
        )  # fmt: skip

    with pytest.raises(ConflictError) as refused:
        place(now)
    assert refused.value.code == "quota_exceeded"
    assert place(now + timedelta(hours=2)).status == "pending"


def test_the_service_simulates_without_writing_and_consumes_carts(api, event, shop):
    web = SalesChannel.objects.get(organizer=event.organizer, identifier="web")
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("5.00"))
    cart = cart_of(api, [pos(shop.ticket)])
    before = counts()

    def place(**extra):
        return order_place(
            event=event, sales_channel=web, email="a@example.com", now=timezone.now(),
            positions=[PositionSpec(item=shop.ticket.pk, voucher=voucher.code)], consume_carts=[cart],
            **extra,
        )  # fmt: skip

    simulated = place(simulate=True)
    assert (simulated.pk, simulated.code, simulated.total) == (None, "PREVIEW", D("45.00"))
    assert [(r.code, r.discount) for r in simulated.redemption_list] == [(voucher.code, D("5.00"))]
    assert counts() == before
    placed = place()
    assert Order.objects.get().code == placed.code
    assert not Cart.objects.filter(pk=cart).exists()
    voucher.refresh_from_db()
    assert voucher.redeemed == 1

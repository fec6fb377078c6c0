"""Paying with gift cards (preview, carts, direct orders, cancel) and selling them (docs/giftcards.md)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from discounts.models import Discount
from orders.models import CartGiftCard, GiftCardIssue, Order, OrderPayment, OrderStatus
from orders.tests.conftest import BASE, pos
from ticketing.tests.factories import EventFactory, ItemFactory, OrganizerFactory, QuotaFactory
from vouchers.models import GiftCard, GiftCardTransaction, PriceMode
from vouchers.selectors import gift_card_balance
from vouchers.tests.factories import CouponFactory, GiftCardFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal
ORDERS = BASE + "orders/"
CARTS = BASE + "carts/"
PREVIEW = BASE + "price-preview/"


@pytest.fixture
def card(organizer):
    return GiftCardFactory(organizer=organizer, code="GIFT-FIFTY", value=D("50.00"))


def balance(card) -> Decimal:
    return gift_card_balance(card)


def ledger(card) -> list[tuple[str, str, str]]:
    rows = GiftCardTransaction.objects.filter(card=card).order_by("id")
    return [(t.kind, f"{t.value:.2f}", t.order_code) for t in rows]


def shares(body: dict) -> list[tuple[str, str]]:
    return [(c["code"], c["amount"]) for c in body["gift_cards"]]


def refusal(response) -> tuple[int, str | None, str | None]:
    body = response.json()
    return response.status_code, body.get("code"), body.get("gift_card")


# --- direct orders -------------------------------------------------------------------------------


def test_a_card_pays_part_of_an_order_which_stays_pending_with_the_rest_due(buy, shop, card):
    response = buy([pos(shop.ticket), pos(shop.cheap)], gift_cards=["gift-fifty"])  # any case
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status_text"], body["total"], body["amount_due"]) == ("pending", "80.00", "30.00")
    assert body["gift_cards"] == [{"code": "GIFT-FIFTY", "amount": "50.00", "refunded": False}]
    assert balance(card) == D("0")
    order = Order.objects.get(code=body["code"])
    assert ledger(card) == [("issue", "50.00", ""), ("payment", "-50.00", order.code)]
    assert OrderPayment.objects.filter(order=order).values_list("amount", flat=True).get() == D("50.00")
    assert order.paid_at is None


def test_a_card_that_pays_everything_makes_the_order_paid(buy, shop, card):
    body = buy([pos(shop.cheap)], gift_cards=[card.code]).json()
    assert (body["status_text"], body["amount_due"]) == ("paid", "0.00")
    assert body["gift_cards"] == [{"code": card.code, "amount": "30.00", "refunded": False}]
    assert balance(card) == D("20.00")
    assert Order.objects.get(code=body["code"]).paid_at is not None


def test_two_cards_pay_in_the_order_given_each_as_much_as_it_holds(buy, organizer, shop, card):
    small = GiftCardFactory(organizer=organizer, code="GIFT-TWENTY", value=D("20.00"))
    body = buy([pos(shop.ticket), pos(shop.ticket)], gift_cards=[small.code, card.code]).json()
    assert body["gift_cards"] == [
        {"code": small.code, "amount": "20.00", "refunded": False},
        {"code": card.code, "amount": "50.00", "refunded": False},
    ]
    assert (body["total"], body["amount_due"], body["status_text"]) == ("100.00", "30.00", "pending")
    assert (balance(small), balance(card)) == (D("0"), D("0"))


def test_a_card_the_total_no_longer_needs_pays_nothing_and_keeps_its_balance(buy, organizer, shop, card):
    other = GiftCardFactory(organizer=organizer, code="GIFT-OTHER", value=D("40.00"))
    body = buy([pos(shop.cheap)], gift_cards=[card.code, other.code]).json()
    assert body["gift_cards"] == [{"code": card.code, "amount": "30.00", "refunded": False}]
    assert body["status_text"] == "paid"
    assert balance(other) == D("40.00")
    assert OrderPayment.objects.count() == 1


def test_cards_pay_the_total_the_codes_and_rules_left(buy, event, organizer, shop, card):
    Discount.objects.create(event=event, internal_name="2+", condition_min_count=2,
                            benefit_discount_matching_percent=D("10"))  # fmt: skip
    coupon = CouponFactory(series__organizer=organizer, series__discount_type="fix",
                           series__discount_value=D("5.00"))  # fmt: skip
    body = buy([pos(shop.ticket), pos(shop.cheap)], codes=[coupon.code], gift_cards=[card.code]).json()
    assert body["total"] == "67.50"  # (80.00 − 5.00) − 10 %
    assert body["code_discount_total"] == "5.00"  # the card changes no price
    assert (body["gift_cards"][0]["amount"], body["amount_due"]) == ("50.00", "17.50")


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("unknown", "gift_card_invalid"),
        ("foreign", "gift_card_invalid"),
        ("expired", "gift_card_expired"),
        ("currency", "gift_card_currency"),
        ("other_event", "gift_card_not_valid_for_event"),
        ("empty", "gift_card_empty"),
        ("twice", "gift_card_duplicate"),
    ],
)
def test_refused_cards_name_themselves_and_nothing_is_stored(buy, event, organizer, shop, card, setup, code):
    cards = [card.code]
    if setup == "unknown":
        cards = ["NOPE-NOPE-NOPE"]
    elif setup == "foreign":
        GiftCard.objects.filter(pk=card.pk).update(organizer=OrganizerFactory())
    elif setup == "expired":
        GiftCard.objects.filter(pk=card.pk).update(expires=timezone.now() - timedelta(minutes=1))
    elif setup == "currency":
        GiftCard.objects.filter(pk=card.pk).update(currency="USD")
    elif setup == "other_event":
        card.allowed_events.set([EventFactory(organizer=organizer)])
    elif setup == "empty":
        GiftCardTransaction.objects.create(card=card, kind="correction", value=D("-50.00"))
    elif setup == "twice":
        cards = [card.code, card.code.lower()]
    response = buy([pos(shop.ticket)], gift_cards=cards)
    expected_card = "NOPE-NOPE-NOPE" if setup == "unknown" else card.code
    assert refusal(response) == (400, code, expected_card)
    assert response.json()["detail"]
    assert not Order.objects.exists() and not OrderPayment.objects.exists()


def test_a_card_limited_to_this_event_pays_in_it(buy, event, shop, card):
    card.allowed_events.set([event])
    assert buy([pos(shop.cheap)], gift_cards=[card.code]).json()["status_text"] == "paid"


def test_a_gift_card_typed_as_a_discount_code_is_unknown(buy, shop, card):
    response = buy([pos(shop.ticket)], codes=[card.code])
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert balance(card) == D("50.00")


def test_the_gift_cards_field_is_a_list_of_at_most_ten_codes(buy, shop):
    assert buy([pos(shop.ticket)], gift_cards="GIFT-FIFTY").json() == {"gift_cards": ["A list is required."]}
    response = buy([pos(shop.ticket)], gift_cards=[f"CARD-{n:03d}" for n in range(11)])
    assert response.status_code == 400 and "gift_cards" in response.json()


def test_a_price_change_is_checked_against_the_total_not_what_is_due(buy, shop, card):
    response = buy([pos(shop.cheap)], gift_cards=[card.code], expected_total="0.00")
    assert (response.status_code, response.json()["code"]) == (409, "price_changed")
    assert balance(card) == D("50.00")
    response = buy([pos(shop.cheap)], gift_cards=[card.code], expected_total="30.00")
    assert (response.status_code, response.json()["amount_due"]) == (201, "0.00")


# --- cancel --------------------------------------------------------------------------------------


def test_canceling_gives_what_the_cards_paid_back(api, buy, organizer, shop, card):
    small = GiftCardFactory(organizer=organizer, code="GIFT-TWENTY", value=D("20.00"))
    code = buy([pos(shop.ticket), pos(shop.cheap)], gift_cards=[small.code, card.code]).json()["code"]
    response = api.post(ORDERS + f"{code}/mark_canceled/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["gift_cards"] == [
        {"code": small.code, "amount": "20.00", "refunded": True},
        {"code": card.code, "amount": "50.00", "refunded": True},
    ]
    assert body["amount_due"] == "0.00"
    assert (balance(small), balance(card)) == (D("20.00"), D("50.00"))
    assert ledger(card) == [("issue", "50.00", ""), ("payment", "-50.00", code), ("refund", "50.00", code)]
    assert OrderPayment.objects.filter(state="refunded").count() == 2


def test_a_paid_order_paid_by_a_card_is_canceled_and_refunded(api, buy, shop, card):
    code = buy([pos(shop.cheap)], gift_cards=[card.code]).json()["code"]
    assert api.post(ORDERS + f"{code}/mark_canceled/").json()["status_text"] == "canceled"
    assert balance(card) == D("50.00")


# --- price preview and carts ---------------------------------------------------------------------


def test_the_preview_shows_what_the_cards_would_pay_and_stores_nothing(anon, shop, card):
    response = anon.post(PREVIEW, {"positions": [pos(shop.ticket), pos(shop.cheap)],
                                   "gift_cards": [card.code]}, format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["gift_cards"] == [{"code": card.code, "amount": "50.00", "balance": "50.00"}]
    assert (body["total"], body["amount_due"]) == ("80.00", "30.00")
    assert balance(card) == D("50.00") and not GiftCardTransaction.objects.exclude(kind="issue").exists()


def test_the_preview_refuses_a_refused_card(anon, shop):
    body = {"positions": [pos(shop.ticket)], "gift_cards": ["NOPE-NOPE"]}
    response = anon.post(PREVIEW, body, format="json")
    assert refusal(response) == (400, "gift_card_invalid", "NOPE-NOPE")


def test_without_cards_nothing_is_due_but_the_total(anon, shop):
    body = anon.post(PREVIEW, {"positions": [pos(shop.ticket)]}, format="json").json()
    assert (body["gift_cards"], body["amount_due"]) == ([], "50.00")


def test_a_cart_keeps_its_cards_and_its_checkout_pays_with_them(api, organizer, shop, card):
    cart = api.post(CARTS, {"positions": [pos(shop.ticket)], "gift_cards": [card.code]}, format="json").json()
    assert cart["gift_cards"] == [{"code": card.code, "amount": "50.00", "balance": "50.00"}]
    assert cart["amount_due"] == "0.00"
    assert CartGiftCard.objects.filter(cart_id=cart["id"]).count() == 1
    read = api.get(CARTS + f"{cart['id']}/").json()
    assert (read["gift_cards"], read["invalid_codes"]) == (cart["gift_cards"], [])
    assert balance(card) == D("50.00")  # a cart holds no balance
    order = api.post(CARTS + f"{cart['id']}/checkout/", {"email": "a@example.com"}, format="json").json()
    assert (order["status_text"], order["gift_cards"][0]["amount"]) == ("paid", "50.00")
    assert balance(card) == D("0") and not CartGiftCard.objects.exists()


def test_cards_are_added_to_and_removed_from_a_cart(api, organizer, shop, card):
    small = GiftCardFactory(organizer=organizer, code="GIFT-TWENTY", value=D("20.00"))
    cart_id = api.post(CARTS, {"positions": [pos(shop.ticket), pos(shop.cheap)]}, format="json").json()["id"]
    url = CARTS + f"{cart_id}/gift-cards/"
    first = api.post(url, {"code": small.code}, format="json")
    assert first.status_code == 201, first.json()
    second = api.post(url, {"code": card.code}, format="json").json()
    assert shares(second) == [(small.code, "20.00"), (card.code, "50.00")]
    assert second["amount_due"] == "10.00"
    again = api.post(url, {"code": card.code}, format="json")
    assert refusal(again) == (400, "gift_card_duplicate", card.code)
    unknown = api.post(url, {"code": "NOPE-NOPE"}, format="json")
    assert refusal(unknown) == (400, "gift_card_invalid", "NOPE-NOPE")
    assert api.delete(url + f"{small.code.lower()}/").status_code == 204
    assert api.delete(url + f"{small.code}/").status_code == 404
    read = api.get(CARTS + f"{cart_id}/").json()
    assert shares(read) == [(card.code, "50.00")]
    assert read["amount_due"] == "30.00"


def test_the_checkout_body_adds_cards_after_the_cart_ones(api, organizer, shop, card):
    small = GiftCardFactory(organizer=organizer, code="GIFT-TWENTY", value=D("20.00"))
    cart_id = api.post(CARTS, {"positions": [pos(shop.ticket)], "gift_cards": [small.code]},
                       format="json").json()["id"]  # fmt: skip
    order = api.post(CARTS + f"{cart_id}/checkout/", {"email": "a@example.com", "gift_cards": [card.code]},
                     format="json").json()  # fmt: skip
    assert shares(order) == [(small.code, "20.00"), (card.code, "30.00")]
    assert balance(card) == D("20.00")


def test_a_cart_card_that_was_emptied_meanwhile_pays_nothing_and_the_checkout_refuses_it(api, shop, card):
    cart_id = api.post(CARTS, {"positions": [pos(shop.ticket)], "gift_cards": [card.code]},
                       format="json").json()["id"]  # fmt: skip
    GiftCardTransaction.objects.create(card=card, kind="correction", value=D("-50.00"))
    read = api.get(CARTS + f"{cart_id}/").json()
    assert (read["gift_cards"], read["amount_due"]) == ([], "50.00")
    assert read["invalid_codes"] == [
        {
            "code": card.code,
            "error": {
                "code": "gift_card_empty",
                "detail": "This gift card has no balance left.",
                "gift_card": card.code,
            },
        }
    ]
    added = api.post(CARTS + f"{cart_id}/positions/", pos(shop.cheap), format="json")
    assert added.status_code == 201  # a change of the cart is not refused for it
    response = api.post(CARTS + f"{cart_id}/checkout/", {"email": "a@example.com"}, format="json")
    assert refusal(response) == (400, "gift_card_empty", card.code)
    assert not Order.objects.exists()


# --- selling gift cards --------------------------------------------------------------------------


@pytest.fixture
def gift_item(event, shop):
    item = ItemFactory(event=event, name="Gift card 25", default_price=D("25.00"), issues_gift_card=True,
                       admission=False)  # fmt: skip
    QuotaFactory(event=event, size=100, items=[item])
    return item


def issued(order_code: str) -> list[GiftCard]:
    return [i.gift_card for i in GiftCardIssue.objects.filter(order__code=order_code).order_by("id")]


def test_marking_an_order_paid_issues_a_card_per_gift_card_position(api, buy, event, shop, gift_item):
    body = buy([pos(gift_item), pos(shop.ticket), pos(gift_item)]).json()
    assert (body["status_text"], body["issued_gift_cards"]) == ("pending", [])
    assert not GiftCard.objects.exists()
    paid = api.post(ORDERS + f"{body['code']}/mark_paid/").json()
    cards = issued(body["code"])
    assert len(cards) == 2
    assert paid["issued_gift_cards"] == [
        {"code": cards[0].code, "value": "25.00", "positionid": 1, "voided": False},
        {"code": cards[1].code, "value": "25.00", "positionid": 3, "voided": False},
    ]
    for card in cards:
        assert (card.organizer_id, card.currency, balance(card)) == (event.organizer_id, "EUR", D("25.00"))
        assert ledger(card) == [("issue", "25.00", body["code"])]
        assert len(card.code) == 16
    assert api.get(ORDERS + f"{body['code']}/").json()["issued_gift_cards"] == paid["issued_gift_cards"]


def test_the_issued_value_is_the_price_the_position_paid(api, buy, event, gift_item):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("5.00"))
    code = buy([pos(gift_item, voucher=voucher.code)]).json()["code"]
    api.post(ORDERS + f"{code}/mark_paid/")
    assert [balance(card) for card in issued(code)] == [D("20.00")]


def test_an_order_paid_by_gift_cards_issues_its_cards_at_once(buy, card, gift_item):
    body = buy([pos(gift_item)], gift_cards=[card.code]).json()
    assert body["status_text"] == "paid"
    [new] = issued(body["code"])
    assert body["issued_gift_cards"] == [
        {"code": new.code, "value": "25.00", "positionid": 1, "voided": False}
    ]
    assert (balance(card), balance(new)) == (D("25.00"), D("25.00"))


def test_canceling_voids_the_unused_cards_the_order_issued(api, buy, gift_item):
    code = buy([pos(gift_item)]).json()["code"]
    api.post(ORDERS + f"{code}/mark_paid/")
    [card] = issued(code)
    response = api.post(ORDERS + f"{code}/mark_canceled/")
    assert response.status_code == 200, response.json()
    assert response.json()["issued_gift_cards"][0]["voided"] is True
    assert balance(card) == D("0")
    assert ledger(card) == [("issue", "25.00", code), ("correction", "-25.00", code)]


def test_canceling_is_refused_once_an_issued_card_paid_for_something(api, buy, shop, gift_item):
    code = buy([pos(gift_item)]).json()["code"]
    api.post(ORDERS + f"{code}/mark_paid/")
    [card] = issued(code)
    spender = buy([pos(shop.ticket)], gift_cards=[card.code]).json()
    assert spender["gift_cards"][0]["amount"] == "25.00"
    response = api.post(ORDERS + f"{code}/mark_canceled/")
    assert (response.status_code, response.json()["code"], response.json()["gift_card"]) == (
        409, "gift_card_spent", card.code,
    )  # fmt: skip
    assert Order.objects.get(code=code).status == OrderStatus.PAID  # nothing changed
    assert balance(card) == D("0") and not GiftCardIssue.objects.filter(voided=True).exists()
    # Once what it paid is given back (the other order canceled), the card is unused again.
    assert api.post(ORDERS + f"{spender['code']}/mark_canceled/").status_code == 200
    assert api.post(ORDERS + f"{code}/mark_canceled/").status_code == 200
    assert balance(card) == D("0")


def test_the_fast_rendering_matches_the_declared_fields_with_gift_cards(api, buy, event, card, gift_item):
    from rest_framework import serializers as drf

    from orders.api.serializers.outputs import OrderSerializer
    from orders.selectors import event_orders

    code = buy([pos(gift_item), pos(gift_item)], gift_cards=[card.code]).json()["code"]
    order = event_orders(event).get(code=code)
    serializer = OrderSerializer(order, context={"event": event})
    assert serializer.data == drf.ModelSerializer.to_representation(serializer, order)
    assert serializer.data["gift_cards"] and serializer.data["issued_gift_cards"]


def test_the_order_list_makes_the_same_queries_with_or_without_gift_cards(
    api, buy, shop, card, gift_item, django_assert_max_num_queries
):
    buy([pos(gift_item)], gift_cards=[card.code])
    buy([pos(shop.ticket)])
    with django_assert_max_num_queries(12):
        body = api.get(ORDERS).json()
    assert body["count"] == 2

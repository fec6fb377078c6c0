"""The order services with gift cards, called directly: placing, paying, canceling (docs/giftcards.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from orders.checkout.draft import PositionSpec
from orders.models import GiftCardIssue, OrderPayment, OrderStatus, ProductSales
from orders.selectors import price_preview
from orders.services.carts import cart_create, cart_gift_card_add, cart_gift_card_remove
from orders.services.checkout import cart_checkout, order_place
from orders.services.orders import order_mark_canceled, order_mark_paid
from orders.tests.factories import web_channel
from ticketing.tests.factories import ItemFactory, QuotaFactory
from vouchers.giftcards import GiftCardError, GiftCardSpent
from vouchers.models import GiftCardTransaction
from vouchers.selectors import gift_card_balance
from vouchers.tests.factories import GiftCardFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def items(event):
    ticket = ItemFactory(event=event, default_price=D("40.00"))
    gift = ItemFactory(event=event, default_price=D("25.00"), issues_gift_card=True, admission=False)
    QuotaFactory(event=event, size=100, items=[ticket, gift])
    return ticket, gift


def place(event, item_ids, gift_cards=()):
    return order_place(
        event=event, sales_channel=web_channel(event), positions=[PositionSpec(item=i) for i in item_ids],
        email="a@example.com", now=timezone.now(), gift_cards=gift_cards,
    )  # fmt: skip


def test_place_pays_with_cards_in_order_and_leaves_the_rest_due(event, organizer, items):
    ticket, _ = items
    first = GiftCardFactory(organizer=organizer, value=D("15.00"))
    second = GiftCardFactory(organizer=organizer, value=D("15.00"))
    order = place(event, [ticket.pk], gift_cards=[first.code.lower(), second.code])
    assert order.status == OrderStatus.PENDING
    payments = OrderPayment.objects.filter(order=order).order_by("id")
    assert [(p.gift_card_id, p.amount) for p in payments] == [(first.pk, D("15.00")), (second.pk, D("15.00"))]
    assert (gift_card_balance(first), gift_card_balance(second)) == (D("0"), D("0"))


def test_place_fully_paid_counts_the_sales_as_paid_and_issues_cards(event, organizer, items):
    ticket, gift = items
    card = GiftCardFactory(organizer=organizer, value=D("100.00"))
    order = place(event, [ticket.pk, gift.pk], gift_cards=[card.code])
    assert (order.status, order.paid_at is not None) == (OrderStatus.PAID, True)
    assert ProductSales.objects.get(item=ticket).status == OrderStatus.PAID
    [issue] = GiftCardIssue.objects.filter(order=order)
    assert (issue.value, gift_card_balance(issue.gift_card)) == (D("25.00"), D("25.00"))
    assert gift_card_balance(card) == D("35.00")


def test_a_refused_card_places_nothing(event, organizer, items):
    ticket, _ = items
    with pytest.raises(GiftCardError) as refused:
        place(event, [ticket.pk], gift_cards=["NO-SUCH-CARD"])
    assert refused.value.as_dict()["gift_card"] == "NO-SUCH-CARD"
    assert not OrderPayment.objects.exists()


def test_mark_paid_issues_cards_once_and_cancel_voids_them(event, items):
    _, gift = items
    order = place(event, [gift.pk, gift.pk])
    order = order_mark_paid(order=order, now=timezone.now())
    issues = list(GiftCardIssue.objects.filter(order=order))
    assert [gift_card_balance(i.gift_card) for i in issues] == [D("25.00"), D("25.00")]
    order_mark_canceled(order=order, now=timezone.now())
    assert [gift_card_balance(i.gift_card) for i in issues] == [D("0"), D("0")]
    assert GiftCardIssue.objects.filter(order=order, voided=True).count() == 2


def test_cancel_is_refused_when_an_issued_card_was_spent_and_changes_nothing(event, items):
    ticket, gift = items
    bought = order_mark_paid(order=place(event, [gift.pk]), now=timezone.now())
    card = GiftCardIssue.objects.get(order=bought).gift_card
    spender = place(event, [ticket.pk], gift_cards=[card.code])
    with pytest.raises(GiftCardSpent):
        order_mark_canceled(order=bought, now=timezone.now())
    bought.refresh_from_db()
    assert bought.status == OrderStatus.PAID
    assert ProductSales.objects.get(item=gift, status=OrderStatus.PAID).quantity == 1  # not given back either
    order_mark_canceled(order=spender, now=timezone.now())
    order_mark_canceled(order=bought, now=timezone.now())
    assert gift_card_balance(card) == D("0")


def test_cancel_refunds_what_the_cards_paid(event, organizer, items):
    ticket, _ = items
    card = GiftCardFactory(organizer=organizer, value=D("30.00"))
    order = place(event, [ticket.pk], gift_cards=[card.code])
    order_mark_canceled(order=order, now=timezone.now())
    assert gift_card_balance(card) == D("30.00")
    assert OrderPayment.objects.get(order=order).state == "refunded"
    kinds = list(GiftCardTransaction.objects.filter(card=card).order_by("id").values_list("kind", flat=True))
    assert kinds == ["issue", "payment", "refund"]


def test_preview_and_carts_through_their_services(event, organizer, items):
    ticket, _ = items
    card = GiftCardFactory(organizer=organizer, value=D("30.00"))
    channel, positions = web_channel(event), [PositionSpec(item=ticket.pk)]
    view = price_preview(event=event, sales_channel=channel, positions=positions, codes=[], email="",
                         now=timezone.now(), gift_cards=[card.code])  # fmt: skip
    assert ([s.amount for s in view.gift_cards], view.amount_due) == ([D("30.00")], D("10.00"))
    cart = cart_create(event=event, sales_channel=channel, positions=positions, now=timezone.now()).cart
    outcome = cart_gift_card_add(cart=cart, code=card.code, now=timezone.now())
    assert outcome.view.amount_due == D("10.00")
    cart_gift_card_remove(cart=cart, code=card.code)
    cart_gift_card_add(cart=cart, code=card.code, now=timezone.now())
    order = cart_checkout(cart=cart, email="a@example.com", now=timezone.now())
    assert OrderPayment.objects.get(order=order).amount == D("30.00")
    assert gift_card_balance(card) == D("0")


def test_the_items_api_writes_and_reads_the_flag(api, event):
    response = api.post(f"/api/v1/organizers/{event.organizer.slug}/events/{event.slug}/items/",
                        {"name": "Gift card", "default_price": "25.00", "issues_gift_card": True},
                        format="json")  # fmt: skip
    assert (response.status_code, response.json()["issues_gift_card"]) == (201, True)
    response = api.post(f"/api/v1/organizers/{event.organizer.slug}/events/{event.slug}/items/",
                        {"name": "Ticket", "default_price": "25.00"}, format="json")  # fmt: skip
    assert response.json()["issues_gift_card"] is False

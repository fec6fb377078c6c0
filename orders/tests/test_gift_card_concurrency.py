"""Gift card balances under concurrent checkouts and transactions on PostgreSQL: real threads, each with its
own database connection (as ``test_concurrency``), so the card's row lock is what decides."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connections, transaction
from rest_framework.test import APIClient

from orders.models import Order, OrderPayment, OrderStatus
from orders.tests.conftest import BASE, pos
from orders.tests.test_concurrency import TOKEN, at_once, statuses
from ticketing.tests.factories import ItemFactory, QuotaFactory, TeamFactory, make_token
from vouchers.models import GiftCardTransaction
from vouchers.selectors import gift_card_balance
from vouchers.tests.factories import GiftCardFactory

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]
D = Decimal


@pytest.fixture
def ten(organizer, event):
    TOKEN[:] = [make_token(TeamFactory(organizer=organizer, all_permissions=True, all_events=True))]
    item = ItemFactory(event=event, default_price=D("10.00"))
    QuotaFactory(event=event, size=1000, items=[item])
    return item


def pay(client: APIClient, item, card_code: str):
    body = {"email": "buyer@example.com", "positions": [pos(item)], "gift_cards": [card_code]}
    return client.post(BASE + "orders/", body, format="json")


def test_20_orders_at_once_paying_10_from_a_card_of_50_make_exactly_5(organizer, ten):
    card = GiftCardFactory(organizer=organizer, code="SHARED-GIFT", value=D("50.00"))
    responses = at_once(20, lambda client, i: pay(client, ten, card.code))
    assert statuses(responses) == {(201, None): 5, (400, "gift_card_empty"): 15}
    assert all(r.json()["status_text"] == "paid" for r in responses if r.status_code == 201)
    assert Order.objects.filter(status=OrderStatus.PAID).count() == 5 == Order.objects.count()
    assert gift_card_balance(card) == D("0")
    assert OrderPayment.objects.filter(gift_card=card).count() == 5
    payments = GiftCardTransaction.objects.filter(card=card, kind="payment")
    assert sorted(payments.values_list("value", flat=True)) == [D("-10.00")] * 5


def test_corrections_at_once_never_take_the_balance_below_zero(organizer, ten):
    card = GiftCardFactory(organizer=organizer, code="SHARED-GIFT", value=D("50.00"))
    url = f"/api/v1/organizers/{organizer.slug}/giftcards/{card.pk}/transact/"
    responses = at_once(10, lambda client, i: client.post(url, {"value": "-10.00"}, format="json"))
    assert sorted(r.status_code for r in responses) == [200] * 5 + [409] * 5
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"gift_card_overdrawn"}
    assert gift_card_balance(card) == D("0")


def test_payments_and_corrections_mixed_spend_the_balance_once(organizer, ten):
    card = GiftCardFactory(organizer=organizer, code="SHARED-GIFT", value=D("50.00"))
    url = f"/api/v1/organizers/{organizer.slug}/giftcards/{card.pk}/transact/"

    def spend(client, index):
        if index % 2:
            return client.post(url, {"value": "-10.00"}, format="json")
        return pay(client, ten, card.code)

    responses = at_once(12, spend)
    assert sum(r.status_code in (200, 201) for r in responses) == 5
    assert gift_card_balance(card) == D("0")


def test_the_database_guard_refuses_the_second_of_two_writers_that_take_no_lock(organizer):
    """Two transactions that insert payments without the service's row lock (a bug elsewhere): the
    trigger locks the card itself and sums the ledger after the first has committed."""
    card = GiftCardFactory(organizer=organizer, code="RAW-GIFT", value=D("50.00"))
    inserted, go_on = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                GiftCardTransaction.objects.create(card_id=card.pk, kind="payment", value=D("-30.00"))
                inserted.set()
                go_on.wait(timeout=30)  # the second writer is waiting on the card's row now
            outcome["first"] = "committed"
        finally:
            connections.close_all()

    def second() -> None:
        try:
            assert inserted.wait(timeout=30)
            with transaction.atomic():
                GiftCardTransaction.objects.create(card_id=card.pk, kind="payment", value=D("-30.00"))
            outcome["second"] = "committed"
        except IntegrityError as exc:
            outcome["second"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert inserted.wait(timeout=30)
    threading.Timer(0.5, go_on.set).start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome["first"] == "committed"
    assert isinstance(outcome["second"], IntegrityError), outcome
    assert "overdrawn" in str(outcome["second"])
    assert gift_card_balance(card) == D("20.00")

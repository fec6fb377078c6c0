"""The gift card back office: balance in the list, the read-only ledger, issuing with an initial value, and
top-ups and corrections with a reason, all through the service."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from vouchers.models import GiftCard, GiftCardTransaction
from vouchers.selectors import gift_card_balance
from vouchers.tests.factories import CouponFactory, GiftCardFactory

pytestmark = pytest.mark.django_db
D = Decimal


def url(view="changelist", *args):
    return reverse(f"admin:vouchers_giftcard_{view}", args=args)


def change_data(card, **extra):
    data = {"expires_0": "", "expires_1": "", "note": card.note, "transaction_value": "",
            "transaction_text": "", "transactions-TOTAL_FORMS": 0, "transactions-INITIAL_FORMS": 0,
            "transactions-MIN_NUM_FORMS": 0, "transactions-MAX_NUM_FORMS": 1000}  # fmt: skip
    data.update(extra)
    return data


def test_the_list_shows_balances_and_searches_by_code(admin_client, organizer):
    GiftCardFactory(organizer=organizer, code="ADMIN-GIFT", value=D("12.50"))
    GiftCardFactory(organizer=organizer, code="OTHER-GIFT", value=D("1.00"))
    page = admin_client.get(url(), {"q": " admin-gift "}).content.decode()
    assert "ADMIN-GIFT" in page and "12.50" in page and "OTHER-GIFT" not in page
    assert admin_client.get(url(), {"o": "4"}).status_code == 200  # ordered by balance


def test_the_change_page_shows_the_ledger_and_the_orders_paid(admin_client, organizer):
    card = GiftCardFactory(organizer=organizer, code="ADMIN-GIFT", value=D("30.00"))
    GiftCardTransaction.objects.create(card=card, kind="payment", value=D("-20.00"), order_code="ORDER1",
                                       order_id=1)  # fmt: skip
    GiftCardTransaction.objects.create(card=card, kind="payment", value=D("-5.00"), order_code="ORDER2",
                                       order_id=2)  # fmt: skip
    GiftCardTransaction.objects.create(
        card=card, kind="refund", value=D("5.00"), order_code="ORDER2", order_id=2
    )
    page = admin_client.get(url("change", card.pk)).content.decode()
    assert "ORDER1: 20.00 EUR, ORDER2: refunded" in page
    assert "10.00 EUR" in page  # the balance
    assert 'name="transactions-0-value"' not in page  # the ledger is read-only


def test_adding_issues_the_card_with_its_initial_value_through_the_service(
    admin_client, admin_user, organizer
):
    data = {"organizer": organizer.pk, "code": " new-gift ", "currency": "EUR", "initial_value": "40.00"}
    response = admin_client.post(url("add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    card = GiftCard.objects.get(code="NEW-GIFT")
    [issue] = card.transactions.all()
    assert (issue.kind, issue.value, issue.user) == ("issue", D("40.000"), admin_user)


def test_adding_refuses_a_code_another_kind_has(admin_client, organizer):
    CouponFactory(series__organizer=organizer, code="TAKEN-CODE")
    response = admin_client.post(
        url("add"), {"organizer": organizer.pk, "code": "taken-code", "currency": "EUR"}
    )
    assert response.status_code == 200
    assert "already" in str(response.context["adminform"].form.errors)
    assert not GiftCard.objects.exists()


def test_a_top_up_and_a_correction_are_booked_with_their_reason(admin_client, admin_user, organizer):
    card = GiftCardFactory(organizer=organizer, value=D("10.00"))
    response = admin_client.post(
        url("change", card.pk), change_data(card, transaction_value="15.00", transaction_text="Goodwill")
    )
    assert response.status_code == 302
    admin_client.post(
        url("change", card.pk), change_data(card, transaction_value="-5.00", transaction_text="Typo")
    )
    rows = list(card.transactions.order_by("id").values_list("kind", "value", "text", "user"))
    assert rows[1:] == [
        ("top_up", D("15"), "Goodwill", admin_user.pk),
        ("correction", D("-5"), "Typo", admin_user.pk),
    ]
    assert gift_card_balance(card) == D("20.00")


def test_a_transaction_needs_a_reason_and_may_not_overdraw(admin_client, organizer):
    card = GiftCardFactory(organizer=organizer, value=D("10.00"))
    response = admin_client.post(url("change", card.pk), change_data(card, transaction_value="5.00"))
    assert "transaction_text" in response.context["adminform"].form.errors
    response = admin_client.post(
        url("change", card.pk), change_data(card, transaction_value="-50.00", transaction_text="Oops")
    )
    assert any("too low" in str(m) for m in get_messages(response.wsgi_request))
    assert gift_card_balance(card) == D("10.00")


def test_expiry_and_note_change_and_the_value_stays(admin_client, organizer):
    card = GiftCardFactory(organizer=organizer, value=D("10.00"))
    expires = timezone.now() + timedelta(days=10)
    admin_client.post(url("change", card.pk), change_data(
        card, note="changed", expires_0=f"{expires:%Y-%m-%d}", expires_1="10:00:00"))  # fmt: skip
    card.refresh_from_db()
    assert card.note == "changed" and card.expires is not None
    assert gift_card_balance(card) == D("10.00")

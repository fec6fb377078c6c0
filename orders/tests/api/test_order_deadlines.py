"""A pending order's payment deadline from the event's payment terms, set as it is placed."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from orders.models import Order
from orders.tests.conftest import BASE, pos
from vouchers.tests.factories import GiftCardFactory

pytestmark = pytest.mark.django_db
SETTINGS = BASE + "settings/"


def test_a_new_order_must_be_paid_within_the_events_payment_terms(api, buy, shop, event):
    event.timezone = "Europe/Berlin"
    event.save()
    changed = api.patch(SETTINGS, {"payment_term_days": 3, "payment_term_weekdays": False}, format="json")
    assert changed.status_code == 200
    before = timezone.now()
    body = buy([pos(shop.ticket)]).json()
    expires = datetime.fromisoformat(body["expires"])
    day = (before.astimezone(ZoneInfo("Europe/Berlin")) + timedelta(days=3)).date()
    assert expires.astimezone(ZoneInfo("Europe/Berlin")).replace(tzinfo=None) == datetime.combine(
        day, time(23, 59, 59)
    )
    assert Order.objects.get().expires == expires


def test_minutes_terms(api, buy, shop):
    api.patch(SETTINGS, {"payment_term_mode": "minutes", "payment_term_minutes": 20}, format="json")
    before = timezone.now()
    body = buy([pos(shop.ticket)]).json()
    expires = datetime.fromisoformat(body["expires"])
    assert before + timedelta(minutes=20) <= expires <= timezone.now() + timedelta(minutes=20)


def test_after_the_last_date_of_payments_a_pending_order_is_refused(api, buy, shop):
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    api.patch(SETTINGS, {"payment_term_last": yesterday}, format="json")
    response = buy([pos(shop.ticket)])
    assert (response.status_code, response.json()["code"]) == (409, "payment_term_ended")
    assert "last_payment" in response.json()
    assert not Order.objects.exists()


def test_an_order_paid_at_once_by_a_gift_card_needs_no_deadline(api, buy, shop, organizer):
    GiftCardFactory(organizer=organizer, code="GIFT-ALL", value=Decimal("100.00"))
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    api.patch(SETTINGS, {"payment_term_last": yesterday}, format="json")
    body = buy([pos(shop.ticket)], gift_cards=["GIFT-ALL"]).json()
    assert (body["status"], body["expires"]) == ("p", None)

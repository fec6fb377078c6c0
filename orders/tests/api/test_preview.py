"""Public price preview: /api/v1/organizers/<o>/events/<e>/price-preview/"""

from __future__ import annotations

from decimal import Decimal

import pytest

from discounts.models import Discount
from orders.api.views.preview import PreviewThrottle
from orders.models import Cart, Order
from orders.tests.conftest import BASE, pos, prices
from ticketing.models import Event
from vouchers.models import PriceMode
from vouchers.tests.factories import VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal
PREVIEW = BASE + "price-preview/"


def preview(client, positions, codes=(), **body):
    return client.post(PREVIEW, {"positions": positions, "codes": list(codes), **body}, format="json")


def test_prices_without_a_token_and_stores_nothing(anon, event, shop):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("5.00"))
    rule = Discount.objects.create(event=event, internal_name="2 or more: 10% off", condition_min_count=2,
                                   benefit_discount_matching_percent=D("10"))  # fmt: skip
    response = preview(anon, [pos(shop.ticket, voucher=voucher.code), pos(shop.cheap), pos(shop.cheap)])
    assert response.status_code == 200, response.json()
    body = response.json()
    assert prices(body) == ["40.50", "27.00", "27.00"]  # the rule counts voucher-discounted positions too
    assert body["positions"][1]["discount_rule"] == {"id": rule.pk, "name": "2 or more: 10% off"}
    assert body["positions"][0]["id"] is None
    assert (body["list_total"], body["code_discount_total"], body["rule_discount_total"], body["total"]) == (
        "110.00", "5.00", "10.50", "94.50"
    )  # fmt: skip
    assert not Cart.objects.exists() and not Order.objects.exists()
    voucher.refresh_from_db()
    assert voucher.redeemed == 0


def test_a_refused_code_answers_its_error(anon, shop):
    response = preview(anon, [pos(shop.ticket)], codes=["NOT-A-CODE"])
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_an_event_that_is_not_live_or_does_not_exist_is_a_404(anon, event, shop):
    Event.objects.filter(pk=event.pk).update(live=False)
    hidden = preview(anon, [pos(shop.ticket)])
    missing = anon.post("/api/v1/organizers/nobody/events/conf/price-preview/", {}, format="json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_validation_errors_name_the_field(anon, shop):
    assert "positions" in preview(anon, []).json()


def test_is_throttled_per_client_address(anon, shop, monkeypatch):
    monkeypatch.setattr(PreviewThrottle, "rate", "2/min", raising=False)
    assert [preview(anon, [pos(shop.ticket)]).status_code for _ in range(2)] == [200, 200]
    limited = preview(anon, [pos(shop.ticket)])
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    body = {"positions": [pos(shop.ticket)]}
    assert anon.post(PREVIEW, body, format="json", REMOTE_ADDR="10.0.0.2").status_code == 200

"""Public code lookup: /api/v1/organizers/<o>/code-info/<code>/?event=<slug> (no token, throttled)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ticketing.tests.factories import EventFactory, ItemFactory
from vouchers.api.views.codes import PublicThrottle
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory

URL = "/api/v1/organizers/demo-org/code-info/"
NOW = timezone.now()
DAY = timedelta(days=1)


def lookup(client, code, event="conf"):
    return client.get(f"{URL}{code}/", {"event": event} if event else {})


def test_a_valid_coupon_tells_what_a_customer_may_know(anon, event):
    series = CouponSeriesFactory(
        organizer=event.organizer,
        name="Spring",
        discount_value=Decimal("12"),
        discount_max_value=Decimal("30"),
        min_tickets_in_cart=2,
        max_tickets_in_cart=6,
        note="internal",
        tags=["secret-tag"],
    )
    CouponFactory(series=series, code="SPRING-12", customer_email="ann@example.com", used_orders=3)
    response = lookup(anon, " spring-12 ")
    assert response.status_code == 200
    assert response.json() == {
        "message": "valid",
        "type": "coupon",
        "code": {
            "name": "Spring",
            "discount_type": "percent",
            "discount_value": "12.00",
            "discount_max_value": "30.00",
            "can_be_combined": False,
            "min_tickets_in_cart": 2,
            "max_tickets_in_cart": 6,
            "valid_from": None,
            "valid_until": None,
            "scope": "event",
        },
    }
    assert "ann@example.com" not in response.content.decode() and "internal" not in response.content.decode()


def test_allowed_items_are_shown_only_when_the_code_reveals_them(anon, event):
    item = ItemFactory(event=event, name="Backstage", hide_without_voucher=True)
    hidden = CouponSeriesFactory(organizer=event.organizer, allow_all_items=False, allowed_items=[item])
    revealing = CouponSeriesFactory(
        organizer=event.organizer, allow_all_items=False, allowed_items=[item], reveal_allowed_items=True
    )
    CouponFactory(series=hidden, code="HIDDEN-ITEMS")
    CouponFactory(series=revealing, code="SHOWN-ITEMS")
    quiet = lookup(anon, "HIDDEN-ITEMS").json()["code"]
    assert quiet["scope"] == "items" and "allowed_items" not in quiet
    shown = lookup(anon, "SHOWN-ITEMS").json()["code"]
    assert shown["allowed_items"] == [{"id": item.pk, "name": "Backstage", "event": "conf"}]


def test_a_voucher_and_a_promo_code(anon, event):
    item = ItemFactory(event=event, name="VIP")
    VoucherFactory(
        event=event, code="VIP-ACCESS", item=item, price_mode="set", value=Decimal("5"), min_usages=1
    )
    voucher = lookup(anon, "vip-access").json()
    assert (voucher["message"], voucher["type"]) == ("valid", "voucher")
    assert voucher["code"]["discount_type"] == "set" and voucher["code"]["discount_value"] == "5.00"
    assert voucher["code"]["allowed_items"] == [{"id": item.pk, "name": "VIP", "event": "conf"}]
    PromoCodeFactory(
        series__organizer=event.organizer,
        code="TEN-OFF",
        series__discount_type="fix",
        series__discount_value=Decimal("10"),
    )
    promo = lookup(anon, "ten-off").json()
    assert (promo["message"], promo["type"], promo["code"]["discount_value"]) == (
        "valid",
        "promo_code",
        "10.00",
    )


@pytest.mark.parametrize(
    ("build", "message", "kind"),
    [
        (
            lambda e: CouponFactory(series__organizer=e.organizer, series__valid_from=NOW + DAY).code,
            "notYetValid",
            "coupon",
        ),
        (lambda e: VoucherFactory(event=e, valid_until=NOW - DAY).code, "expired", "voucher"),
        (lambda e: VoucherFactory(event=e, max_usages=1, redeemed=1).code, "exhausted", "voucher"),
        (
            lambda e: VoucherFactory(event=e, budget=Decimal("5"), budget_used=Decimal("5")).code,
            "exhausted",
            "voucher",
        ),
        (
            lambda e: (
                CouponFactory(series__organizer=e.organizer, series__single_usage=True, used_orders=1).code
            ),
            "exhausted",
            "coupon",
        ),
        (
            lambda e: PromoCodeFactory(series__organizer=e.organizer, active=False).code,
            "inactive",
            "promo_code",
        ),
        (
            lambda e: CouponFactory(series__organizer=e.organizer, series__active=False).code,
            "inactive",
            "coupon",
        ),
        (
            lambda e: (
                CouponFactory(
                    series__organizer=e.organizer,
                    series__allow_all_events=False,
                    series__allowed_events=[EventFactory(organizer=e.organizer)],
                ).code
            ),
            "notValidForEvent",
            "coupon",
        ),
        (
            lambda e: VoucherFactory(event=EventFactory(organizer=e.organizer)).code,
            "notValidForEvent",
            "voucher",
        ),
    ],
)
def test_every_message(anon, event, build, message, kind):
    response = lookup(anon, build(event))
    assert response.status_code == 200
    assert (response.json()["message"], response.json()["type"]) == (message, kind)


def test_unknown_codes_are_404_invalid(anon, event):
    CouponFactory(code="OTHER-ORG-CODE")  # another organizer's code is unknown here
    for code in ("NO-SUCH-CODE", "other-org-code", "x"):
        response = lookup(anon, code)
        assert response.status_code == 404
        assert response.json() == {"message": "invalid", "type": None, "code": None}
    assert anon.get("/api/v1/organizers/nope/code-info/ANYTHING/").status_code == 404


def test_an_unknown_or_offline_event_finds_nothing(anon, event):
    CouponFactory(series__organizer=event.organizer, code="GOOD-CODE")
    EventFactory(organizer=event.organizer, slug="draft", live=False)
    assert lookup(anon, "GOOD-CODE", event="nope").status_code == 404
    assert lookup(anon, "GOOD-CODE", event="draft").status_code == 404
    assert (
        lookup(anon, "GOOD-CODE", event=None).json()["message"] == "valid"
    )  # without an event: organizer-wide


def test_unknown_and_known_codes_take_the_same_lookups(anon, event):
    CouponFactory(series__organizer=event.organizer, code="KNOWN-CODE")
    with CaptureQueriesContext(connection) as known:
        assert lookup(anon, "KNOWN-CODE").status_code == 200
    with CaptureQueriesContext(connection) as unknown:
        assert lookup(anon, "UNKNOWN-CODE").status_code == 404
    assert len(known) == len(unknown)


def test_no_token_needed_and_a_token_is_ignored(anon, api, event):
    CouponFactory(series__organizer=event.organizer, code="OPEN-CODE")
    assert lookup(anon, "OPEN-CODE").status_code == 200
    anon.credentials(HTTP_AUTHORIZATION="Token invalid")
    assert lookup(anon, "OPEN-CODE").status_code == 200


def test_lookups_are_throttled_per_client_address(anon, event, monkeypatch):
    monkeypatch.setattr(PublicThrottle, "rate", "3/min", raising=False)
    for _ in range(3):
        assert lookup(anon, "SOME-CODE").status_code == 404
    response = lookup(anon, "SOME-CODE")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    other_client = anon.get(f"{URL}SOME-CODE/", REMOTE_ADDR="10.0.0.2")
    assert other_client.status_code == 404


def test_without_an_event_a_voucher_of_an_event_that_is_not_live_is_not_revealed(anon, organizer):
    from ticketing.tests.factories import EventFactory

    hidden = EventFactory(organizer=organizer, live=False)
    shown = EventFactory(organizer=organizer, live=True)
    VoucherFactory(event=hidden, code="HIDDEN-ONE")
    VoucherFactory(event=shown, code="SHOWN-ONE")
    hidden_answer = anon.get(f"{URL}HIDDEN-ONE/")
    assert (hidden_answer.status_code, hidden_answer.json()["message"]) == (404, "invalid")
    shown_answer = anon.get(f"{URL}SHOWN-ONE/")
    assert (shown_answer.status_code, shown_answer.json()) == (
        200,
        {"message": "notValidForEvent", "type": "voucher", "code": None},
    )

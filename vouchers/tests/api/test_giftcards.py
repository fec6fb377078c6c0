"""Gift cards API: /api/v1/organizers/<o>/giftcards/ with generate/, transact/, transactions/; and the
public lookup of a gift card (code-info/)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ticketing.api.scoping import ORGANIZER_FORBIDDEN
from ticketing.models import TeamAPIToken
from ticketing.tests.factories import EventFactory, OrganizerFactory
from vouchers.api.views.codes import CodeMissThrottle
from vouchers.models import GiftCard, GiftCardTransaction
from vouchers.selectors import gift_card_balance
from vouchers.tests.factories import CouponFactory, GiftCardFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/api/v1/organizers/demo-org/giftcards/"
FIELDS = {"id", "code", "currency", "balance", "expires", "expired", "note", "allowed_events", "created"}
PAST = timezone.now() - timedelta(days=1)
FUTURE = timezone.now() + timedelta(days=30)


def codes(body: dict) -> list[str]:
    return [row["code"] for row in body["results"]]


# --- list ----------------------------------------------------------------------------------------


def test_list_is_paginated_with_balances(api, organizer):
    GiftCardFactory(organizer=organizer, code="CARD-A", value=D("10.00"))
    GiftCardFactory(organizer=organizer, code="CARD-B", value=D("0"))
    GiftCardFactory(organizer=organizer, code="CARD-C")
    GiftCardFactory(code="CARD-FOREIGN")  # another organizer's
    body = api.get(URL, {"page_size": 2}).json()
    assert (body["count"], codes(body), body["previous"]) == (3, ["CARD-A", "CARD-B"], None)
    assert body["next"].endswith("page=2&page_size=2")
    assert set(body["results"][0]) == FIELDS
    assert [r["balance"] for r in body["results"]] == ["10.00", "0.00"]


def test_the_list_makes_as_many_queries_for_one_card_as_for_many(api, organizer):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(URL, {"page_size": 100}).status_code == 200
        return len(captured)

    GiftCardFactory(organizer=organizer)
    one = queries()
    for _ in range(10):
        GiftCardFactory(organizer=organizer, allowed_events=[EventFactory(organizer=organizer)])
    assert queries() == one


def test_filters(api, organizer, event):
    other_event = EventFactory(organizer=organizer)
    GiftCardFactory(organizer=organizer, code="FULL-CARD", value=D("10.00"))
    empty = GiftCardFactory(organizer=organizer, code="EMPTY-CARD", value=D("0.30"))
    for _ in range(3):  # a sum that floating point makes 5.6e-17 on SQLite
        GiftCardTransaction.objects.create(card=empty, kind="payment", value=D("-0.10"))
    GiftCardFactory(organizer=organizer, code="OLD-CARD", expires=PAST)
    GiftCardFactory(organizer=organizer, code="HERE-CARD", allowed_events=[event])
    GiftCardFactory(organizer=organizer, code="THERE-CARD", allowed_events=[other_event])
    assert codes(api.get(URL, {"code": " full-card "}).json()) == ["FULL-CARD"]
    assert codes(api.get(URL, {"has_balance": "false"}).json()) == ["EMPTY-CARD"]
    assert "EMPTY-CARD" not in codes(api.get(URL, {"has_balance": "true"}).json())
    assert codes(api.get(URL, {"expired": "true"}).json()) == ["OLD-CARD"]
    assert "OLD-CARD" not in codes(api.get(URL, {"expired": "false"}).json())
    assert codes(api.get(URL, {"event": "conf"}).json()) == [
        "FULL-CARD",
        "EMPTY-CARD",
        "OLD-CARD",
        "HERE-CARD",
    ]
    assert api.get(URL, {"has_balance": "maybe"}).status_code == 400
    assert api.get(URL, {"event": "nope"}).status_code == 400
    assert api.get(URL, {"balance": "1"}).json() == {"balance": ["Unknown query parameter."]}


def test_ordering_by_balance_expiry_and_creation(api, organizer):
    GiftCardFactory(organizer=organizer, code="MID-CARD", value=D("20.00"), expires=FUTURE)
    GiftCardFactory(organizer=organizer, code="LOW-CARD", value=D("5.00"))
    GiftCardFactory(organizer=organizer, code="TOP-CARD", value=D("90.00"), expires=PAST)
    assert codes(api.get(URL, {"ordering": "balance"}).json()) == ["LOW-CARD", "MID-CARD", "TOP-CARD"]
    assert codes(api.get(URL, {"ordering": "-balance"}).json()) == ["TOP-CARD", "MID-CARD", "LOW-CARD"]
    assert codes(api.get(URL, {"ordering": "expires"}).json()) == ["TOP-CARD", "MID-CARD", "LOW-CARD"]
    assert codes(api.get(URL, {"ordering": "-created"}).json()) == ["TOP-CARD", "LOW-CARD", "MID-CARD"]


# --- create, generate, detail, change -------------------------------------------------------------


def test_create_issues_the_card_with_its_initial_value(api, organizer, event):
    response = api.post(URL, {"code": "birthday-ann", "currency": "EUR", "initial_value": "50.00",
                              "allowed_events": ["conf"], "note": "for Ann"}, format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in ("code", "currency", "balance", "expired", "note", "allowed_events")} == {
        "code": "BIRTHDAY-ANN", "currency": "EUR", "balance": "50.00", "expired": False, "note": "for Ann",
        "allowed_events": ["conf"],
    }  # fmt: skip
    card = GiftCard.objects.get(pk=body["id"])
    [issue] = card.transactions.all()
    assert (issue.kind, issue.value, issue.user) == ("issue", D("50.000"), None)
    assert issue.token == TeamAPIToken.objects.get()


def test_create_without_a_code_generates_one_and_money_takes_the_currencys_places(api, organizer):
    body = api.post(URL, {"currency": "JPY", "initial_value": "5000"}, format="json").json()
    assert len(body["code"]) == 16 and body["balance"] == "5000"
    response = api.post(URL, {"currency": "JPY", "initial_value": "50.5"}, format="json")
    assert response.json() == {"initial_value": ["JPY amounts have at most 0 decimal places."]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"currency": "EURO"}, "currency"),
        ({"currency": "EUR", "code": "ab"}, "code"),
        ({"currency": "EUR", "initial_value": "-5.00"}, "initial_value"),
        ({"currency": "EUR", "initial_value": 5}, "initial_value"),
        ({"currency": "EUR", "allowed_events": ["nope"]}, "allowed_events"),
        ({"currency": "EUR", "balance": "5.00"}, "balance"),  # not a field of the create body
        ({}, "currency"),
    ],
)
def test_create_refuses_what_is_wrong_naming_the_field(api, organizer, body, field):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not GiftCard.objects.exists()


@pytest.mark.parametrize("kind", ["coupon", "voucher", "gift_card"])
def test_create_refuses_a_code_the_organizer_has_in_any_kind(api, organizer, event, kind):
    if kind == "coupon":
        CouponFactory(series__organizer=organizer, code="TAKEN-CODE")
    elif kind == "voucher":
        VoucherFactory(event=event, code="TAKEN-CODE")
    else:
        GiftCardFactory(organizer=organizer, code="TAKEN-CODE")
    response = api.post(URL, {"code": "taken-code", "currency": "EUR"}, format="json")
    assert response.status_code == 400 and "code" in response.json()


def test_a_coupon_or_voucher_cannot_take_a_gift_cards_code_over_http(api, organizer, event):
    GiftCardFactory(organizer=organizer, code="GIFT-TAKEN")
    series = api.post("/api/v1/organizers/demo-org/coupon-series/", {
        "name": "S", "discount_type": "percent", "discount_value": "10"}, format="json").json()  # fmt: skip
    coupon = api.post("/api/v1/organizers/demo-org/coupons/", {"series": series["id"], "code": "gift-taken"},
                      format="json")  # fmt: skip
    assert coupon.json() == {"code": ["A gift card of this organizer already uses this code."]}
    promo = api.post("/api/v1/organizers/demo-org/promo-codes/", {"code": "GIFT-TAKEN", "value": "5"},
                     format="json")  # fmt: skip
    assert promo.status_code == 400 and "code" in promo.json()
    voucher = api.post(
        "/api/v1/organizers/demo-org/events/conf/vouchers/", {"code": "GIFT-TAKEN"}, format="json"
    )
    assert voucher.json() == {"code": ["A gift card of this organizer already uses this code."]}


def test_generate_answers_the_ids_and_codes_created(api, organizer):
    body = {"count": 3, "value": "25.00", "currency": "EUR", "prefix": "xmas-", "length": 8}
    response = api.post(URL + "generate/", body, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created"] == 3 and len(body["gift_cards"]) == 3
    cards = GiftCard.objects.filter(pk__in=[c["id"] for c in body["gift_cards"]])
    assert sorted(c.code for c in cards) == sorted(c["code"] for c in body["gift_cards"])
    assert all(c["code"].startswith("XMAS-") and len(c["code"]) == 13 for c in body["gift_cards"])
    assert {gift_card_balance(c) for c in cards} == {D("25.00")}


@pytest.mark.parametrize(
    ("body", "field"),
    [({"count": 0, "value": "5", "currency": "EUR"}, "count"),
     ({"count": 1001, "value": "5", "currency": "EUR"}, "count"),
     ({"count": 1, "value": "5.001", "currency": "EUR"}, "value"),
     ({"count": 1, "value": "5", "currency": "EUR", "prefix": "a b"}, "prefix"),
     ({"count": 1, "value": "5", "currency": "XYZ"}, "currency")],
)  # fmt: skip
def test_generate_refuses_what_is_wrong(api, organizer, body, field):
    response = api.post(URL + "generate/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()


def test_detail_and_another_organizers_card(api, organizer):
    card = GiftCardFactory(organizer=organizer, code="MY-CARD")
    assert api.get(URL + f"{card.pk}/").json()["code"] == "MY-CARD"
    foreign = GiftCardFactory(code="THEIR-CARD")
    assert api.get(URL + f"{foreign.pk}/").status_code == 404
    assert api.post(URL + f"{foreign.pk}/transact/", {"value": "5.00"}, format="json").status_code == 404


def test_patch_changes_expiry_note_and_events_and_ignores_read_only_fields(api, organizer, event):
    card = GiftCardFactory(organizer=organizer, code="MY-CARD", value=D("10.00"))
    change = {"expires": "2030-01-01T00:00:00Z", "note": "x", "allowed_events": ["conf"],
              "code": "OTHER-CODE", "currency": "USD", "balance": "99.00"}  # fmt: skip
    response = api.patch(URL + f"{card.pk}/", change, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["expires"], body["note"], body["allowed_events"]) == ("2030-01-01T00:00:00Z", "x", ["conf"])
    assert (body["code"], body["currency"], body["balance"]) == ("MY-CARD", "EUR", "10.00")
    assert api.patch(URL + f"{card.pk}/", {"initial_value": "5"}, format="json").json() == {
        "initial_value": ["Unknown field."]
    }
    assert api.put(URL + f"{card.pk}/", {}, format="json").status_code == 405
    assert api.delete(URL + f"{card.pk}/").status_code == 405


# --- transact and the ledger ---------------------------------------------------------------------


def test_transact_tops_up_and_corrects_with_a_reason(api, organizer):
    card = GiftCardFactory(organizer=organizer, value=D("10.00"))
    response = api.post(URL + f"{card.pk}/transact/", {"value": "15.00", "text": "Goodwill"}, format="json")
    assert (response.status_code, response.json()["balance"]) == (200, "25.00")
    response = api.post(URL + f"{card.pk}/transact/", {"value": "-5.50", "text": "Typo"}, format="json")
    assert response.json()["balance"] == "19.50"
    rows = list(card.transactions.order_by("id").values_list("kind", "value", "text"))
    assert rows == [
        ("issue", D("10"), ""),
        ("top_up", D("15"), "Goodwill"),
        ("correction", D("-5.5"), "Typo"),
    ]


def test_transact_refuses_an_overdraw_an_expired_card_and_bad_values(api, organizer):
    card = GiftCardFactory(organizer=organizer, value=D("10.00"))
    response = api.post(URL + f"{card.pk}/transact/", {"value": "-10.01"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"code": "gift_card_overdrawn", "detail": response.json()["detail"],
                               "balance": "10.00", "value": "-10.01"}  # fmt: skip
    assert api.post(URL + f"{card.pk}/transact/", {"value": "0"}, format="json").json() == {
        "value": ["A transaction moves some value: 0 is not one."]
    }
    assert api.post(URL + f"{card.pk}/transact/", {"value": "1.005"}, format="json").json() == {
        "value": ["EUR amounts have at most 2 decimal places."]
    }
    assert api.post(URL + f"{card.pk}/transact/", {"value": 5}, format="json").status_code == 400
    GiftCard.objects.filter(pk=card.pk).update(expires=PAST)
    response = api.post(URL + f"{card.pk}/transact/", {"value": "5.00"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "gift_card_expired")
    assert card.transactions.count() == 1


def test_the_ledger_is_paginated_oldest_first(api, organizer):
    card = GiftCardFactory(organizer=organizer, value=D("10.00"))
    for value in ("1.00", "2.00", "3.00"):
        api.post(URL + f"{card.pk}/transact/", {"value": value, "text": "more"}, format="json")
    body = api.get(URL + f"{card.pk}/transactions/", {"page_size": 3}).json()
    assert body["count"] == 4 and body["next"].endswith("page=2&page_size=3")
    assert [(r["kind"], r["value"]) for r in body["results"]] == [
        ("issue", "10.00"), ("top_up", "1.00"), ("top_up", "2.00"),
    ]  # fmt: skip
    assert set(body["results"][1]) == {
        "id",
        "kind",
        "value",
        "created",
        "order_code",
        "text",
        "user",
        "token",
    }
    assert body["results"][1]["token"] == TeamAPIToken.objects.get().pk
    assert api.get(URL + f"{card.pk}/transactions/", {"kind": "x"}).status_code == 400


# --- permissions ---------------------------------------------------------------------------------


def test_reading_needs_can_view_vouchers_and_writing_can_change_vouchers(api_for, organizer):
    card = GiftCardFactory(organizer=organizer)
    reader = api_for(can_view_vouchers=True, all_events=True)
    assert reader.get(URL).status_code == 200
    assert reader.get(URL + f"{card.pk}/transactions/").status_code == 200
    for response in (
        reader.post(URL, {"currency": "EUR"}, format="json"),
        reader.patch(URL + f"{card.pk}/", {"note": "x"}, format="json"),
        reader.post(URL + f"{card.pk}/transact/", {"value": "5.00"}, format="json"),
        reader.post(URL + "generate/", {"count": 1, "value": "5", "currency": "EUR"}, format="json"),
    ):
        assert response.status_code == 403
        assert "can_change_vouchers" in response.json()["detail"]
    nobody = api_for(can_change_orders=True, all_events=True)
    assert nobody.get(URL).status_code == 403


def test_a_team_limited_to_some_events_sees_no_gift_cards(api_for, organizer, event):
    limited = api_for(
        all_events=False, limit_events=[event], can_view_vouchers=True, can_change_vouchers=True
    )
    response = limited.get(URL)
    assert response.status_code == 403
    assert "all events" in response.json()["detail"]


def test_another_organizer_is_forbidden(api, organizer):
    OrganizerFactory(slug="other-org")
    response = api.get("/api/v1/organizers/other-org/giftcards/")
    assert (response.status_code, response.json()["detail"]) == (403, ORGANIZER_FORBIDDEN)


# --- the public lookup ---------------------------------------------------------------------------

INFO = "/api/v1/organizers/demo-org/code-info/"


def info(client, code, event="conf"):
    return client.get(f"{INFO}{code}/", {"event": event} if event else {})


def test_the_lookup_answers_a_gift_card_with_its_balance(anon, organizer, event):
    GiftCardFactory(organizer=organizer, code="GIFT-LOOK", value=D("42.50"), note="internal")
    response = info(anon, " gift-look ")
    assert response.status_code == 200
    gift = {"balance": "42.50", "currency": "EUR", "valid_until": None}
    assert response.json() == {"message": "valid", "type": "gift_card", "code": gift}
    assert info(anon, "GIFT-LOOK", event=None).json()["message"] == "valid"


@pytest.mark.parametrize(
    ("change", "message"),
    [("expired", "expired"), ("other_event", "notValidForEvent"), ("currency", "notValidForEvent"),
     ("empty", "exhausted"), ("this_event", "valid")],
)  # fmt: skip
def test_the_lookup_says_whether_the_card_may_pay(anon, organizer, event, change, message):
    card = GiftCardFactory(organizer=organizer, code="GIFT-LOOK", value=D("10.00"))
    if change == "expired":
        GiftCard.objects.filter(pk=card.pk).update(expires=PAST)
    elif change == "other_event":
        card.allowed_events.set([EventFactory(organizer=organizer)])
    elif change == "this_event":
        card.allowed_events.set([event])
    elif change == "currency":
        GiftCard.objects.filter(pk=card.pk).update(currency="USD")
    else:
        GiftCardTransaction.objects.create(card=card, kind="correction", value=D("-10.00"))
    response = info(anon, "GIFT-LOOK")
    assert (response.status_code, response.json()["message"], response.json()["type"]) == (
        200, message, "gift_card",
    )  # fmt: skip


def test_another_organizers_card_is_a_miss_and_counts_as_one(anon, organizer, event, monkeypatch):
    GiftCardFactory(organizer=OrganizerFactory(), code="THEIR-GIFT")
    monkeypatch.setattr(CodeMissThrottle, "rate", "2/min", raising=False)
    for _ in range(2):
        assert info(anon, "THEIR-GIFT").json() == {"message": "invalid", "type": None, "code": None}
    GiftCardFactory(organizer=organizer, code="MY-GIFT")
    assert info(anon, "MY-GIFT").status_code == 429  # the misses are used up: every lookup is refused


def test_a_gift_card_takes_the_same_lookups_as_an_unknown_code(anon, organizer, event):
    GiftCardFactory(organizer=organizer, code="GIFT-KNOWN", allowed_events=[event])
    with CaptureQueriesContext(connection) as known:
        assert info(anon, "GIFT-KNOWN").status_code == 200
    with CaptureQueriesContext(connection) as unknown:
        assert info(anon, "GIFT-UNKNOWN").status_code == 404
    assert len(known) == len(unknown)

"""The organizer's code space: every write that gives a code its text claims it, the unique index refuses
a second claim of a text, and a write that finds its text claimed after the checks answers as the checks
do. The same writes at the same moment from two processes: ``test_code_text_races.py`` (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from ticketing.tests.factories import EventFactory, OrganizerFactory
from vouchers.models import CodeText, Coupon, CouponSeries, GiftCard, Voucher
from vouchers.services import checks, coupon_csv
from vouchers.services.code_texts import CodeTextTaken, code_texts_claim
from vouchers.tests.factories import (
    CouponFactory,
    CouponSeriesFactory,
    GiftCardFactory,
    PromoCodeFactory,
    VoucherFactory,
)

pytestmark = pytest.mark.django_db
ORG = "/api/v1/organizers/demo-org/"
VOUCHER_CLASH = "A voucher of one of this organizer's events already uses this code."
DUPLICATE_COUPON = "A coupon or promo code with this code already exists for this organizer."
GIFT_CARD_CLASH = "A gift card of this organizer already uses this code."
UNIQUE_TEXT = (
    "uniq_code_text_per_organizer|vouchers_codetext.organizer_id, vouchers_codetext.text"  # PostgreSQL|SQLite
)


def claims(**filters) -> set[tuple]:
    """``(text, holder, coupon id, gift card id)`` of the claims."""
    return set(CodeText.objects.filter(**filters).values_list("text", "holder", "coupon_id", "gift_card_id"))


def test_every_api_write_claims_the_text_of_its_code(api, organizer, event):
    series = CouponSeriesFactory(organizer=organizer)
    assert api.post(f"{ORG}events/conf/vouchers/", {"code": "api-voucher"}, format="json").status_code == 201
    rows = [{"code": "batch-one"}, {"code": "batch-two"}]
    assert api.post(f"{ORG}events/conf/vouchers/batch_create/", rows, format="json").status_code == 201
    coupon = api.post(f"{ORG}coupons/", {"series": series.pk, "code": "api-coupon"}, format="json").json()
    settings = {"name": "Own", "discount_type": "percent", "discount_value": "10"}
    alone = api.post(f"{ORG}coupons/", {"code": "alone", "settings": settings}, format="json").json()
    promo = api.post(
        f"{ORG}promo-codes/",
        {"code": "api-promo", "name": "P", "value": "5", "percentage": False},
        format="json",
    ).json()
    card = api.post(f"{ORG}giftcards/", {"code": "api-card", "currency": "EUR"}, format="json").json()
    csv = api.generic(
        "POST", f"{ORG}coupon-series/{series.pk}/import/", "code\ncsv-code\n", content_type="text/csv"
    )
    assert csv.status_code == 201
    generated = api.post(f"{ORG}coupon-series/{series.pk}/generate/", {"count": 3}, format="json").json()
    cards = api.post(
        f"{ORG}giftcards/generate/", {"count": 2, "value": "5", "currency": "EUR"}, format="json"
    )
    assert cards.status_code == 201, cards.json()
    csv_coupon = Coupon.objects.get(code="CSV-CODE")
    assert claims() == {
        ("API-VOUCHER", "voucher", None, None),
        ("BATCH-ONE", "voucher", None, None),
        ("BATCH-TWO", "voucher", None, None),
        ("API-COUPON", "coupon", coupon["id"], None),
        ("ALONE", "coupon", alone["id"], None),
        ("API-PROMO", "coupon", promo["id"], None),
        ("API-CARD", "gift_card", None, card["id"]),
        ("CSV-CODE", "coupon", csv_coupon.pk, None),
        *{(c["code"], "coupon", c["id"], None) for c in generated["coupons"]},
        *{(c.code, "gift_card", None, c.pk) for c in GiftCard.objects.exclude(code="API-CARD")},
    }
    assert (
        CodeText.objects.count()
        == Voucher.objects.count() + Coupon.objects.count() + GiftCard.objects.count()
    )


def test_the_database_refuses_a_second_claim_of_a_text_and_a_claim_not_normalised(organizer):
    coupon = CouponFactory(series__organizer=organizer, code="ONE-TEXT")
    with pytest.raises(IntegrityError, match=UNIQUE_TEXT), transaction.atomic():
        CodeText.objects.create(organizer=organizer, text="ONE-TEXT", holder="voucher")
    with pytest.raises(IntegrityError, match="code_text_upper"), transaction.atomic():
        CodeText.objects.create(organizer=organizer, text="lower-text", holder="voucher")
    with pytest.raises(IntegrityError, match="code_text_holder_row"), transaction.atomic():
        CodeText.objects.create(organizer=organizer, text="NO-ROW", holder="coupon")
    other = OrganizerFactory()  # another organizer's code space is its own
    CodeText.objects.create(organizer=other, text="ONE-TEXT", holder="voucher")
    assert claims(organizer=organizer) == {("ONE-TEXT", "coupon", coupon.pk, None)}


# --- a text taken after the checks ----------------------------------------------------------------------


@pytest.fixture
def blind_checks(monkeypatch):
    """The checks before a write see nothing, as when another request creates the text right after them:
    what is refused is refused by the claim."""
    monkeypatch.setattr(checks, "check_voucher_code_free", lambda errors, **values: None)
    monkeypatch.setattr(checks, "check_organizer_code_free", lambda errors, **values: None)
    monkeypatch.setattr(coupon_csv, "organizer_codes_taken", lambda **values: set())
    refused: list[dict] = []  # what the claims refused, by the holder they found
    init = CodeTextTaken.__init__

    def spy(self, holders, *, claimer):
        refused.append(dict(holders))
        init(self, holders, claimer=claimer)

    monkeypatch.setattr(CodeTextTaken, "__init__", spy)
    return refused


def existing(kind: str, organizer, event) -> None:
    """A code ``TAKEN-TEXT`` of the kind, created before."""
    if kind == "voucher":
        VoucherFactory(event=EventFactory(organizer=organizer), code="TAKEN-TEXT")  # of another event
    elif kind == "coupon":
        CouponFactory(series__organizer=organizer, code="TAKEN-TEXT")
    elif kind == "promo code":
        PromoCodeFactory(series__organizer=organizer, code="TAKEN-TEXT")
    else:
        GiftCardFactory(organizer=organizer, code="TAKEN-TEXT")


def prepared_write(kind: str, api, organizer):
    """A write of the kind giving a code the text ``taken-text``, ready to send (the code it renames is
    created now); call it for the response."""
    series = CouponSeriesFactory(organizer=organizer)
    if kind == "voucher":
        return lambda: api.post(f"{ORG}events/conf/vouchers/", {"code": "taken-text"}, format="json")
    if kind == "voucher batch":
        rows = [{"code": "free-text"}, {"code": "taken-text"}]
        return lambda: api.post(f"{ORG}events/conf/vouchers/batch_create/", rows, format="json")
    if kind == "voucher rename":
        voucher = VoucherFactory(event__organizer=organizer, event__slug="renamed-in", code="OLD-TEXT")
        url = f"{ORG}events/renamed-in/vouchers/{voucher.pk}/"
        return lambda: api.patch(url, {"code": "taken-text"}, format="json")
    if kind == "coupon":
        return lambda: api.post(f"{ORG}coupons/", {"series": series.pk, "code": "taken-text"}, format="json")
    if kind == "coupon rename":
        coupon = CouponFactory(series=series, code="OLD-TEXT")
        return lambda: api.patch(f"{ORG}coupons/{coupon.pk}/", {"code": "taken-text"}, format="json")
    if kind == "promo code":
        body = {"code": "taken-text", "name": "P", "value": "5", "percentage": False}
        return lambda: api.post(f"{ORG}promo-codes/", body, format="json")
    if kind == "promo code rename":
        promo = PromoCodeFactory(series__organizer=organizer, code="OLD-TEXT")
        return lambda: api.patch(f"{ORG}promo-codes/{promo.pk}/", {"code": "taken-text"}, format="json")
    if kind == "gift card":
        return lambda: api.post(f"{ORG}giftcards/", {"code": "taken-text", "currency": "EUR"}, format="json")
    url = f"{ORG}coupon-series/{series.pk}/import/"
    return lambda: api.generic("POST", url, "code\nfree-text\ntaken-text\n", content_type="text/csv")


def batch_refusal(message: str) -> dict:
    return {"code": "invalid", "detail": "1 of 2 rows are invalid; nothing was created.",
            "errors": [{}, {"code": [message]}]}  # fmt: skip


CSV_REFUSAL = {"file": ["Line 3: code: TAKEN-TEXT already exists for this organizer."]}

TAKEN_AFTER_THE_CHECKS = [
    ("voucher", "coupon", {"code": [VOUCHER_CLASH]}),
    ("voucher", "coupon rename", {"code": [VOUCHER_CLASH]}),
    ("voucher", "promo code", {"code": [VOUCHER_CLASH]}),
    ("voucher", "promo code rename", {"code": [VOUCHER_CLASH]}),
    ("voucher", "gift card", {"code": [VOUCHER_CLASH]}),
    ("voucher", "CSV import", CSV_REFUSAL),
    ("coupon", "voucher", {"code": [DUPLICATE_COUPON]}),
    ("coupon", "voucher batch", batch_refusal(DUPLICATE_COUPON)),
    ("coupon", "voucher rename", {"code": [DUPLICATE_COUPON]}),
    ("coupon", "gift card", {"code": [DUPLICATE_COUPON]}),
    ("coupon", "CSV import", CSV_REFUSAL),  # refused by the coupons' own unique index, then told apart
    ("promo code", "voucher", {"code": [DUPLICATE_COUPON]}),
    ("promo code", "gift card", {"code": [DUPLICATE_COUPON]}),
    ("gift card", "voucher", {"code": [GIFT_CARD_CLASH]}),
    ("gift card", "voucher batch", batch_refusal(GIFT_CARD_CLASH)),
    ("gift card", "coupon", {"code": [GIFT_CARD_CLASH]}),
    ("gift card", "coupon rename", {"code": [GIFT_CARD_CLASH]}),
    ("gift card", "promo code", {"code": [GIFT_CARD_CLASH]}),
    ("gift card", "CSV import", CSV_REFUSAL),
]


@pytest.mark.parametrize(("before", "after", "body"), TAKEN_AFTER_THE_CHECKS, ids=lambda v: str(v)[:20])
def test_a_text_taken_after_the_checks_is_refused_by_its_claim_as_the_checks_refuse_it(
    api, organizer, event, blind_checks, before, after, body
):
    existing(before, organizer, event)
    send = prepared_write(after, api, organizer)
    stored = codes_stored()
    response = send()
    assert (response.status_code, response.json()) == (400, body)
    assert codes_stored() == stored  # nothing created, nothing renamed
    holder = {"voucher": "voucher", "gift card": "gift_card"}.get(before, "coupon")
    assert blind_checks == [{"TAKEN-TEXT": holder}]


def codes_stored() -> dict[str, list[str]]:
    return {
        "vouchers": sorted(Voucher.objects.values_list("code", flat=True)),
        "coupons": sorted(Coupon.objects.values_list("code", flat=True)),
        "gift cards": sorted(GiftCard.objects.values_list("code", flat=True)),
        "claims": sorted(CodeText.objects.values_list("text", flat=True)),
    }


def test_generating_into_a_text_taken_after_the_draw_is_a_code_collision(api, organizer, monkeypatch):
    series = CouponSeriesFactory(organizer=organizer)
    GiftCardFactory(organizer=organizer, code="DRAWN-TEXT")
    monkeypatch.setattr("vouchers.services.coupons.unique_random_codes", lambda **options: ["DRAWN-TEXT"])
    response = api.post(f"{ORG}coupon-series/{series.pk}/generate/", {"count": 1}, format="json")
    assert (response.status_code, response.json()) == (
        409,
        {
            "code": "code_collision",
            "detail": "Another request created one of these codes at the same time; try again.",
        },
    )
    assert not series.coupons.exists()


# --- vouchers share their text's claim ------------------------------------------------------------------


def test_vouchers_of_two_events_share_the_claim_which_outlives_them_until_another_code_takes_it(
    api, organizer, event
):
    other = EventFactory(organizer=organizer, slug="other")
    for slug in ("conf", "other"):
        response = api.post(f"{ORG}events/{slug}/vouchers/", {"code": "spring-25"}, format="json")
        assert response.status_code == 201, response.json()
    assert claims() == {("SPRING-25", "voucher", None, None)}
    series = CouponSeriesFactory(organizer=organizer)
    with pytest.raises(CodeTextTaken) as refused:
        code_texts_claim(
            organizer_id=organizer.pk, holder="coupon", codes={"SPRING-25": CouponFactory(series=series).pk}
        )
    assert refused.value.holders == {"SPRING-25": "voucher"}
    first = Voucher.objects.get(event=event)
    assert api.delete(f"{ORG}events/conf/vouchers/{first.pk}/").status_code == 204
    response = api.post(f"{ORG}coupons/", {"series": series.pk, "code": "spring-25"}, format="json")
    assert (response.status_code, response.json()) == (400, {"code": [VOUCHER_CLASH]})  # the other event's
    other.delete()  # its voucher goes with it; the claim stays behind
    assert claims(text="SPRING-25") == {("SPRING-25", "voucher", None, None)}
    response = api.post(f"{ORG}coupons/", {"series": series.pk, "code": "spring-25"}, format="json")
    assert response.status_code == 201, response.json()
    assert claims(text="SPRING-25") == {("SPRING-25", "coupon", response.json()["id"], None)}


def test_a_renamed_or_deleted_code_frees_its_text(api, organizer, event):
    series = CouponSeriesFactory(organizer=organizer)
    coupon = CouponFactory(series=series, code="FIRST-NAME")
    assert api.patch(f"{ORG}coupons/{coupon.pk}/", {"code": "second-name"}, format="json").status_code == 200
    assert claims(coupon=coupon) == {("SECOND-NAME", "coupon", coupon.pk, None)}
    assert api.post(f"{ORG}events/conf/vouchers/", {"code": "first-name"}, format="json").status_code == 201
    voucher = Voucher.objects.get(code="FIRST-NAME")
    url = f"{ORG}events/conf/vouchers/{voucher.pk}/"
    assert api.patch(url, {"code": "third-name"}, format="json").status_code == 200
    card = GiftCardFactory(organizer=organizer, code="FOURTH-NAME")
    promo = PromoCodeFactory(series__organizer=organizer, code="FIFTH-NAME")
    alone = CouponFactory(series__organizer=organizer, series__kind="standalone", code="SIXTH-NAME")
    in_series = CouponFactory(series=series, code="SEVENTH-NAME")
    card.delete()
    assert api.delete(f"{ORG}promo-codes/{promo.pk}/").status_code == 204
    assert api.delete(f"{ORG}coupons/{alone.pk}/").status_code == 204
    assert api.delete(f"{ORG}coupon-series/{series.pk}/").status_code == 204  # its coupons go with it
    assert not CouponSeries.objects.filter(pk=series.pk).exists()
    assert not Coupon.objects.filter(pk=in_series.pk).exists()
    assert claims() == {("FIRST-NAME", "voucher", None, None), ("THIRD-NAME", "voucher", None, None)}
    for text in ("first-name", "fourth-name", "fifth-name", "sixth-name", "seventh-name"):
        body = {"code": text, "currency": "EUR"}
        assert api.post(f"{ORG}giftcards/", body, format="json").status_code == 201, text

"""The back office's code pages save through the services: they claim their texts, a code that orders
used keeps its text (and a used coupon its series) there too, and a refusal the service meets after the
form's checks comes back as the form's refusal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vouchers.admin import coupons as coupon_admin
from vouchers.models import CodeText, Coupon, Voucher
from vouchers.services import checks
from vouchers.tests.factories import (
    CouponFactory,
    CouponSeriesFactory,
    GiftCardFactory,
    PromoCodeFactory,
    VoucherFactory,
)

pytestmark = pytest.mark.django_db
GIFT_CARD_CLASH = "A gift card of this organizer already uses this code."


def claims(**filters) -> set[tuple]:
    return set(CodeText.objects.filter(**filters).values_list("text", "holder", "coupon_id", "gift_card_id"))


def test_the_code_pages_claim_their_texts(admin_client, organizer, event):
    series = CouponSeriesFactory(organizer=organizer)
    voucher = {
        "event": event.pk,
        "code": "admin-voucher",
        "max_usages": 1,
        "min_usages": 1,
        "price_mode": "none",
    }
    assert admin_client.post(reverse("admin:vouchers_voucher_add"), voucher).status_code == 302
    coupon = {"series": series.pk, "code": "admin-coupon", "active": "on"}
    assert admin_client.post(reverse("admin:vouchers_coupon_add"), coupon).status_code == 302
    created = Coupon.objects.get(code="ADMIN-COUPON")
    assert claims() == {
        ("ADMIN-VOUCHER", "voucher", None, None),
        ("ADMIN-COUPON", "coupon", created.pk, None),
    }
    inline = {"event_usages-TOTAL_FORMS": 0, "event_usages-INITIAL_FORMS": 0}
    response = admin_client.post(
        reverse("admin:vouchers_coupon_change", args=[created.pk]), {**coupon, "code": "renamed", **inline}
    )
    assert response.status_code == 302
    assert claims(holder="coupon") == {("RENAMED", "coupon", created.pk, None)}


def test_a_code_page_shows_the_refusal_its_service_met_after_the_form_s_checks(
    admin_client, organizer, monkeypatch
):
    """The admin's form checked before a gift card took the text; the coupon's claim refuses it, and the
    page comes back with the form's refusal, as when the card was there first."""
    series = CouponSeriesFactory(organizer=organizer)
    GiftCardFactory(organizer=organizer, code="LATE-TEXT")
    checked = []

    def blind_at_first(**values):
        checked.append(values["code"])
        if len(checked) > 1:
            checks.validate_coupon_conflicts(**values)

    monkeypatch.setattr(coupon_admin, "validate_coupon_conflicts", blind_at_first)
    response = admin_client.post(
        reverse("admin:vouchers_coupon_add"), {"series": series.pk, "code": "late-text", "active": "on"}
    )
    assert form_errors(response) == {"code": [GIFT_CARD_CLASH]}
    assert checked == ["LATE-TEXT", "LATE-TEXT"]
    assert not series.coupons.exists()


def form_errors(response) -> dict:
    assert response.status_code == 200
    return {name: list(messages) for name, messages in response.context["adminform"].form.errors.items()}


def test_the_voucher_form_keeps_a_redeemed_voucher_s_code(admin_client, event):
    voucher = VoucherFactory(event=event, code="USED-VOUCHER", max_usages=5, redeemed=2)
    data = {"event": event.pk, "code": "new-voucher", "max_usages": 5, "min_usages": 1, "price_mode": "none"}
    url = reverse("admin:vouchers_voucher_change", args=[voucher.pk])
    assert form_errors(admin_client.post(url, data)) == {
        "code": ["This voucher has been redeemed: its code cannot change."]
    }
    assert admin_client.post(url, {**data, "code": "used-voucher", "tag": "kept"}).status_code == 302
    assert Voucher.objects.get().tag == "kept"


def test_the_coupon_form_keeps_a_used_coupon_s_code_and_series(admin_client, organizer):
    series, other = CouponSeriesFactory(organizer=organizer), CouponSeriesFactory(organizer=organizer)
    coupon = CouponFactory(series=series, code="USED-COUPON", used_orders=1)
    inline = {"event_usages-TOTAL_FORMS": 0, "event_usages-INITIAL_FORMS": 0}
    url = reverse("admin:vouchers_coupon_change", args=[coupon.pk])
    data = {"series": other.pk, "code": "new-coupon", "active": "on", **inline}
    assert form_errors(admin_client.post(url, data)) == {
        "code": ["This coupon has been used: its code cannot change."],
        "series": ["This coupon has been used: it cannot move to another series."],
    }
    assert admin_client.post(url, {**data, "series": series.pk, "code": "used-coupon"}).status_code == 302


def test_the_promo_code_and_stand_alone_forms_keep_a_used_code(admin_client, organizer):
    promo = PromoCodeFactory(series__organizer=organizer, code="USED-PROMO", used_orders=1)
    data = {"organizer": organizer.pk, "code": "new-promo", "name": "P", "value": "5", "active": "on"}
    response = admin_client.post(reverse("admin:vouchers_promocode_change", args=[promo.pk]), data)
    assert form_errors(response) == {"code": ["This promo code has been used: its code cannot change."]}
    alone = CouponFactory(
        series__organizer=organizer, series__kind="standalone", code="USED-ALONE", used_orders=1
    )
    page = admin_client.get(reverse("admin:vouchers_standalonecoupon_change", args=[alone.pk]))
    data = {**page.context["adminform"].form.initial, "code": "new-alone"}
    data = {name: value for name, value in data.items() if value is not None}
    response = admin_client.post(reverse("admin:vouchers_standalonecoupon_change", args=[alone.pk]), data)
    assert form_errors(response)["code"] == ["This coupon has been used: its code cannot change."]
    assert set(Coupon.objects.values_list("code", flat=True)) == {"USED-PROMO", "USED-ALONE"}

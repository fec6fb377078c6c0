"""A code that orders used keeps its text, and a used coupon its series: the orders name that code, and
its uses count against that series' limits. The API answers 409 with the code of the state and the
field (the back office: ``test_admin_code_texts.py``); a code not used yet changes freely."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vouchers.models import CodeText, Coupon
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
ORG = "/api/v1/organizers/demo-org/"


def conflict(code: str, detail: str, field: str) -> tuple[int, dict]:
    return 409, {"code": code, "detail": detail, "field": field}


def answer(response) -> tuple[int, dict]:
    return response.status_code, response.json()


@pytest.mark.parametrize(
    "used", [{"redeemed": 1}, {"budget": Decimal("10"), "budget_used": Decimal("2.50"), "redeemed": 1}]
)
def test_a_redeemed_voucher_keeps_its_code(api, event, used):
    voucher = VoucherFactory(event=event, code="USED-VOUCHER", max_usages=5, **used)
    url = f"{ORG}events/conf/vouchers/{voucher.pk}/"
    assert answer(api.patch(url, {"code": "new-voucher"}, format="json")) == conflict(
        "voucher_redeemed", "This voucher has been redeemed: its code cannot change.", "code"
    )
    response = api.patch(url, {"code": " used-voucher ", "tag": "kept"}, format="json")  # the same code
    assert (response.status_code, response.json()["tag"]) == (200, "kept")
    voucher.refresh_from_db()
    assert (voucher.code, voucher.tag) == ("USED-VOUCHER", "kept")
    assert not CodeText.objects.filter(text="NEW-VOUCHER").exists()


def test_a_voucher_not_redeemed_yet_changes_its_code(api, event):
    voucher = VoucherFactory(event=event, code="FRESH-VOUCHER")
    url = f"{ORG}events/conf/vouchers/{voucher.pk}/"
    response = api.patch(url, {"code": "renamed-voucher"}, format="json")
    assert (response.status_code, response.json()["code"]) == (200, "RENAMED-VOUCHER")
    assert CodeText.objects.filter(text="RENAMED-VOUCHER", holder="voucher").exists()


def test_a_used_coupon_keeps_its_code_and_its_series(api, organizer):
    series = CouponSeriesFactory(organizer=organizer, max_usage=1)
    roomy = CouponSeriesFactory(organizer=organizer)
    coupon = CouponFactory(series=series, code="USED-COUPON", used_orders=1)
    url = f"{ORG}coupons/{coupon.pk}/"
    assert answer(api.patch(url, {"series": roomy.pk}, format="json")) == conflict(
        "coupon_in_use", "This coupon has been used: it cannot move to another series.", "series"
    )
    assert answer(api.patch(url, {"code": "new-coupon"}, format="json")) == conflict(
        "coupon_in_use", "This coupon has been used: its code cannot change.", "code"
    )
    put = {"series": series.pk, "code": "used-coupon", "customer_email": "", "active": False}
    assert api.put(url, put, format="json").status_code == 200  # what was read, sent back
    coupon.refresh_from_db()
    assert (coupon.series_id, coupon.code, coupon.active, coupon.used_orders) == (
        series.pk,
        "USED-COUPON",
        False,
        1,
    )


def test_a_coupon_not_used_yet_changes_its_code_and_series(api, organizer):
    series, other = CouponSeriesFactory(organizer=organizer), CouponSeriesFactory(organizer=organizer)
    coupon = CouponFactory(series=series, code="FRESH-COUPON")
    response = api.patch(f"{ORG}coupons/{coupon.pk}/", {"series": other.pk, "code": "moved"}, format="json")
    assert (response.status_code, response.json()["series"], response.json()["code"]) == (
        200,
        other.pk,
        "MOVED",
    )
    assert set(CodeText.objects.values_list("text", "coupon_id")) == {("MOVED", coupon.pk)}


def test_a_used_promo_code_and_stand_alone_coupon_keep_their_code(api, organizer):
    promo = PromoCodeFactory(series__organizer=organizer, code="USED-PROMO", used_orders=3)
    assert answer(
        api.patch(f"{ORG}promo-codes/{promo.pk}/", {"code": "new-promo"}, format="json")
    ) == conflict("promo_code_in_use", "This promo code has been used: its code cannot change.", "code")
    response = api.patch(f"{ORG}promo-codes/{promo.pk}/", {"code": "used-promo", "value": "7"}, format="json")
    assert (response.status_code, response.json()["value"]) == (200, "7.00")
    alone = CouponFactory(
        series__organizer=organizer, series__kind="standalone", code="USED-ALONE", used_orders=1
    )
    assert answer(api.patch(f"{ORG}coupons/{alone.pk}/", {"code": "new-alone"}, format="json")) == conflict(
        "coupon_in_use", "This coupon has been used: its code cannot change.", "code"
    )
    assert set(Coupon.objects.values_list("code", flat=True)) == {"USED-PROMO", "USED-ALONE"}

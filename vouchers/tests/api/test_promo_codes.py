"""Promo codes API: /api/v1/organizers/<o>/promo-codes/"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ticketing.api.scoping import ORGANIZER_FORBIDDEN
from ticketing.tests.factories import OrganizerFactory
from vouchers.models import CouponSeries, PromoCode, SeriesKind
from vouchers.tests.factories import CouponFactory, PromoCodeFactory, VoucherFactory

URL = "/api/v1/organizers/demo-org/promo-codes/"
FIELDS = {
    "id",
    "code",
    "name",
    "value",
    "percentage",
    "start_date",
    "end_date",
    "active",
    "one_time_use",
    "unlocks",
    "allowed_events",
    "used",
    "created_at",
    "updated_at",
}
NEW_PROMO = {"code": "summer12", "name": "Summer", "value": "12", "percentage": True}


def test_list_is_paginated_with_the_envelope(api, organizer):
    PromoCodeFactory.create_batch(3, series__organizer=organizer)
    CouponFactory(series__organizer=organizer)  # a coupon is not a promo code
    PromoCodeFactory()  # another organizer's
    body = api.get(URL, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2
    assert body["next"].endswith("page=2&page_size=2") and body["previous"] is None
    assert set(body["results"][0]) == FIELDS
    assert api.get(URL, {"page": 3, "page_size": 2}).status_code == 404


def test_code_query_finds_the_promo_code_whatever_its_state(api, organizer):
    now = timezone.now()
    PromoCodeFactory(series__organizer=organizer, code="VALID-NOW")
    PromoCodeFactory(series__organizer=organizer, code="LATER", series__valid_from=now + timedelta(days=1))
    PromoCodeFactory(series__organizer=organizer, code="OVER", series__valid_until=now - timedelta(days=1))
    PromoCodeFactory(series__organizer=organizer, code="SWITCHED-OFF", active=False)
    PromoCodeFactory(series__organizer=organizer, code="USED-ONCE", series__single_usage=True, used_orders=1,
                     active=False)  # fmt: skip
    CouponFactory(series__organizer=organizer, code="A-COUPON")
    PromoCodeFactory(code="ELSEWHERE")  # another organizer's

    def found(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        return [(p["code"], p["active"]) for p in body["results"]]

    assert found(code=" valid-now ") == [("VALID-NOW", True)]
    assert found(code="later") == [("LATER", True)]
    assert found(code="OVER") == [("OVER", True)]
    assert found(code="SWITCHED-OFF") == [("SWITCHED-OFF", False)]
    assert found(code="USED-ONCE") == [("USED-ONCE", False)]
    for code in ("A-COUPON", "ELSEWHERE", "UNKNOWN"):
        assert found(code=code) == [], code
    assert found(code="SWITCHED-OFF", active="true") == []
    assert found(code="SWITCHED-OFF", active="false") == [("SWITCHED-OFF", False)]
    assert found(code="OVER", active="true") == [("OVER", True)]


def test_code_query_needs_permission_to_see_codes(api_for, organizer):
    PromoCodeFactory(series__organizer=organizer, code="SECRET-ONE")
    other_rights = api_for(all_events=True, can_change_items=True, can_view_orders=True)
    response = other_rights.get(URL, {"code": "SECRET-ONE"})
    assert response.status_code == 403
    assert "SECRET-ONE" not in response.content.decode()


def test_filters_and_ordering(api, organizer):
    PromoCodeFactory(series__organizer=organizer, code="BBBBB", series__name="Spring", active=False)
    PromoCodeFactory(series__organizer=organizer, code="AAAAA", series__name="Summer")
    codes = lambda **p: [x["code"] for x in api.get(URL, p).json()["results"]]  # noqa: E731
    assert codes(active="false") == ["BBBBB"]
    assert codes(name="summ") == ["AAAAA"]
    assert codes(ordering="code") == ["AAAAA", "BBBBB"]
    assert codes(ordering="-id") == ["AAAAA", "BBBBB"]
    response = api.get(URL, {"active": "maybe"})
    assert response.status_code == 400 and "active" in response.json()


def test_list_query_count_does_not_grow_with_page_size(api, organizer, django_assert_max_num_queries):
    PromoCodeFactory.create_batch(30, series__organizer=organizer)
    with django_assert_max_num_queries(6):
        assert len(api.get(URL, {"page_size": 30}).json()["results"]) == 30


def test_create_returns_the_full_object(api, organizer):
    response = api.post(URL, {**NEW_PROMO, "end_date": "2030-01-01T00:00:00Z", "one_time_use": True})
    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) == FIELDS
    assert (data["code"], data["value"], data["percentage"], data["one_time_use"]) == (
        "SUMMER12",
        "12.00",
        True,
        True,
    )
    assert data["end_date"] == "2030-01-01T00:00:00Z" and data["active"] is True and data["used"] == 0
    promo = PromoCode.objects.get(pk=data["id"])
    assert promo.series.kind == SeriesKind.PROMO_CODE and promo.series.allow_all_events
    assert not promo.series.can_be_combined


def test_codes_are_unique_ignoring_case_with_coupons(api, organizer, event):
    CouponFactory(series__organizer=organizer, code="SUMMER12")
    response = api.post(URL, NEW_PROMO, format="json")
    assert response.status_code == 400 and "code" in response.json()
    VoucherFactory(event=event, code="VOUCHER-X")
    response = api.post(URL, {**NEW_PROMO, "code": "voucher-x"}, format="json")
    assert response.status_code == 400 and "code" in response.json()
    assert not CouponSeries.objects.filter(kind=SeriesKind.PROMO_CODE).exists()
    PromoCodeFactory(series__organizer=OrganizerFactory(), code="ANOTHER-ORG")
    assert api.post(URL, {**NEW_PROMO, "code": "another-org"}, format="json").status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "abc"}, "code"),
        ({"value": None}, "value"),
        ({"value": "-1"}, "value"),
        ({"value": "101"}, "value"),
        ({"value": "abc"}, "value"),
        ({"percentage": "sometimes"}, "percentage"),
        ({"start_date": "2030-01-02T00:00:00Z", "end_date": "2030-01-01T00:00:00Z"}, "end_date"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_each_validation_error_is_a_400_naming_the_field(api, organizer, change, field):
    response = api.post(URL, {**NEW_PROMO, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not PromoCode.objects.exists()


def test_a_flat_amount_may_exceed_100(api, organizer):
    response = api.post(URL, {**NEW_PROMO, "percentage": False, "value": "150.00"}, format="json")
    assert response.status_code == 201


def test_patch_and_put(api, organizer):
    promo = PromoCodeFactory(
        series__organizer=organizer, code="EDIT-ME", series__name="Old", series__note="n"
    )
    response = api.patch(
        f"{URL}{promo.pk}/", {"name": "New", "percentage": False, "value": "5"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["name"], response.json()["percentage"], response.json()["code"]) == (
        "New",
        False,
        "EDIT-ME",
    )
    response = api.patch(f"{URL}{promo.pk}/", {"value": "150"}, format="json")
    assert response.status_code == 200  # flat: no upper bound
    response = api.patch(f"{URL}{promo.pk}/", {"percentage": True}, format="json")
    assert (
        response.status_code == 400 and "value" in response.json()
    )  # 150 % is checked against merged values
    end = (timezone.now() + timedelta(days=3)).isoformat()
    response = api.put(
        f"{URL}{promo.pk}/", {"code": "edited", "value": "7.5", "end_date": end}, format="json"
    )
    assert response.status_code == 200, response.json()
    promo.refresh_from_db()
    promo.series.refresh_from_db()
    assert (promo.code, promo.series.name, promo.series.discount_value) == ("EDITED", "", Decimal("7.5"))
    assert promo.series.discount_type == "fix" and promo.active


def test_delete_and_409_once_used(api, organizer):
    unused = PromoCodeFactory(series__organizer=organizer)
    assert api.delete(f"{URL}{unused.pk}/").status_code == 204
    assert not CouponSeries.objects.filter(pk=unused.series_id).exists()
    used = PromoCodeFactory(series__organizer=organizer, used_orders=1)
    response = api.delete(f"{URL}{used.pk}/")
    assert response.status_code == 409 and response.json()["code"] == "promo_code_in_use"


def test_anonymous_is_401(anon, organizer):
    assert anon.get(URL).status_code == 401


def test_permissions(api_for, organizer):
    promo = PromoCodeFactory(series__organizer=organizer)
    assert api_for(all_events=True, can_change_items=True).get(URL).status_code == 403
    viewer = api_for(all_events=True, can_view_vouchers=True)
    assert viewer.get(f"{URL}{promo.pk}/").status_code == 200
    assert viewer.post(URL, NEW_PROMO, format="json").status_code == 403
    assert viewer.patch(f"{URL}{promo.pk}/", {"active": False}, format="json").status_code == 403
    assert viewer.delete(f"{URL}{promo.pk}/").status_code == 403


def test_other_organizer_is_403_like_a_nonexistent_one(api, organizer):
    PromoCodeFactory(series__organizer=OrganizerFactory(slug="rival"))
    foreign = api.get("/api/v1/organizers/rival/promo-codes/")
    missing = api.get("/api/v1/organizers/nope/promo-codes/")
    assert foreign.status_code == missing.status_code == 403
    assert foreign.json() == missing.json() == {"code": "permission_denied", "detail": ORGANIZER_FORBIDDEN}


def test_a_promo_code_of_another_organizer_or_a_coupon_is_404(api, organizer):
    for other in (PromoCodeFactory(), CouponFactory(series__organizer=organizer)):
        assert api.get(f"{URL}{other.pk}/").status_code == 404
        assert api.patch(f"{URL}{other.pk}/", {"active": False}, format="json").status_code == 404
        assert api.delete(f"{URL}{other.pk}/").status_code == 404

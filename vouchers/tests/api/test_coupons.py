"""Coupons API: /api/v1/organizers/<o>/coupons/"""

from __future__ import annotations

from ticketing.api.scoping import ORGANIZER_FORBIDDEN
from ticketing.tests.factories import EventFactory, OrganizerFactory
from vouchers.codes import ALPHABET
from vouchers.models import Coupon, CouponEventUsage
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory

URL = "/api/v1/organizers/demo-org/coupons/"
FIELDS = {
    "id",
    "code",
    "series",
    "settings",
    "customer_email",
    "active",
    "used_orders",
    "used_tickets",
    "usage_per_event",
    "created_at",
    "updated_at",
}


def test_list_is_paginated_with_the_envelope(api, organizer, event):
    coupons = CouponFactory.create_batch(3, series__organizer=organizer)
    CouponEventUsage.objects.create(coupon=coupons[0], event=event, orders=2, tickets=5)
    PromoCodeFactory(series__organizer=organizer)  # listed under promo-codes/
    CouponFactory()  # another organizer's
    body = api.get(URL, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2
    assert body["next"].endswith("page=2&page_size=2") and body["previous"] is None
    first = body["results"][0]
    assert set(first) == FIELDS
    assert first["usage_per_event"] == [{"event": "conf", "orders": 2, "tickets": 5}]
    assert api.get(URL, {"page": 3, "page_size": 2}).status_code == 404


def test_filters(api, organizer, event):
    other_event = EventFactory(organizer=organizer, slug="other")
    everywhere = CouponSeriesFactory(organizer=organizer, name="Everywhere")
    only_other = CouponSeriesFactory(
        organizer=organizer, name="Only other", allow_all_events=False, allowed_events=[other_event]
    )
    CouponFactory(series=everywhere, code="ALL-EVENTS-1")
    CouponFactory(series=everywhere, code="ALL-EVENTS-2", active=False)
    CouponFactory(series=only_other, code="OTHER-ONLY")

    def codes(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return sorted(c["code"] for c in response.json()["results"])

    assert codes(code=" all-events-1 ") == ["ALL-EVENTS-1"]
    assert codes(series=only_other.pk) == ["OTHER-ONLY"]
    assert codes(event="conf") == ["ALL-EVENTS-1", "ALL-EVENTS-2"]
    assert codes(event="other") == ["ALL-EVENTS-1", "ALL-EVENTS-2", "OTHER-ONLY"]
    assert codes(active="false") == ["ALL-EVENTS-2"]
    assert codes(name="only") == ["OTHER-ONLY"]


def test_invalid_filter_values_are_a_400_naming_the_parameter(api, organizer):
    EventFactory(slug="foreign")  # another organizer's event is not a valid value
    for param, value in [("active", "maybe"), ("event", "foreign"), ("series", "abc")]:
        response = api.get(URL, {param: value})
        assert response.status_code == 400 and param in response.json(), param


def test_ordering(api, organizer):
    series = CouponSeriesFactory(organizer=organizer)
    CouponFactory(series=series, code="BBBBB", used_orders=1)
    CouponFactory(series=series, code="AAAAA", used_orders=3)
    CouponFactory(series=series, code="CCCCC", used_orders=2)
    codes = lambda ordering: [c["code"] for c in api.get(URL, {"ordering": ordering}).json()["results"]]  # noqa: E731
    assert codes("code") == ["AAAAA", "BBBBB", "CCCCC"]
    assert codes("-used_orders") == ["AAAAA", "CCCCC", "BBBBB"]
    assert codes("-id") == ["CCCCC", "AAAAA", "BBBBB"]


def test_list_query_count_does_not_grow_with_page_size(api, organizer, event, django_assert_max_num_queries):
    for coupon in CouponFactory.create_batch(30, series__organizer=organizer):
        CouponEventUsage.objects.create(coupon=coupon, event=event, orders=1, tickets=1)
    with django_assert_max_num_queries(7):
        assert len(api.get(URL, {"page_size": 30}).json()["results"]) == 30


def test_create_normalises_or_generates_the_code(api, organizer):
    series = CouponSeriesFactory(organizer=organizer)
    response = api.post(URL, {"series": series.pk, "code": " vip-ann ", "customer_email": "ann@example.com"})
    assert response.status_code == 201, response.json()
    assert set(response.json()) == FIELDS
    assert (response.json()["code"], response.json()["active"]) == ("VIP-ANN", True)
    generated = api.post(URL, {"series": series.pk}, format="json").json()["code"]
    assert len(generated) == 16 and set(generated) <= set(ALPHABET)
    assert Coupon.objects.filter(organizer=organizer).count() == 2


def test_codes_are_unique_per_organizer_ignoring_case_across_coupons_and_promo_codes(api, organizer, event):
    series = CouponSeriesFactory(organizer=organizer)
    CouponFactory(series=series, code="TAKEN-COUPON")
    PromoCodeFactory(series__organizer=organizer, code="TAKEN-PROMO")
    VoucherFactory(event=event, code="TAKEN-VOUCHER")
    for code in ("taken-coupon", "Taken-Promo", "taken-voucher"):
        response = api.post(URL, {"series": series.pk, "code": code}, format="json")
        assert response.status_code == 400 and "code" in response.json(), code
    CouponFactory(series__organizer=OrganizerFactory(), code="ELSEWHERE")
    assert api.post(URL, {"series": series.pk, "code": "elsewhere"}, format="json").status_code == 201


def test_each_validation_error_is_a_400_naming_the_field(api, organizer):
    series = CouponSeriesFactory(organizer=organizer)
    promo_series = PromoCodeFactory(series__organizer=organizer).series
    cases = [
        ({"code": "abc"}, "code"),
        ({"code": "a/b/c/d/e"}, "code"),
        ({"customer_email": "nope"}, "customer_email"),
        ({"series": CouponSeriesFactory().pk}, "series"),
        ({"series": promo_series.pk}, "series"),
        ({"series": None}, "settings"),  # stand-alone: it needs its settings
        ({"active": "perhaps"}, "active"),
    ]
    for change, field in cases:
        response = api.post(URL, {"series": series.pk, "code": "VALID-CODE", **change}, format="json")
        assert response.status_code == 400 and field in response.json(), (change, response.json())


def test_patch_and_put(api, organizer):
    series, other_series = CouponSeriesFactory.create_batch(2, organizer=organizer)
    coupon = CouponFactory(series=series, code="EDIT-ME", customer_email="ann@example.com", active=False)
    response = api.patch(f"{URL}{coupon.pk}/", {"code": "edited", "series": other_series.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["code"], response.json()["series"]) == ("EDITED", other_series.pk)
    body = {"series": other_series.pk, "customer_email": "bob@example.com"}
    response = api.put(f"{URL}{coupon.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    coupon.refresh_from_db()
    assert (coupon.code, coupon.customer_email, coupon.active, coupon.series) == (
        "EDITED",
        "bob@example.com",
        True,
        other_series,
    )


def test_delete_and_409_once_used(api, organizer):
    unused = CouponFactory(series__organizer=organizer)
    assert api.delete(f"{URL}{unused.pk}/").status_code == 204
    used = CouponFactory(series__organizer=organizer, used_orders=1)
    response = api.delete(f"{URL}{used.pk}/")
    assert response.status_code == 409 and response.json()["code"] == "coupon_in_use"


def test_anonymous_is_401(anon, organizer):
    assert anon.get(URL).status_code == 401


def test_permissions(api_for, organizer):
    coupon = CouponFactory(series__organizer=organizer)
    assert api_for(all_events=True, can_change_items=True).get(URL).status_code == 403
    viewer = api_for(all_events=True, can_view_vouchers=True)
    assert viewer.get(f"{URL}{coupon.pk}/").status_code == 200
    assert viewer.post(URL, {"series": coupon.series_id}, format="json").status_code == 403
    assert viewer.patch(f"{URL}{coupon.pk}/", {"active": False}, format="json").status_code == 403
    assert viewer.delete(f"{URL}{coupon.pk}/").status_code == 403


def test_other_organizer_is_403_like_a_nonexistent_one(api, organizer):
    CouponFactory(series__organizer=OrganizerFactory(slug="rival"))
    foreign = api.get("/api/v1/organizers/rival/coupons/")
    missing = api.get("/api/v1/organizers/nope/coupons/")
    assert foreign.status_code == missing.status_code == 403
    assert foreign.json() == missing.json() == {"code": "permission_denied", "detail": ORGANIZER_FORBIDDEN}


def test_a_coupon_of_another_organizer_is_404(api, organizer):
    foreign = CouponFactory()
    promo = PromoCodeFactory(series__organizer=organizer)
    for coupon in (foreign, promo):
        assert api.get(f"{URL}{coupon.pk}/").status_code == 404
        assert api.patch(f"{URL}{coupon.pk}/", {"active": False}, format="json").status_code == 404
        assert api.delete(f"{URL}{coupon.pk}/").status_code == 404

"""The event's discount code: /api/v1/organizers/<o>/events/<e>/discount-code/ (GET, PUT, DELETE).

Written from docs/codes.md, "An event's discount code": one designation per event, pointing at a voucher
of the event or a coupon or promo code usable in it; answered as a row of the event's codes."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from ticketing.tests.factories import EventFactory, ItemFactory, OrganizerFactory
from vouchers.models import Coupon, EventDiscountCode, Voucher
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/organizers/demo-org/events/conf/discount-code/"
ROW_FIELDS = {
    "kind",
    "id",
    "code",
    "name",
    "scope",
    "valid_from",
    "valid_until",
    "active",
    "used",
    "max_usages",
}


def test_none_designated_is_a_404_in_the_error_shape(api, event):
    response = api.get(URL)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "This event designates no discount code."}
    assert api.delete(URL).status_code == 404


@pytest.mark.parametrize("designated", [False, True])
def test_options_describes_the_resource_with_or_without_a_designation(api, event, designated):
    """OPTIONS (DRF's metadata looks the object up to describe PUT) answered 500: the URL names no id."""
    if designated:
        VoucherFactory(event=event, code="SHOWN")
        assert api.put(URL, {"code": "SHOWN"}, format="json").status_code == 200
    response = api.options(URL, {"code": "0"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Event Discount Code Instance"


def test_put_designates_a_voucher_by_its_text_in_any_case(api, event):
    voucher = VoucherFactory(event=event, code="EARLY-BIRD", tag="press", max_usages=5)
    response = api.put(URL, {"code": "early-bird"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == ROW_FIELDS
    assert body == {
        "kind": "voucher", "id": voucher.pk, "code": "EARLY-BIRD", "name": "press", "scope": "event",
        "valid_from": None, "valid_until": None, "active": True, "used": 0, "max_usages": 5,
    }  # fmt: skip
    designation = EventDiscountCode.objects.get()
    assert (designation.event, designation.voucher, designation.coupon) == (event, voucher, None)
    assert api.get(URL).json() == body


def test_the_answer_is_the_row_the_event_s_code_list_shows(api, event):
    CouponFactory(series__organizer=event.organizer, code="C-ONE")
    api.put(URL, {"code": "C-ONE"}, format="json")
    [row] = [r for r in api.get("/api/v1/organizers/demo-org/events/conf/codes/").json()["results"]]
    assert api.get(URL).json() == row


def test_put_designates_a_coupon_and_a_promo_code_of_the_organizer(api, event):
    coupon = CouponFactory(series__organizer=event.organizer, series__name="Spring", code="SPRING-1")
    promo = PromoCodeFactory(series__organizer=event.organizer, code="SAVE5")
    response = api.put(URL, {"code": "spring-1"}, format="json")
    assert response.status_code == 200
    assert (response.json()["kind"], response.json()["id"], response.json()["name"]) == (
        "coupon",
        coupon.pk,
        "Spring",
    )
    response = api.put(URL, {"code": "Save5"}, format="json")
    assert response.status_code == 200
    assert (response.json()["kind"], response.json()["id"]) == ("promo_code", promo.pk)
    assert EventDiscountCode.objects.count() == 1  # replaced, not added
    assert EventDiscountCode.objects.get().coupon_id == promo.pk


def test_a_coupon_limited_to_this_event_may_be_designated(api, event):
    coupon = CouponFactory(
        series=CouponSeriesFactory(organizer=event.organizer, allow_all_events=False, allowed_events=[event]),
        code="HERE-ONLY",
    )
    response = api.put(URL, {"code": "HERE-ONLY"}, format="json")
    assert response.status_code == 200 and response.json()["id"] == coupon.pk


def test_unknown_text_is_a_400_naming_the_field_code(api, event):
    VoucherFactory(event=EventFactory(organizer=event.organizer), code="OTHER-EVENT")
    CouponFactory(series__organizer=OrganizerFactory(), code="FOREIGN")
    for text in ("NOPE", "OTHER-EVENT", "FOREIGN"):
        response = api.put(URL, {"code": text}, format="json")
        assert response.status_code == 400, text
        body = response.json()
        assert (body["code"], body["field"]) == ("code_not_found", "code"), body
        assert body["detail"]
    assert not EventDiscountCode.objects.exists()


def test_a_coupon_or_promo_code_not_valid_for_the_event_has_its_own_code(api, event):
    elsewhere = EventFactory(organizer=event.organizer)
    CouponFactory(
        series=CouponSeriesFactory(
            organizer=event.organizer, allow_all_events=False, allowed_events=[elsewhere]
        ),
        code="ELSEWHERE",
    )
    PromoCodeFactory(
        series__organizer=event.organizer, series__allow_all_events=False, code="PROMO-ELSEWHERE"
    )
    for text, kind in (("ELSEWHERE", "coupon"), ("promo-elsewhere", "promo code")):
        response = api.put(URL, {"code": text}, format="json")
        assert response.status_code == 400
        body = response.json()
        assert (body["code"], body["field"]) == ("not_valid_for_event", "code")
        assert kind in body["detail"]
    assert not EventDiscountCode.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [({}, "code"), ({"code": ""}, "code"), ({"code": 5}, "code"), ({"code": "X", "extra": 1}, "extra")],
)
def test_malformed_bodies_are_field_errors(api, event, body, field):
    response = api.put(URL, body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()


def test_delete_removes_the_designation_only(api, event):
    voucher = VoucherFactory(event=event, code="KEEP-ME")
    api.put(URL, {"code": "KEEP-ME"}, format="json")
    response = api.delete(URL)
    assert response.status_code == 204 and response.content == b""
    assert not EventDiscountCode.objects.exists()
    assert Voucher.objects.filter(pk=voucher.pk).exists()
    assert api.get(URL).status_code == 404


def test_deleting_the_code_deletes_the_designation(api, event):
    voucher = VoucherFactory(event=event, code="GONE")
    api.put(URL, {"code": "GONE"}, format="json")
    assert api.delete(f"/api/v1/organizers/demo-org/events/conf/vouchers/{voucher.pk}/").status_code == 204
    assert api.get(URL).status_code == 404
    promo = PromoCodeFactory(series__organizer=event.organizer, code="GONE-TOO")
    api.put(URL, {"code": "GONE-TOO"}, format="json")
    assert api.delete(f"/api/v1/organizers/demo-org/promo-codes/{promo.pk}/").status_code == 204
    assert not EventDiscountCode.objects.exists() and not Coupon.objects.exists()


def test_a_coupon_whose_series_stops_allowing_the_event_stays_designated_but_inactive(api, event, organizer):
    """docs/codes.md: it stays designated until replaced or removed; the row says it is not usable."""
    other = EventFactory(organizer=organizer, slug="other")
    series = CouponSeriesFactory(organizer=organizer)
    CouponFactory(series=series, code="MOVING")
    assert api.put(URL, {"code": "MOVING"}, format="json").json()["active"] is True
    response = api.patch(
        f"/api/v1/organizers/demo-org/coupon-series/{series.pk}/",
        {"allow_all_events": False, "allowed_events": [other.slug]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    row = api.get(URL).json()
    assert (row["code"], row["active"]) == ("MOVING", False)


def test_one_designation_per_event(api, event, organizer):
    EventFactory(organizer=organizer, slug="other")
    CouponFactory(series__organizer=organizer, code="SHARED")
    assert api.put(URL, {"code": "SHARED"}, format="json").status_code == 200
    other = "/api/v1/organizers/demo-org/events/other/discount-code/"
    assert api.put(other, {"code": "SHARED"}, format="json").status_code == 200
    assert EventDiscountCode.objects.count() == 2
    api.delete(other)
    assert api.get(URL).json()["code"] == "SHARED"


def test_it_changes_no_price(api, event):
    voucher = VoucherFactory(event=event, code="TEN", percent=True)
    ItemFactory(event=event)
    api.put(URL, {"code": "TEN"}, format="json")
    voucher.refresh_from_db()
    assert (voucher.price_mode, str(voucher.value), voucher.redeemed) == ("percent", "10.000", 0)


def test_the_designation_and_its_removal_are_in_the_audit_log(api, event):
    first = VoucherFactory(event=event, code="FIRST")
    second = CouponFactory(series__organizer=event.organizer, code="SECOND")
    api.put(URL, {"code": "FIRST"}, format="json")
    api.put(URL, {"code": "SECOND"}, format="json")
    api.put(URL, {"code": "SECOND"}, format="json")  # unchanged: no entry
    api.delete(URL)
    entries = list(AuditEntry.objects.filter(object_type="event_discount_code").order_by("id"))
    assert [e.action for e in entries] == ["created", "changed", "deleted"]
    assert all(e.event_id == event.pk and e.source == "api" for e in entries)
    assert entries[0].changes["voucher_id"] == [None, first.pk]
    assert entries[1].changes["voucher_id"] == [first.pk, None]
    assert entries[1].changes["coupon_id"] == [None, second.pk]
    logs = api.get("/api/v1/organizers/demo-org/logs/", {"object_type": "event_discount_code"}).json()
    assert logs["count"] == 3


def test_permissions(api_for, event, organizer):
    VoucherFactory(event=event, code="V1")
    writer = api_for(all_events=True, can_view_vouchers=True, can_change_vouchers=True)
    assert writer.put(URL, {"code": "V1"}, format="json").status_code == 200
    viewer = api_for(all_events=True, can_view_vouchers=True)
    assert viewer.get(URL).status_code == 200
    assert viewer.put(URL, {"code": "V1"}, format="json").status_code == 403
    assert viewer.delete(URL).status_code == 403
    items_only = api_for(all_events=True, can_change_items=True)
    assert items_only.get(URL).status_code == 403
    limited = api_for(
        all_events=False, limit_events=[event], can_view_vouchers=True, can_change_vouchers=True
    )
    assert limited.get(URL).status_code == 200
    assert limited.delete(URL).status_code == 204
    assert limited.put(URL, {"code": "V1"}, format="json").status_code == 200
    elsewhere = api_for(
        all_events=False, limit_events=[EventFactory(organizer=organizer)], can_view_vouchers=True
    )
    response = elsewhere.get(URL)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_anonymous_is_401(anon, event):
    assert anon.get(URL).status_code == 401


def test_a_limited_team_designates_only_codes_it_reaches(api_for, event, organizer):
    CouponFactory(series__organizer=organizer, code="ORG-WIDE")
    CouponFactory(
        series=CouponSeriesFactory(organizer=organizer, allow_all_events=False, allowed_events=[event]),
        code="MINE",
    )
    limited = api_for(
        all_events=False, limit_events=[event], can_view_vouchers=True, can_change_vouchers=True
    )
    response = limited.put(URL, {"code": "ORG-WIDE"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "code_not_found"
    assert limited.put(URL, {"code": "MINE"}, format="json").status_code == 200

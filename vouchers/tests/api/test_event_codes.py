"""Codes usable in an event: /api/v1/organizers/<o>/events/<e>/codes/ (read-only)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ticketing.api.scoping import ORGANIZER_FORBIDDEN
from ticketing.tests.factories import EventFactory, ItemFactory, OrganizerFactory
from vouchers.models import CouponEventUsage
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory

URL = "/api/v1/organizers/demo-org/events/conf/codes/"
FIELDS = {"kind", "id", "code", "name", "scope", "valid_from", "valid_until", "active", "used", "max_usages"}


def make_codes(event):
    organizer = event.organizer
    other_event = EventFactory(organizer=organizer)
    item = ItemFactory(event=event)
    now = timezone.now()
    codes = {
        "event_voucher": VoucherFactory(event=event, code="V-EVENT", tag="press", max_usages=3, redeemed=1),
        "item_voucher": VoucherFactory(
            event=event, code="V-ITEM", item=item, valid_until=now - timedelta(days=1)
        ),
        "coupon_all": CouponFactory(series__organizer=organizer, series__name="All", code="C-ALL"),
        "coupon_items": CouponFactory(
            series__organizer=organizer,
            series__allow_all_items=False,
            series__allowed_items=[item],
            series__allow_all_events=False,
            series__allowed_events=[event],
            code="C-ITEMS",
            series__max_usage_per_event=1,
        ),
        "promo": PromoCodeFactory(series__organizer=organizer, code="P-ONE", series__single_usage=True),
    }
    CouponEventUsage.objects.create(coupon=codes["coupon_items"], event=event, orders=1, tickets=1)
    VoucherFactory(event=other_event, code="V-ELSEWHERE")
    CouponFactory(
        series=CouponSeriesFactory(organizer=organizer, allow_all_events=False, allowed_events=[other_event])
    )
    CouponFactory(series__organizer=OrganizerFactory())
    return codes


def test_lists_every_kind_usable_in_the_event(api, event):
    make_codes(event)
    body = api.get(URL).json()
    assert body["count"] == 5
    rows = {r["code"]: r for r in body["results"]}
    assert [r["code"] for r in body["results"]] == ["V-EVENT", "V-ITEM", "C-ALL", "C-ITEMS", "P-ONE"]
    assert set(body["results"][0]) == FIELDS
    assert rows["V-EVENT"] | {"id": 0} == {
        "kind": "voucher",
        "id": 0,
        "code": "V-EVENT",
        "name": "press",
        "scope": "event",
        "valid_from": None,
        "valid_until": None,
        "active": True,
        "used": 1,
        "max_usages": 3,
    }
    assert (rows["V-ITEM"]["scope"], rows["V-ITEM"]["active"]) == ("items", False)
    assert (rows["C-ALL"]["kind"], rows["C-ALL"]["scope"], rows["C-ALL"]["active"]) == (
        "coupon",
        "event",
        True,
    )
    assert (rows["C-ITEMS"]["scope"], rows["C-ITEMS"]["active"]) == ("items", False)  # used up in this event
    assert (rows["P-ONE"]["kind"], rows["P-ONE"]["max_usages"]) == ("promo_code", 1)


def test_pagination_across_both_tables(api, event):
    make_codes(event)
    pages = [api.get(URL, {"page_size": 2, "page": n}).json() for n in (1, 2, 3)]
    assert [[r["code"] for r in p["results"]] for p in pages] == [
        ["V-EVENT", "V-ITEM"],
        ["C-ALL", "C-ITEMS"],
        ["P-ONE"],
    ]
    assert pages[0]["next"].endswith("page=2&page_size=2") and pages[2]["next"] is None
    assert api.get(URL, {"page_size": 2, "page": 4}).status_code == 404


def test_filters(api, event):
    make_codes(event)
    codes = lambda **p: [r["code"] for r in api.get(URL, p).json()["results"]]  # noqa: E731
    assert codes(kind="voucher") == ["V-EVENT", "V-ITEM"]
    assert codes(kind="coupon") == ["C-ALL", "C-ITEMS"]
    assert codes(kind="promo_code") == ["P-ONE"]
    assert codes(active="true") == ["V-EVENT", "C-ALL", "P-ONE"]
    assert codes(active="false") == ["V-ITEM", "C-ITEMS"]
    assert codes(active="true", kind="coupon") == ["C-ALL"]


def test_invalid_filter_values_are_a_400_naming_the_parameter(api, event):
    for param, value in [("kind", "gift"), ("active", "maybe")]:
        response = api.get(URL, {param: value})
        assert response.status_code == 400 and param in response.json()


def test_list_query_count_does_not_grow_with_page_size(api, event, django_assert_max_num_queries):
    VoucherFactory.create_batch(15, event=event)
    CouponFactory.create_batch(15, series__organizer=event.organizer)
    # four queries of the list itself: a count and one page slice per table (vouchers, coupons + promo codes)
    with django_assert_max_num_queries(9):
        assert len(api.get(URL, {"page_size": 30}).json()["results"]) == 30


def test_read_only(api, event):
    assert api.post(URL, {}, format="json").status_code == 405


def test_anonymous_is_401(anon, event):
    assert anon.get(URL).status_code == 401


def test_needs_the_view_permission_for_the_event(api_for, event, organizer):
    assert api_for(all_events=True, can_change_items=True).get(URL).status_code == 403
    other = EventFactory(organizer=organizer)
    limited = api_for(all_events=False, limit_events=[other], can_view_vouchers=True)
    assert limited.get(URL).status_code == 403
    assert api_for(all_events=False, limit_events=[event], can_view_vouchers=True).get(URL).status_code == 200


def test_other_organizer_is_403_like_a_nonexistent_one(api, event):
    EventFactory(organizer=OrganizerFactory(slug="rival"), slug="conf")
    foreign = api.get("/api/v1/organizers/rival/events/conf/codes/")
    missing = api.get("/api/v1/organizers/nope/events/conf/codes/")
    assert foreign.status_code == missing.status_code == 403
    assert foreign.json() == missing.json() == {"code": "permission_denied", "detail": ORGANIZER_FORBIDDEN}


def test_a_team_limited_to_the_event_sees_its_vouchers_but_not_the_organizer_s_coupons(
    api_for, organizer, event
):
    VoucherFactory(event=event, code="EVENT-VOUCHER")
    CouponFactory(series__organizer=organizer, code="ORG-COUPON")
    PromoCodeFactory(series__organizer=organizer, code="ORG-PROMO")
    limited = api_for(all_events=False, limit_events=[event], can_view_vouchers=True)
    assert limited.get("/api/v1/organizers/demo-org/coupons/").json()["count"] == 0  # organizer-wide ones
    for query in ("", "?kind=coupon", "?kind=promo_code"):
        codes = [row["code"] for row in limited.get(URL + query).json()["results"]]
        assert codes == ([] if query else ["EVENT-VOUCHER"]), query
    everything = api_for(all_events=True, can_view_vouchers=True).get(URL).json()
    assert sorted(row["code"] for row in everything["results"]) == [
        "EVENT-VOUCHER",
        "ORG-COUPON",
        "ORG-PROMO",
    ]

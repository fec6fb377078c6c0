"""Teams limited to some events (Open Event's co-organizer) and coupon series, coupons and promo codes.

From docs/codes.md, "Teams limited to some events": such a team reaches the series whose
``allow_all_events`` is false and whose ``allowed_events`` are all among its events (``can_view_vouchers``
to read, ``can_change_vouchers`` to write, on each of them); others are left out of lists and are a 404;
making one reach outside its events is a 403 naming the events. Teams with all events are unchanged."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from ticketing.tests.factories import EventFactory, ItemFactory, TeamFactory, UserFactory
from vouchers.models import Coupon, CouponSeries, EventDiscountCode
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory

pytestmark = pytest.mark.django_db
ORG = "/api/v1/organizers/demo-org/"
SERIES = f"{ORG}coupon-series/"
COUPONS = f"{ORG}coupons/"
PROMOS = f"{ORG}promo-codes/"
NEW = {"name": "Co-organizer deal", "discount_type": "percent", "discount_value": "10"}
WRITE = {"can_view_vouchers": True, "can_change_vouchers": True}


@pytest.fixture
def other(organizer):
    return EventFactory(organizer=organizer, slug="other")


@pytest.fixture
def limited(api_for, event):
    return api_for(all_events=False, limit_events=[event], **WRITE)


def in_events(organizer, *events, **kwargs) -> CouponSeries:
    return CouponSeriesFactory(
        organizer=organizer, allow_all_events=False, allowed_events=list(events), **kwargs
    )


def test_creates_a_series_limited_to_its_event_with_several_items(limited, event):
    first, second = ItemFactory(event=event), ItemFactory(event=event)
    body = {
        **NEW,
        "allow_all_events": False,
        "allowed_events": ["conf"],
        "allow_all_items": False,
        "allowed_items": [first.pk, second.pk],
    }
    response = limited.post(SERIES, body, format="json")
    assert response.status_code == 201, response.json()
    series = CouponSeries.objects.get(pk=response.json()["id"])
    assert list(series.allowed_events.all()) == [event]
    assert set(series.allowed_items.all()) == {first, second}
    generated = limited.post(f"{SERIES}{series.pk}/generate/", {"count": 3}, format="json")
    assert generated.status_code == 201 and series.coupons.count() == 3
    coupon = limited.post(COUPONS, {"series": series.pk, "code": "CO-ORG"}, format="json")
    assert coupon.status_code == 201, coupon.json()
    assert limited.get(f"{SERIES}{series.pk}/export/").status_code == 200
    imported = limited.generic(
        "POST", f"{SERIES}{series.pk}/import/", "code\nCO-ORG-2\n", content_type="text/csv"
    )
    assert imported.status_code == 201 and series.coupons.count() == 5
    assert limited.patch(f"{SERIES}{series.pk}/", {"name": "Renamed"}, format="json").status_code == 200
    assert (
        limited.patch(f"{SERIES}{series.pk}/items/", {"allow_all_items": True}, format="json").status_code
        == 200
    )
    assert limited.delete(f"{COUPONS}{coupon.json()['id']}/").status_code == 204
    assert limited.delete(f"{SERIES}{series.pk}/").status_code == 204
    assert not CouponSeries.objects.exists() and not Coupon.objects.exists()


def test_cannot_reach_another_event(limited, event, other):
    cases = [
        ({**NEW}, None),  # allow_all_events defaults to true
        ({**NEW, "allow_all_events": True}, None),
        ({**NEW, "allow_all_events": False, "allowed_events": ["conf", "other"]}, ["other"]),
        ({**NEW, "allow_all_events": False, "allowed_events": ["no-such-event"]}, ["no-such-event"]),
    ]
    for body, named in cases:
        response = limited.post(SERIES, body, format="json")
        assert response.status_code == 403, (body, response.json())
        answer = response.json()
        assert answer["code"] == "permission_denied"
        if named is None:
            assert "all events" in answer["detail"] and "conf" in answer["detail"]
        else:
            assert answer["events"] == named and all(slug in answer["detail"] for slug in named)
    assert not CouponSeries.objects.exists()


def test_cannot_widen_its_series(limited, organizer, event, other):
    series = in_events(organizer, event)
    url = f"{SERIES}{series.pk}/"
    response = limited.patch(url, {"allowed_events": ["conf", "other"]}, format="json")
    assert response.status_code == 403 and response.json()["events"] == ["other"]
    response = limited.patch(url, {"allow_all_events": True}, format="json")
    assert response.status_code == 403
    response = limited.put(url, {**NEW}, format="json")  # PUT: allow_all_events back to its default, true
    assert response.status_code == 403
    series.refresh_from_db()
    assert not series.allow_all_events and list(series.allowed_events.all()) == [event]
    other_item = ItemFactory(event=other)
    response = limited.patch(f"{url}items/", {"items": [other_item.pk]}, format="json")
    assert response.status_code == 400 and "items" in response.json()  # an item it does not see


def test_does_not_see_others_series(limited, organizer, event, other):
    mine = in_events(organizer, event, name="Mine")
    organizer_wide = CouponSeriesFactory(organizer=organizer, name="Everywhere")
    theirs = in_events(organizer, other, name="Theirs")
    shared = in_events(organizer, event, other, name="Shared")
    body = limited.get(SERIES).json()
    assert [s["name"] for s in body["results"]] == ["Mine"] and body["count"] == 1
    for series in (organizer_wide, theirs, shared):
        url = f"{SERIES}{series.pk}/"
        assert limited.get(url).status_code == 404
        assert limited.patch(url, {"name": "x"}, format="json").status_code == 404
        assert limited.delete(url).status_code == 404
        assert limited.get(f"{url}items/").status_code == 404
        assert limited.post(f"{url}generate/", {"count": 1}, format="json").status_code == 404
        assert limited.get(f"{url}export/").status_code == 404
    CouponFactory(series=mine, code="MINE-1")
    hidden = CouponFactory(series=theirs, code="THEIRS-1")
    CouponFactory(series=organizer_wide, code="WIDE-1")
    assert [c["code"] for c in limited.get(COUPONS).json()["results"]] == ["MINE-1"]
    assert limited.get(f"{COUPONS}{hidden.pk}/").status_code == 404
    response = limited.post(COUPONS, {"series": theirs.pk, "code": "SNEAK"}, format="json")
    assert response.status_code == 400 and "series" in response.json()
    codes = limited.get(f"{ORG}events/conf/codes/").json()["results"]
    assert [c["code"] for c in codes] == ["MINE-1"]


def test_promo_codes_limited_to_its_events(limited, organizer, event, other):
    mine = PromoCodeFactory(
        series__organizer=organizer,
        series__allow_all_events=False,
        series__allowed_events=[event],
        code="MY-PROMO",
    )
    PromoCodeFactory(series__organizer=organizer, code="ORG-PROMO")
    assert [p["code"] for p in limited.get(PROMOS).json()["results"]] == ["MY-PROMO"]
    assert limited.patch(f"{PROMOS}{mine.pk}/", {"name": "Mine"}, format="json").status_code == 200
    item = ItemFactory(event=event)
    assert limited.patch(f"{PROMOS}{mine.pk}/items/", {"items": [item.pk]}, format="json").status_code == 200
    # a new promo code is valid for every event: refused to a team limited to some
    response = limited.post(PROMOS, {"code": "NEW-PROMO", "value": "5"}, format="json")
    assert response.status_code == 403 and "all events" in response.json()["detail"]
    assert limited.delete(f"{PROMOS}{mine.pk}/").status_code == 204


def test_reading_and_writing_need_the_permission_on_each_event(organizer, event, other):
    both = in_events(organizer, event, other, name="Both")
    mine = in_events(organizer, event, name="Mine")
    # a user in two teams: changes codes of conf, only views those of other
    user = UserFactory()
    TeamFactory(organizer=organizer, all_events=False, limit_events=[event], members=[user], **WRITE)
    TeamFactory(
        organizer=organizer, all_events=False, limit_events=[other], members=[user], can_view_vouchers=True
    )
    client = APIClient()
    client.force_login(user)
    assert [s["name"] for s in client.get(SERIES).json()["results"]] == ["Both", "Mine"]
    response = client.patch(f"{SERIES}{both.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied" and response.json()["events"] == ["other"]
    assert client.delete(f"{SERIES}{both.pk}/").status_code == 403
    assert client.post(f"{SERIES}{both.pk}/generate/", {"count": 1}, format="json").status_code == 403
    assert client.patch(f"{SERIES}{mine.pk}/", {"name": "y"}, format="json").status_code == 200
    body = {**NEW, "allow_all_events": False, "allowed_events": ["conf", "other"]}
    response = client.post(SERIES, body, format="json")
    assert response.status_code == 403 and response.json()["events"] == ["other"]
    assert CouponSeries.objects.get(pk=both.pk).name != "x" and CouponSeries.objects.count() == 2


def test_a_viewer_limited_to_its_event_reads_but_does_not_write(api_for, organizer, event):
    series = in_events(organizer, event)
    viewer = api_for(all_events=False, limit_events=[event], can_view_vouchers=True)
    assert viewer.get(SERIES).json()["count"] == 1
    assert viewer.get(f"{SERIES}{series.pk}/items/").status_code == 200
    body = {**NEW, "allow_all_events": False, "allowed_events": ["conf"]}
    assert viewer.post(SERIES, body, format="json").status_code == 403
    assert viewer.delete(f"{SERIES}{series.pk}/").status_code == 403


def test_teams_with_all_events_are_unchanged(api, organizer, event, other):
    CouponSeriesFactory(organizer=organizer)
    in_events(organizer, other)
    assert api.get(SERIES).json()["count"] == 2
    assert api.post(SERIES, NEW, format="json").status_code == 201


def test_gift_cards_still_need_all_events(limited):
    assert limited.get(f"{ORG}giftcards/").status_code == 403


def test_a_limited_team_designates_a_code_of_its_series(limited, organizer, event):
    CouponFactory(series=in_events(organizer, event), code="EVENT-DEAL")
    response = limited.put(f"{ORG}events/conf/discount-code/", {"code": "event-deal"}, format="json")
    assert response.status_code == 200 and response.json()["code"] == "EVENT-DEAL"
    assert EventDiscountCode.objects.get().coupon.code == "EVENT-DEAL"


def test_a_limited_team_creates_and_changes_promo_codes_of_its_events(limited, organizer, event, other):
    response = limited.post(
        PROMOS, {"code": "CO-PROMO", "value": "5", "allowed_events": ["conf"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["allowed_events"] == ["conf"]
    promo_id = response.json()["id"]
    series = CouponSeries.objects.get(coupons__pk=promo_id)
    assert not series.allow_all_events and list(series.allowed_events.all()) == [event]
    for body in ({"allowed_events": ["other"]}, {"allowed_events": []}):
        response = limited.patch(f"{PROMOS}{promo_id}/", body, format="json")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied", body
    response = limited.put(f"{PROMOS}{promo_id}/", {"code": "CO-PROMO", "value": "6"}, format="json")
    assert response.status_code == 403  # PUT without allowed_events: every event
    response = limited.post(
        PROMOS, {"code": "X-PROMO", "value": "5", "allowed_events": ["conf", "other"]}, format="json"
    )
    assert response.status_code == 403 and response.json()["events"] == ["other"]
    assert limited.patch(f"{PROMOS}{promo_id}/", {"value": "7"}, format="json").status_code == 200


def test_a_limited_team_follows_the_jobs_of_its_series_only(
    limited, api, organizer, event, other, settings, django_capture_on_commit_callbacks
):
    settings.JOB_THRESHOLD_GENERATE = 5
    mine, theirs = in_events(organizer, event), in_events(organizer, other)
    with django_capture_on_commit_callbacks(execute=True):
        response = limited.post(f"{SERIES}{mine.pk}/generate/", {"count": 6}, format="json")
        hidden = api.post(f"{SERIES}{theirs.pk}/generate/", {"count": 6}, format="json")
    assert response.status_code == 202 and hidden.status_code == 202
    job = limited.get(response["Location"])
    assert job.status_code == 200 and job.json()["state"] == "succeeded", job.json()
    assert [j["id"] for j in limited.get(f"{ORG}jobs/").json()["results"]] == [response.json()["id"]]
    assert limited.get(hidden["Location"]).status_code == 404
    assert api.get(f"{ORG}jobs/").json()["count"] == 2
    exported = limited.get(f"{SERIES}{mine.pk}/export/", {"async": "true"})
    assert exported.status_code == 202
    assert limited.get(exported["Location"]).status_code == 200

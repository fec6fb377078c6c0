"""Stand-alone coupons and decouple/ on /api/v1/organizers/<o>/coupons/ (issue 13, point 4)."""

from __future__ import annotations

from audit.models import AuditEntry
from ticketing.tests.factories import EventFactory, ItemFactory, OrganizerFactory
from vouchers.models import Coupon, CouponEventUsage, CouponSeries, SeriesKind
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory

URL = "/api/v1/organizers/demo-org/coupons/"
SERIES_URL = "/api/v1/organizers/demo-org/coupon-series/"
SETTINGS = {"name": "Solo", "discount_type": "percent", "discount_value": "10"}
SETTINGS_FIELDS = {
    "name", "active", "single_usage", "max_usage", "max_usage_per_event", "max_tickets", "can_be_combined",
    "discount_type", "discount_value", "discount_max_value", "allow_all_events", "allowed_events",
    "allow_all_items", "allowed_items", "valid_from", "valid_until", "min_tickets_in_cart",
    "max_tickets_in_cart", "tags", "reveal_allowed_items", "unlocks", "note",
}  # fmt: skip


def create(api, **body):
    return api.post(URL, {"code": "SOLO-CODE", "settings": SETTINGS, **body}, format="json")


def test_a_coupon_without_a_series_is_stand_alone_with_its_settings(api, organizer, event):
    hidden = ItemFactory(event=event, hidden=True)
    settings = {
        **SETTINGS, "allow_all_events": False, "allowed_events": ["conf"], "unlocks": [hidden.pk],
        "tags": ["solo"], "max_usage": 3,
    }  # fmt: skip
    response = api.post(
        URL, {"code": "solo-code", "settings": settings, "customer_email": "ann@example.com"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["series"], body["code"], body["customer_email"]) == (None, "SOLO-CODE", "ann@example.com")
    assert set(body["settings"]) == SETTINGS_FIELDS
    assert body["settings"]["unlocks"] == [hidden.pk]
    assert body["settings"]["allowed_events"] == ["conf"]
    assert (body["settings"]["discount_value"], body["settings"]["max_usage"]) == ("10.00", 3)
    coupon = Coupon.objects.get(pk=body["id"])
    assert coupon.series.kind == SeriesKind.STANDALONE and coupon.series.coupons.count() == 1
    assert list(coupon.series.unlocks.all()) == [hidden]
    assert api.get(f"{URL}{coupon.pk}/").json() == body
    # its private series is no coupon series
    assert api.get(SERIES_URL).json()["count"] == 0
    assert api.get(f"{SERIES_URL}{coupon.series_id}/").status_code == 404


def test_a_series_coupon_says_settings_null(api, organizer):
    series = CouponSeriesFactory(organizer=organizer)
    response = api.post(URL, {"series": series.pk, "code": "IN-SERIES"}, format="json")
    assert response.status_code == 201
    assert (response.json()["series"], response.json()["settings"]) == (series.pk, None)


def test_create_errors(api, organizer, event):
    series = CouponSeriesFactory(organizer=organizer)
    other_item = ItemFactory(event=EventFactory(organizer=OrganizerFactory()))
    other_event_item = ItemFactory(event=EventFactory(organizer=organizer, slug="other"))
    cases = [
        ({"settings": None}, "settings", None),
        ({"series": None, "settings": None}, "settings", None),
        ({"series": series.pk}, "settings", None),  # both
        ({"settings": {**SETTINGS, "discount_value": "120"}}, "settings", "discount_value"),
        ({"settings": {"name": "No value"}}, "settings", "discount_value"),
        ({"settings": {**SETTINGS, "unlocks": [other_item.pk]}}, "settings", "unlocks"),
        ({"settings": {**SETTINGS, "unlocks": [other_event_item.pk], "allow_all_events": False,
                       "allowed_events": ["conf"]}}, "settings", "unlocks"),
        ({"settings": {**SETTINGS, "allow_all_items": False}}, "settings", "allowed_items"),
        ({"settings": {**SETTINGS, "bogus": 1}}, "settings", "bogus"),
    ]  # fmt: skip
    for change, field, inner in cases:
        response = create(api, **change)
        assert response.status_code == 400, (change, response.json())
        assert field in response.json(), (change, response.json())
        if inner is not None:
            assert inner in response.json()[field], (change, response.json())
    assert (
        Coupon.objects.count() == 0 and CouponSeries.objects.filter(kind=SeriesKind.STANDALONE).count() == 0
    )


def test_create_without_settings_body(api, organizer):
    response = api.post(URL, {"code": "NO-SETTINGS"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"settings": ["A coupon without a series is stand-alone: give its settings."]}


def test_patch_changes_only_the_named_settings_and_put_replaces_them(api, organizer, event):
    item = ItemFactory(event=event)
    coupon_id = create(api, settings={**SETTINGS, "max_usage": 5, "unlocks": [item.pk]}).json()["id"]
    response = api.patch(
        f"{URL}{coupon_id}/", {"settings": {"discount_value": "20"}, "active": False}, format="json"
    )
    assert response.status_code == 200, response.json()
    settings = response.json()["settings"]
    assert (settings["discount_value"], settings["max_usage"], settings["unlocks"]) == ("20.00", 5, [item.pk])
    assert response.json()["active"] is False
    assert api.patch(f"{URL}{coupon_id}/", {"settings": {"discount_value": "101"}}, format="json").json() == {
        "settings": {"discount_value": ["A percentage must be between 0 and 100."]}
    }
    response = api.put(f"{URL}{coupon_id}/", {"settings": {**SETTINGS, "name": "Replaced"}}, format="json")
    assert response.status_code == 200, response.json()
    settings = response.json()["settings"]
    assert (settings["name"], settings["max_usage"], settings["unlocks"]) == ("Replaced", None, [])
    assert response.json()["code"] == "SOLO-CODE"  # a PUT without a code keeps it
    # a PATCH without settings keeps them; series null is accepted, a series is not
    assert api.patch(f"{URL}{coupon_id}/", {"series": None}, format="json").status_code == 200
    series = CouponSeriesFactory(organizer=organizer)
    response = api.patch(f"{URL}{coupon_id}/", {"series": series.pk}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["series"])
    response = api.patch(f"{URL}{coupon_id}/", {"series": series.pk, "settings": SETTINGS}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["settings"])
    assert Coupon.objects.get(pk=coupon_id).series.kind == SeriesKind.STANDALONE


def test_settings_on_a_series_coupon_are_refused(api, organizer):
    coupon = CouponFactory(series__organizer=organizer)
    response = api.patch(f"{URL}{coupon.pk}/", {"settings": SETTINGS}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "settings": ["This coupon takes its settings from its series; decouple it first."]
    }
    response = api.patch(f"{URL}{coupon.pk}/", {"series": None}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["series"])
    coupon.refresh_from_db()
    assert coupon.series.kind == SeriesKind.COUPON


def test_filters_series_and_standalone(api, organizer):
    series = CouponSeriesFactory(organizer=organizer)
    CouponFactory(series=series, code="IN-SERIES")
    create(api)
    PromoCodeFactory(series__organizer=organizer, code="A-PROMO")

    def codes(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return sorted(c["code"] for c in response.json()["results"])

    assert codes() == ["IN-SERIES", "SOLO-CODE"]
    assert codes(standalone="true") == ["SOLO-CODE"]
    assert codes(standalone="false") == ["IN-SERIES"]
    assert codes(series=series.pk) == ["IN-SERIES"]
    assert api.get(URL, {"standalone": "perhaps"}).status_code == 400


def test_delete_takes_the_private_series(api, organizer):
    coupon_id = create(api).json()["id"]
    series_id = Coupon.objects.get(pk=coupon_id).series_id
    assert api.delete(f"{URL}{coupon_id}/").status_code == 204
    assert not Coupon.objects.filter(pk=coupon_id).exists()
    assert not CouponSeries.objects.filter(pk=series_id).exists()
    used = Coupon.objects.get(pk=create(api, code="USED-SOLO").json()["id"])
    Coupon.objects.filter(pk=used.pk).update(used_orders=1)
    response = api.delete(f"{URL}{used.pk}/")
    assert (response.status_code, response.json()["code"]) == (409, "coupon_in_use")
    assert CouponSeries.objects.filter(pk=used.series_id).exists()


def test_decouple_copies_the_settings_and_keeps_code_and_usage(api, organizer, event):
    item, hidden = ItemFactory(event=event), ItemFactory(event=event, hidden=True)
    series = CouponSeriesFactory(
        organizer=organizer, name="Campaign", discount_value="15", max_usage=4, tags=["spring"],
        allow_all_events=False, allowed_events=[event], allow_all_items=False, allowed_items=[item],
        reveal_allowed_items=True, note="n",
    )  # fmt: skip
    series.unlocks.set([hidden])
    coupon = CouponFactory(series=series, code="GO-ALONE", customer_email="cy@example.com", active=False)
    Coupon.objects.filter(pk=coupon.pk).update(used_orders=2, used_tickets=3)
    CouponEventUsage.objects.create(coupon=coupon, event=event, orders=2, tickets=3)
    sibling = CouponFactory(series=series, code="STAYS-IN")

    response = api.post(f"{URL}{coupon.pk}/decouple/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["series"], body["code"], body["customer_email"], body["active"]) == (
        coupon.pk, None, "GO-ALONE", "cy@example.com", False
    )  # fmt: skip
    assert (body["used_orders"], body["used_tickets"]) == (2, 3)
    assert body["usage_per_event"] == [{"event": "conf", "orders": 2, "tickets": 3}]
    settings = body["settings"]
    assert (settings["name"], settings["discount_value"], settings["max_usage"], settings["tags"]) == (
        "Campaign", "15.00", 4, ["spring"]
    )  # fmt: skip
    assert (settings["allowed_events"], settings["allowed_items"], settings["unlocks"]) == (
        ["conf"], [item.pk], [hidden.pk]
    )  # fmt: skip
    assert (settings["reveal_allowed_items"], settings["note"], settings["allow_all_items"]) == (
        True,
        "n",
        False,
    )
    assert list(series.coupons.all()) == [sibling]
    assert api.get(f"{SERIES_URL}{series.pk}/").json()["coupon_count"] == 1
    # the series changes no longer reach it
    assert api.patch(f"{SERIES_URL}{series.pk}/", {"discount_value": "50"}, format="json").status_code == 200
    assert api.get(f"{URL}{coupon.pk}/").json()["settings"]["discount_value"] == "15.00"
    assert api.get(URL, {"series": series.pk}).json()["count"] == 1
    # recorded: the coupon moved to its new series
    moved = AuditEntry.objects.filter(object_type="coupon", object_id=str(coupon.pk), action="changed")
    assert [entry.changes["series_id"][0] for entry in moved if "series_id" in entry.changes] == [series.pk]
    private = Coupon.objects.get(pk=coupon.pk).series
    assert AuditEntry.objects.filter(
        object_type="coupon_series", object_id=str(private.pk), action="created"
    ).exists()


def test_decoupling_a_stand_alone_coupon_is_a_409(api, organizer):
    coupon_id = create(api).json()["id"]
    response = api.post(f"{URL}{coupon_id}/decouple/")
    assert response.status_code == 409
    assert response.json()["code"] == "already_standalone"
    assert CouponSeries.objects.filter(kind=SeriesKind.STANDALONE).count() == 1


def test_decouple_of_an_unknown_or_foreign_coupon_is_a_404(api, organizer):
    assert api.post(f"{URL}999999/decouple/").status_code == 404
    foreign = CouponFactory()
    assert api.post(f"{URL}{foreign.pk}/decouple/").status_code == 404
    promo = PromoCodeFactory(series__organizer=organizer)
    assert api.post(f"{URL}{promo.pk}/decouple/").status_code == 404  # a promo code is no coupon here


def test_decouple_needs_the_change_permission(api_for, organizer):
    coupon = CouponFactory(series__organizer=organizer)
    reader = api_for(all_events=True, can_view_vouchers=True)
    assert reader.post(f"{URL}{coupon.pk}/decouple/").status_code == 403
    coupon.refresh_from_db()
    assert coupon.series.kind == SeriesKind.COUPON


def test_the_coupon_series_api_takes_unlocks(api, organizer, event):
    hidden = ItemFactory(event=event, hidden=True)
    body = {"name": "Unlocking", "discount_value": "5", "unlocks": [hidden.pk]}
    response = api.post(SERIES_URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["unlocks"] == [hidden.pk]
    foreign = ItemFactory(event=EventFactory(organizer=OrganizerFactory()))
    response = api.post(SERIES_URL, {**body, "unlocks": [foreign.pk]}, format="json")
    assert response.status_code == 400 and "unlocks" in response.json()
    elsewhere = ItemFactory(event=EventFactory(organizer=organizer, slug="elsewhere"))
    limited = {**body, "allow_all_events": False, "allowed_events": ["conf"], "unlocks": [elsewhere.pk]}
    response = api.post(SERIES_URL, limited, format="json")
    assert response.json() == {"unlocks": [f"Item {elsewhere.pk} belongs to an event that is not allowed."]}
    series_id = api.post(SERIES_URL, body, format="json").json()["id"]
    limit = {"allow_all_events": False, "allowed_events": ["elsewhere"]}
    response = api.patch(f"{SERIES_URL}{series_id}/", limit, format="json")
    assert response.status_code == 400 and "unlocks" in response.json()


def test_the_promo_codes_api_takes_unlocks(api, organizer, event):
    promo_url = "/api/v1/organizers/demo-org/promo-codes/"
    hidden = ItemFactory(event=event, hidden=True)
    body = {"code": "PROMO-UNLOCK", "value": "5", "unlocks": [hidden.pk]}
    response = api.post(promo_url, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["unlocks"] == [hidden.pk]
    promo_id = response.json()["id"]
    assert list(Coupon.objects.get(pk=promo_id).series.unlocks.all()) == [hidden]
    assert api.patch(f"{promo_url}{promo_id}/", {"unlocks": []}, format="json").json()["unlocks"] == []
    foreign = ItemFactory(event=EventFactory(organizer=OrganizerFactory()))
    response = api.patch(f"{promo_url}{promo_id}/", {"unlocks": [foreign.pk]}, format="json")
    assert response.status_code == 400 and "unlocks" in response.json()


def test_the_list_takes_as_many_queries_for_many_stand_alone_coupons_as_for_one(api, organizer, event):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    item = ItemFactory(event=event, hidden=True)
    settings = {**SETTINGS, "allow_all_events": False, "allowed_events": ["conf"], "unlocks": [item.pk]}
    create(api, settings=settings, code="FIRST-SOLO")
    with CaptureQueriesContext(connection) as one:
        assert api.get(URL).status_code == 200
    for n in range(5):
        create(api, settings=settings, code=f"MORE-SOLO-{n}")
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(URL).json()["results"]) == 6
    assert len(many) == len(one)


def test_a_team_limited_to_some_events_keeps_stand_alone_coupons_in_them(api_for, organizer, event):
    EventFactory(organizer=organizer, slug="other")
    write = {"can_view_vouchers": True, "can_change_vouchers": True}
    limited = api_for(all_events=False, limit_events=[event], **write)
    everywhere = limited.post(URL, {"code": "EVERYWHERE", "settings": SETTINGS}, format="json")
    assert (everywhere.status_code, everywhere.json()["code"]) == (403, "permission_denied")
    outside = {**SETTINGS, "allow_all_events": False, "allowed_events": ["other"]}
    response = limited.post(URL, {"code": "OUTSIDE", "settings": outside}, format="json")
    assert response.status_code == 403 and response.json()["events"] == ["other"]
    mine = {**SETTINGS, "allow_all_events": False, "allowed_events": ["conf"]}
    response = limited.post(URL, {"code": "MINE-ONLY", "settings": mine}, format="json")
    assert response.status_code == 201, response.json()
    coupon_id = response.json()["id"]
    assert limited.get(URL).json()["count"] == 1
    widened = limited.patch(f"{URL}{coupon_id}/", {"settings": {"allow_all_events": True}}, format="json")
    assert widened.status_code == 403
    renamed = limited.patch(f"{URL}{coupon_id}/", {"settings": {"name": "Mine"}}, format="json")
    assert renamed.status_code == 200
    # a stand-alone coupon of every event is out of its sight
    hidden_one = create(api_for(all_events=True, **write))
    assert limited.get(f"{URL}{hidden_one.json()['id']}/").status_code == 404
    assert Coupon.objects.count() == 2


def test_a_promo_code_limited_to_events_unlocks_items_of_them_only(api, organizer, event):
    promo_url = "/api/v1/organizers/demo-org/promo-codes/"
    elsewhere = ItemFactory(event=EventFactory(organizer=organizer, slug="elsewhere"), hidden=True)
    body = {"code": "PROMO-CONF", "value": "5", "allowed_events": ["conf"], "unlocks": [elsewhere.pk]}
    response = api.post(promo_url, body, format="json")
    assert response.json() == {"unlocks": [f"Item {elsewhere.pk} belongs to an event that is not allowed."]}
    mine = ItemFactory(event=event, hidden=True)
    response = api.post(promo_url, {**body, "unlocks": [mine.pk]}, format="json")
    assert response.status_code == 201, response.json()
    promo_id = response.json()["id"]
    moved = api.patch(f"{promo_url}{promo_id}/", {"allowed_events": ["elsewhere"]}, format="json")
    assert moved.status_code == 400 and "unlocks" in moved.json()

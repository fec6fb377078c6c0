"""Events API: /api/v1/organizers/<o>/events/"""

from __future__ import annotations

import pytest

from ticketing.api.scoping import EVENT_FORBIDDEN, ORGANIZER_FORBIDDEN
from ticketing.models import Event
from ticketing.tests.factories import EventFactory, ItemFactory, OrganizerFactory

URL = "/api/v1/organizers/demo-org/events/"

NEW_EVENT = {
    "slug": "summit",
    "name": "Summit",
    "currency": "USD",
    "date_from": "2027-03-01T09:00:00+01:00",
    "date_to": "2027-03-02T18:00:00+01:00",
    "timezone": "Europe/Berlin",
}


def test_list_is_paginated_with_the_envelope(api, organizer):
    EventFactory.create_batch(3, organizer=organizer)
    response = api.get(URL, {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"].endswith("page=2&page_size=2")
    assert body["previous"] is None
    assert set(body["results"][0]) == {
        "slug", "name", "currency", "date_from", "date_to", "has_subevents", "live",
        "presale_start", "presale_end", "timezone",
    }
    assert api.get(URL, {"page": 3, "page_size": 2}).status_code == 404


def test_list_filters_and_orders(api, organizer):
    EventFactory(organizer=organizer, slug="b-live", live=True)
    EventFactory(organizer=organizer, slug="a-offline", live=False)
    EventFactory(organizer=organizer, slug="c-series", live=True, has_subevents=True)
    live = api.get(URL, {"live": "true", "ordering": "-slug"}).json()["results"]
    assert [e["slug"] for e in live] == ["c-series", "b-live"]
    series = api.get(URL, {"has_subevents": "true"}).json()["results"]
    assert [e["slug"] for e in series] == ["c-series"]


def test_invalid_filter_value_is_a_400_naming_the_parameter(api, organizer):
    response = api.get(URL, {"live": "maybe"})
    assert response.status_code == 400
    assert "live" in response.json()


def test_list_query_count_does_not_grow_with_page_size(api, organizer, django_assert_max_num_queries):
    EventFactory.create_batch(30, organizer=organizer)
    with django_assert_max_num_queries(8):
        assert len(api.get(URL, {"page_size": 30}).json()["results"]) == 30


def test_create_returns_the_full_object(api, organizer):
    response = api.post(URL, NEW_EVENT, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["slug"] == "summit"
    assert response.json()["currency"] == "USD"
    assert Event.objects.get(organizer=organizer, slug="summit").timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"currency": "EURO"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "ZWL"}, "currency"),  # withdrawn in 2024
        ({"currency": "ANG"}, "currency"),  # withdrawn in 2025
        ({"currency": "XAU"}, "currency"),  # ISO 4217, but gold has no minor units
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"date_to": "2027-02-01T00:00:00Z"}, "date_to"),
        ({"slug": "bad slug!"}, "slug"),
        ({"name": ""}, "name"),
        ({"presale_start": "2027-01-02T00:00:00Z", "presale_end": "2027-01-01T00:00:00Z"}, "presale_end"),
    ],
)
def test_create_validation_errors_name_the_field(api, organizer, change, field):
    response = api.post(URL, {**NEW_EVENT, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Event.objects.filter(slug=NEW_EVENT["slug"]).exists()


@pytest.mark.parametrize(
    ("currency", "sent", "shown"), [("ZWG", "12.5", "12.50"), ("XCG", "12.5", "12.50"), ("JPY", "13", "13")]
)
def test_an_event_in_a_new_currency_prices_with_its_places(api, organizer, currency, sent, shown):
    response = api.post(URL, {**NEW_EVENT, "currency": currency}, format="json")
    assert response.status_code == 201, response.json()
    item = api.post(f"{URL}summit/items/", {"name": "Ticket", "default_price": sent}, format="json")
    assert item.status_code == 201, item.json()
    assert item.json()["default_price"] == shown


def test_a_withdrawn_currency_is_refused_with_the_reason(api, organizer):
    response = api.post(URL, {**NEW_EVENT, "currency": "ZWL"}, format="json")
    assert response.json()["currency"] == ["'ZWL' is not an ISO 4217 currency code (e.g. EUR, USD, JPY)."]


def test_duplicate_slug_is_a_400(api, event):
    response = api.post(URL, {**NEW_EVENT, "slug": event.slug}, format="json")
    assert response.status_code == 400
    assert "slug" in response.json()


def test_same_slug_in_another_organizer_is_fine(api, organizer):
    EventFactory(slug="summit")  # another organizer
    assert api.post(URL, NEW_EVENT, format="json").status_code == 201


def test_patch_and_put(api, event):
    response = api.patch(f"{URL}{event.slug}/", {"name": "Renamed", "live": False}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Renamed"
    event.refresh_from_db()
    assert (event.name, event.live) == ("Renamed", False)
    api.patch(f"{URL}{event.slug}/", {"live": True, "presale_end": "2027-01-01T00:00:00Z"}, format="json")
    put = {**NEW_EVENT, "slug": event.slug, "currency": "EUR"}
    response = api.put(f"{URL}{event.slug}/", put, format="json")
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.timezone == "Europe/Berlin"
    # PUT replaces the event: fields it leaves out go back to their defaults.
    assert event.live is False
    assert event.presale_end is None


def test_slug_and_series_flag_cannot_change(api, event):
    assert "slug" in api.patch(f"{URL}{event.slug}/", {"slug": "other"}, format="json").json()
    assert "has_subevents" in api.patch(f"{URL}{event.slug}/", {"has_subevents": True}, format="json").json()


def test_currency_is_fixed_once_items_exist(api, event):
    ItemFactory(event=event)
    response = api.patch(f"{URL}{event.slug}/", {"currency": "USD"}, format="json")
    assert response.status_code == 400
    assert "currency" in response.json()


def test_delete(api, event):
    assert api.delete(f"{URL}{event.slug}/").status_code == 204
    assert not Event.objects.filter(pk=event.pk).exists()


def test_anonymous_is_401(anon, event):
    response = anon.get(URL)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_invalid_token_is_401(anon, event):
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert anon.get(URL).status_code == 401


def test_write_without_permission_is_403(api_for, event):
    client = api_for(all_events=True, can_change_items=True)
    assert client.get(URL).status_code == 200
    assert client.post(URL, NEW_EVENT, format="json").status_code == 403
    assert client.patch(f"{URL}{event.slug}/", {"name": "x"}, format="json").status_code == 403
    assert client.delete(f"{URL}{event.slug}/").status_code == 403
    assert Event.objects.filter(pk=event.pk, name="Conference").exists()


def test_team_limited_to_some_events_sees_only_those(api_for, organizer, event):
    other = EventFactory(organizer=organizer, slug="other")
    client = api_for(all_events=False, limit_events=[event], can_change_event_settings=True)
    assert [e["slug"] for e in client.get(URL).json()["results"]] == ["conf"]
    hidden = client.get(f"{URL}{other.slug}/")
    missing = client.get(f"{URL}nonexistent/")
    assert hidden.status_code == missing.status_code == 403
    assert hidden.json() == missing.json() == {"code": "permission_denied", "detail": EVENT_FORBIDDEN}


def test_other_organizer_is_403_like_a_nonexistent_one(api, event):
    other = EventFactory(organizer=OrganizerFactory(slug="rival"), slug="conf")
    foreign = api.get(f"/api/v1/organizers/{other.organizer.slug}/events/")
    missing = api.get("/api/v1/organizers/nope/events/")
    assert foreign.status_code == missing.status_code == 403
    assert foreign.json() == missing.json() == {"code": "permission_denied", "detail": ORGANIZER_FORBIDDEN}
    assert api.get(f"/api/v1/organizers/rival/events/{other.slug}/").status_code == 403

"""Dates of a series: /api/v1/organizers/<o>/events/<e>/subevents/"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.db.models import ProtectedError

from ticketing.models import SubEvent
from ticketing.tests.api.helpers import (
    assert_foreign_organizer_is_like_a_missing_one,
    assert_hidden_event_is_like_a_missing_one,
)
from ticketing.tests.factories import (
    EventFactory,
    ItemFactory,
    ItemVariationFactory,
    SubEventFactory,
)

URL = "/api/v1/organizers/demo-org/events/fest/subevents/"

NEW_DATE = {
    "name": "Friday",
    "date_from": "2027-05-07T19:00:00+02:00",
    "date_to": "2027-05-07T23:00:00+02:00",
    "active": True,
}


@pytest.fixture
def series(organizer):
    return EventFactory(organizer=organizer, slug="fest", name="Festival", has_subevents=True)


@pytest.fixture
def item(series):
    return ItemFactory(event=series, default_price=Decimal("30.00"))


@pytest.fixture
def variation(item):
    return ItemVariationFactory(item=item, value="VIP")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_list_is_paginated_with_the_envelope(api, series):
    SubEventFactory.create_batch(3, event=series)
    response = api.get(URL, {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (3, 2, None)
    assert body["next"].endswith("page=2&page_size=2")
    assert set(body["results"][0]) == {
        "id", "name", "date_from", "date_to", "active", "presale_start", "presale_end",
        "item_price_overrides", "variation_price_overrides",
    }
    assert api.get(URL, {"page": 3, "page_size": 2}).status_code == 404


def test_overrides_are_listed_with_the_currency_places(api, series, item, variation):
    date = SubEventFactory(event=series)
    date.item_overrides.create(item=item, price=Decimal("12"))
    date.variation_overrides.create(variation=variation, price=Decimal("40.5"))
    result = api.get(f"{URL}{date.pk}/").json()
    assert result["item_price_overrides"] == [{"item": item.pk, "price": "12.00"}]
    assert result["variation_price_overrides"] == [{"variation": variation.pk, "price": "40.50"}]


def test_filters(api, series):
    early = SubEventFactory(event=series, date_from=at("2027-05-01T10:00:00+00:00"), active=True)
    late = SubEventFactory(event=series, date_from=at("2027-06-01T10:00:00+00:00"), active=True)
    off = SubEventFactory(event=series, date_from=at("2027-07-01T10:00:00+00:00"), active=False)

    def ids(**params):
        return [d["id"] for d in api.get(URL, params).json()["results"]]

    assert ids(active="true") == [early.pk, late.pk]
    assert ids(active="false") == [off.pk]
    assert ids(date_from_after="2027-05-15T00:00:00Z") == [late.pk, off.pk]
    assert ids(date_from_before="2027-06-01T10:00:00Z") == [early.pk, late.pk]
    assert ids(date_from_after="2027-05-15T00:00:00Z", date_from_before="2027-06-15T00:00:00Z") == [late.pk]


@pytest.mark.parametrize("param", [{"active": "maybe"}, {"date_from_after": "next week"}])
def test_invalid_filter_value_is_a_400_naming_the_parameter(api, series, param):
    response = api.get(URL, param)
    assert response.status_code == 400
    assert set(param) <= set(response.json())


def test_ordering(api, series):
    b = SubEventFactory(event=series, name="B", date_from=at("2027-05-01T10:00:00+00:00"))
    a = SubEventFactory(event=series, name="A", date_from=at("2027-06-01T10:00:00+00:00"))
    c = SubEventFactory(event=series, name="C", date_from=at("2027-04-01T10:00:00+00:00"))

    def ids(ordering=None):
        return [d["id"] for d in api.get(URL, {"ordering": ordering} if ordering else {}).json()["results"]]

    assert ids() == [c.pk, b.pk, a.pk]  # default: date_from
    assert ids("name") == [a.pk, b.pk, c.pk]
    assert ids("-date_from") == [a.pk, b.pk, c.pk]
    assert ids("-id") == [c.pk, a.pk, b.pk]


def test_list_query_count_does_not_grow_with_page_size(
    api, series, item, variation, django_assert_max_num_queries
):
    for date in SubEventFactory.create_batch(30, event=series):
        date.item_overrides.create(item=item, price=Decimal("10"))
        date.variation_overrides.create(variation=variation, price=Decimal("11"))
    with django_assert_max_num_queries(9):
        results = api.get(URL, {"page_size": 30}).json()["results"]
    assert len(results) == 30
    assert all(r["item_price_overrides"] and r["variation_price_overrides"] for r in results)


def test_create_with_price_overrides(api, series, item, variation):
    body = {
        **NEW_DATE,
        "item_price_overrides": [{"item": item.pk, "price": "12.00"}],
        "variation_price_overrides": [{"variation": variation.pk, "price": "45.00"}],
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["name"] == "Friday"
    assert created["item_price_overrides"] == [{"item": item.pk, "price": "12.00"}]
    date = SubEvent.objects.get(pk=created["id"], event=series)
    assert [(o.item_id, o.price) for o in date.item_overrides.all()] == [(item.pk, Decimal("12.00"))]
    assert [(o.variation_id, o.price) for o in date.variation_overrides.all()] == [
        (variation.pk, Decimal("45")),
    ]


def test_a_date_needs_a_series(api, event):
    response = api.post("/api/v1/organizers/demo-org/events/conf/subevents/", NEW_DATE, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not SubEvent.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"date_from": "tomorrow"}, "date_from"),
        ({"date_to": "2027-05-06T00:00:00+02:00"}, "date_to"),
        ({"presale_start": "2027-05-02T00:00:00Z", "presale_end": "2027-05-01T00:00:00Z"}, "presale_end"),
        ({"item_price_overrides": [{"item": 999999, "price": "1.00"}]}, "item_price_overrides"),
        ({"item_price_overrides": [{"item": "ITEM", "price": "1.001"}]}, "item_price_overrides"),
        ({"item_price_overrides": [{"item": "ITEM", "price": "-1.00"}]}, "item_price_overrides"),
        ({"item_price_overrides": [{"item": "ITEM", "price": "1"}, {"item": "ITEM", "price": "2"}]},
         "item_price_overrides"),
        ({"item_price_overrides": [{"item": "OTHER_ITEM", "price": "1.00"}]}, "item_price_overrides"),
        ({"variation_price_overrides": [{"variation": "OTHER_VARIATION", "price": "1.00"}]},
         "variation_price_overrides"),
        ({"variation_price_overrides": [{"variation": "VARIATION"}]}, "variation_price_overrides"),
    ],
)
def test_create_validation_errors_name_the_field(api, series, item, variation, change, field):
    other_event_variation = ItemVariationFactory(item__event=EventFactory(organizer=series.organizer))
    ids = {
        "ITEM": item.pk, "VARIATION": variation.pk,
        "OTHER_ITEM": other_event_variation.item.pk, "OTHER_VARIATION": other_event_variation.pk,
    }
    for entries in (v for v in change.values() if isinstance(v, list)):
        for entry in entries:
            for key in ("item", "variation"):
                if entry.get(key) in ids:
                    entry[key] = ids[entry[key]]
    response = api.post(URL, {**NEW_DATE, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not SubEvent.objects.exists()


def test_another_organizers_item_reads_as_nonexistent(api, series):
    foreign_item = ItemFactory()  # another organizer: no hint that the id exists
    body = {**NEW_DATE, "item_price_overrides": [{"item": foreign_item.pk, "price": "1.00"}]}
    error = api.post(URL, body, format="json").json()["item_price_overrides"]["0"]["item"][0]
    assert "does not exist" in error


def test_patch_keeps_overrides_unless_given_and_then_replaces_them(api, series, item, variation):
    date = SubEventFactory(event=series)
    date.item_overrides.create(item=item, price=Decimal("10"))
    date.variation_overrides.create(variation=variation, price=Decimal("11"))
    response = api.patch(f"{URL}{date.pk}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 200
    assert response.json()["item_price_overrides"] == [{"item": item.pk, "price": "10.00"}]
    other_item = ItemFactory(event=series)
    body = {"item_price_overrides": [{"item": other_item.pk, "price": "5.00"}]}
    response = api.patch(f"{URL}{date.pk}/", body, format="json")
    assert response.status_code == 200
    assert response.json()["item_price_overrides"] == [{"item": other_item.pk, "price": "5.00"}]
    assert list(date.item_overrides.values_list("item_id", flat=True)) == [other_item.pk]
    assert date.variation_overrides.count() == 1  # not named, not touched
    date.refresh_from_db()
    assert date.name == "Renamed"


@pytest.mark.parametrize(
    ("field", "given", "missing"),
    [
        ("item_price_overrides", {"price": "5.00"}, "item"),
        ("item_price_overrides", {"item": "the item"}, "price"),
        ("variation_price_overrides", {"price": "0"}, "variation"),
        ("variation_price_overrides", {"variation": "the variation"}, "price"),
    ],
)
def test_patch_refuses_an_override_missing_a_field(api, series, item, variation, field, given, missing):
    """Found by the fuzz run: a PATCH let an override leave out its item or price, and the write broke."""
    date = SubEventFactory(event=series)
    date.item_overrides.create(item=item, price=Decimal("10"))
    ids = {"the item": item.pk, "the variation": variation.pk}
    entry = {key: ids.get(value, value) for key, value in given.items()}
    response = api.patch(f"{URL}{date.pk}/", {field: [entry]}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: {"0": {missing: ["This field is required."]}}}
    assert list(date.item_overrides.values_list("item_id", "price")) == [(item.pk, Decimal("10.00"))]
    assert not date.variation_overrides.exists()


def test_put_replaces_every_field(api, series, item):
    date = SubEventFactory(
        event=series, active=True, presale_start=at("2027-01-01T00:00:00+00:00"),
    )
    date.item_overrides.create(item=item, price=Decimal("10"))
    body = {"name": "Saturday", "date_from": "2027-05-08T19:00:00Z"}
    response = api.put(f"{URL}{date.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    date.refresh_from_db()
    assert (date.name, date.active, date.presale_start) == ("Saturday", False, None)
    assert not date.item_overrides.exists()


def test_delete(api, series):
    date = SubEventFactory(event=series)
    assert api.delete(f"{URL}{date.pk}/").status_code == 204
    assert not SubEvent.objects.filter(pk=date.pk).exists()


def test_a_date_of_another_event_is_a_404(api, series, organizer):
    other = SubEventFactory(event=EventFactory(organizer=organizer, has_subevents=True))
    assert api.get(f"{URL}{other.pk}/").status_code == 404
    assert api.patch(f"{URL}{other.pk}/", {"name": "x"}, format="json").status_code == 404
    assert api.delete(f"{URL}{other.pk}/").status_code == 404
    assert SubEvent.objects.filter(pk=other.pk).exists()


def test_anonymous_is_401(anon, series):
    response = anon.get(URL)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_writes_need_can_change_items(api_for, series):
    date = SubEventFactory(event=series)
    client = api_for(all_events=True, can_change_event_settings=True)
    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}{date.pk}/").status_code == 200
    assert client.post(URL, NEW_DATE, format="json").status_code == 403
    assert client.patch(f"{URL}{date.pk}/", {"name": "x"}, format="json").status_code == 403
    assert client.delete(f"{URL}{date.pk}/").status_code == 403
    assert SubEvent.objects.filter(pk=date.pk).exclude(name="x").exists()


def test_foreign_organizer_and_hidden_event_are_403_like_missing_ones(api, api_for, organizer, series):
    assert_foreign_organizer_is_like_a_missing_one(api, "subevents/", NEW_DATE, event_slug="fest")
    EventFactory(organizer=organizer, slug="hidden", has_subevents=True)
    limited = api_for(all_events=False, limit_events=[series], can_change_items=True)
    assert limited.get(URL).status_code == 200
    assert_hidden_event_is_like_a_missing_one(limited, "demo-org", "subevents/")


def test_a_date_with_orders_is_a_409(api, series, monkeypatch):
    date = SubEventFactory(event=series)

    def delete_protected(self, *args, **kwargs):
        raise ProtectedError("order positions point at it", set())  # what orders' PROTECT foreign keys raise

    monkeypatch.setattr(SubEvent, "delete", delete_protected)
    response = api.delete(f"{URL}{date.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "subevent_in_use"

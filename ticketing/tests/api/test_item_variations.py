"""Variations of an item: /api/v1/organizers/<o>/events/<e>/items/<item>/variations/"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import ProtectedError

from ticketing.models import ItemVariation
from ticketing.tests.api.helpers import assert_foreign_organizer_is_like_a_missing_one
from ticketing.tests.factories import EventFactory, ItemFactory, ItemVariationFactory

NEW_VARIATION = {"value": "VIP", "default_price": "99.00", "active": True, "position": 1}


@pytest.fixture
def item(event):
    return ItemFactory(event=event, default_price=Decimal("20.00"))


@pytest.fixture
def url(item):
    return f"/api/v1/organizers/demo-org/events/conf/items/{item.pk}/variations/"


def test_list_is_paginated_with_the_envelope(api, item, url):
    ItemVariationFactory.create_batch(3, item=item)
    response = api.get(url, {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (3, 2, None)
    assert body["next"].endswith("page=2&page_size=2")
    assert set(body["results"][0]) == {"id", "value", "default_price", "price", "active", "position"}
    assert api.get(url, {"page": 3, "page_size": 2}).status_code == 404


def test_price_is_the_variations_own_or_the_items(api, item, url):
    inherits = ItemVariationFactory(item=item)
    own = ItemVariationFactory(item=item, default_price=Decimal("35"), position=1)
    results = api.get(url).json()["results"]
    assert [(r["id"], r["default_price"], r["price"]) for r in results] == [
        (inherits.pk, None, "20.00"), (own.pk, "35.00", "35.00"),
    ]


def test_filter_and_ordering(api, item, url):
    b = ItemVariationFactory(item=item, position=1)
    a = ItemVariationFactory(item=item, position=0, active=False)
    c = ItemVariationFactory(item=item, position=2)

    def ids(**params):
        return [v["id"] for v in api.get(url, params).json()["results"]]

    assert ids() == [a.pk, b.pk, c.pk]  # default: position
    assert ids(active="true") == [b.pk, c.pk]
    assert ids(active="false") == [a.pk]
    assert ids(ordering="-position") == [c.pk, b.pk, a.pk]
    assert ids(ordering="id") == [b.pk, a.pk, c.pk]


def test_invalid_filter_value_is_a_400_naming_the_parameter(api, url):
    response = api.get(url, {"active": "maybe"})
    assert response.status_code == 400
    assert "active" in response.json()


def test_list_query_count_does_not_grow_with_page_size(api, item, url, django_assert_max_num_queries):
    ItemVariationFactory.create_batch(30, item=item)
    with django_assert_max_num_queries(8):
        assert len(api.get(url, {"page_size": 30}).json()["results"]) == 30


def test_create(api, item, url):
    response = api.post(url, NEW_VARIATION, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"id": response.json()["id"], **NEW_VARIATION, "price": "99.00"}
    assert ItemVariation.objects.get(pk=response.json()["id"]).item == item
    response = api.post(url, {"value": "Regular"}, format="json")
    assert (response.json()["default_price"], response.json()["price"]) == (None, "20.00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": ""}, "value"),
        ({"default_price": "1.001"}, "default_price"),
        ({"default_price": "-5"}, "default_price"),
        ({"position": -1}, "position"),
    ],
)
def test_create_validation_errors_name_the_field(api, url, change, field):
    response = api.post(url, {**NEW_VARIATION, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ItemVariation.objects.exists()


def test_patch_and_put(api, item, url):
    variation = ItemVariationFactory(item=item, default_price=Decimal("40"), active=False, position=4)
    response = api.patch(f"{url}{variation.pk}/", {"value": "Renamed"}, format="json")
    assert response.status_code == 200
    assert (response.json()["value"], response.json()["price"]) == ("Renamed", "40.00")
    response = api.put(f"{url}{variation.pk}/", {"value": "Replaced"}, format="json")
    assert response.status_code == 200
    variation.refresh_from_db()
    # PUT resets what it does not name: the price goes back to inheriting the item's
    assert (variation.value, variation.default_price, variation.active, variation.position) == (
        "Replaced", None, True, 0,
    )
    assert response.json()["price"] == "20.00"


def test_delete(api, item, url):
    variation = ItemVariationFactory(item=item)
    assert api.delete(f"{url}{variation.pk}/").status_code == 204
    assert not ItemVariation.objects.filter(pk=variation.pk).exists()


def test_a_variation_of_another_item_is_a_404(api, event, url):
    other = ItemVariationFactory(item=ItemFactory(event=event))
    assert api.get(f"{url}{other.pk}/").status_code == 404
    assert api.delete(f"{url}{other.pk}/").status_code == 404
    assert ItemVariation.objects.filter(pk=other.pk).exists()


def test_an_item_of_another_event_in_the_url_is_a_404(api, organizer, event):
    foreign_item = ItemFactory(event=EventFactory(organizer=organizer))
    variation = ItemVariationFactory(item=foreign_item)
    url = f"/api/v1/organizers/demo-org/events/conf/items/{foreign_item.pk}/variations/"
    assert api.get(url).status_code == 404
    assert api.post(url, NEW_VARIATION, format="json").status_code == 404
    assert api.get(f"{url}{variation.pk}/").status_code == 404
    assert api.get("/api/v1/organizers/demo-org/events/conf/items/999999/variations/").status_code == 404
    assert ItemVariation.objects.count() == 1


def test_anonymous_is_401(anon, url):
    assert anon.get(url).status_code == 401


def test_writes_need_can_change_items(api_for, item, url):
    variation = ItemVariationFactory(item=item)
    client = api_for(all_events=True, can_change_event_settings=True)
    assert client.get(f"{url}{variation.pk}/").status_code == 200
    assert client.post(url, NEW_VARIATION, format="json").status_code == 403
    assert client.patch(f"{url}{variation.pk}/", {"value": "x"}, format="json").status_code == 403
    assert client.delete(f"{url}{variation.pk}/").status_code == 403
    assert ItemVariation.objects.count() == 1


def test_foreign_organizer_is_403_like_a_missing_one(api, item):
    assert_foreign_organizer_is_like_a_missing_one(api, f"items/{item.pk}/variations/", NEW_VARIATION)


def test_a_variation_that_was_ordered_is_a_409(api, item, url, monkeypatch):
    variation = ItemVariationFactory(item=item)

    def delete_protected(self, *args, **kwargs):
        raise ProtectedError("order positions point at it", set())  # what orders' PROTECT foreign keys raise

    monkeypatch.setattr(ItemVariation, "delete", delete_protected)
    response = api.delete(f"{url}{variation.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "variation_in_use"

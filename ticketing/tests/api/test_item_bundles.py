"""Bundles of an item: /api/v1/organizers/<o>/events/<e>/items/<item>/bundles/"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ticketing.models import ItemBundle
from ticketing.tests.api.helpers import assert_foreign_organizer_is_like_a_missing_one
from ticketing.tests.factories import EventFactory, ItemBundleFactory, ItemFactory, ItemVariationFactory


@pytest.fixture
def item(event):
    return ItemFactory(event=event, name="Ticket")


@pytest.fixture
def parking(event):
    return ItemFactory(event=event, name="Parking", require_bundling=True)


@pytest.fixture
def url(item):
    return f"/api/v1/organizers/demo-org/events/conf/items/{item.pk}/bundles/"


def new_bundle(bundled) -> dict:
    return {"bundled_item": bundled.pk, "bundled_variation": None, "count": 2, "designated_price": "7.50"}


def test_list_is_paginated_with_the_envelope(api, item, url):
    ItemBundleFactory.create_batch(3, base_item=item)
    response = api.get(url, {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (3, 2, None)
    assert body["next"].endswith("page=2&page_size=2")
    assert set(body["results"][0]) == {"id", "bundled_item", "bundled_variation", "count", "designated_price"}
    assert api.get(url, {"page": 3, "page_size": 2}).status_code == 404


def test_ordering(api, item, url):
    first, second = ItemBundleFactory.create_batch(2, base_item=item)
    assert [b["id"] for b in api.get(url).json()["results"]] == [first.pk, second.pk]
    assert [b["id"] for b in api.get(url, {"ordering": "-id"}).json()["results"]] == [second.pk, first.pk]


def test_list_query_count_does_not_grow_with_page_size(api, item, url, django_assert_max_num_queries):
    ItemBundleFactory.create_batch(30, base_item=item)
    with django_assert_max_num_queries(8):
        assert len(api.get(url, {"page_size": 30}).json()["results"]) == 30


def test_create(api, item, parking, url):
    response = api.post(url, new_bundle(parking), format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"id": response.json()["id"], **new_bundle(parking)}
    bundle = ItemBundle.objects.get(pk=response.json()["id"])
    assert (bundle.base_item, bundle.bundled_item, bundle.designated_price) == (item, parking, Decimal("7.5"))


def test_create_a_bundle_of_a_variation(api, event, url):
    shirt = ItemFactory(event=event)
    large = ItemVariationFactory(item=shirt, value="L")
    body = {"bundled_item": shirt.pk, "bundled_variation": large.pk}
    response = api.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["count"], response.json()["designated_price"]) == (1, "0.00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"bundled_item": None}, "bundled_item"),
        ({"bundled_item": 999999}, "bundled_item"),
        ({"bundled_item": "OTHER_EVENT_ITEM"}, "bundled_item"),
        ({"bundled_item": "ITSELF"}, "bundled_item"),
        ({"bundled_item": "WITH_VARIATIONS"}, "bundled_variation"),
        ({"bundled_variation": "VARIATION"}, "bundled_variation"),
        ({"count": 0}, "count"),
        ({"designated_price": "1.005"}, "designated_price"),
        ({"designated_price": "-1"}, "designated_price"),
    ],
)
def test_create_validation_errors_name_the_field(api, organizer, item, parking, url, change, field):
    with_variations = ItemFactory(event=item.event)
    placeholders = {
        "OTHER_EVENT_ITEM": ItemFactory(event=EventFactory(organizer=organizer)).pk,
        "ITSELF": item.pk,
        "WITH_VARIATIONS": with_variations.pk,
        "VARIATION": ItemVariationFactory(item=with_variations).pk,
    }
    change = {k: placeholders.get(v, v) if isinstance(v, str) else v for k, v in change.items()}
    response = api.post(url, {**new_bundle(parking), **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ItemBundle.objects.exists()


def test_patch_and_put(api, item, parking, url):
    bundle = ItemBundleFactory(base_item=item, bundled_item=parking, count=3, designated_price=Decimal("2"))
    response = api.patch(f"{url}{bundle.pk}/", {"count": 4}, format="json")
    assert response.status_code == 200, response.json()
    bundle.refresh_from_db()
    assert (bundle.count, bundle.designated_price) == (4, Decimal("2"))
    response = api.put(f"{url}{bundle.pk}/", {"bundled_item": parking.pk}, format="json")
    assert response.status_code == 200, response.json()
    bundle.refresh_from_db()
    assert (bundle.count, bundle.designated_price) == (1, Decimal("0"))


def test_delete(api, item, url):
    bundle = ItemBundleFactory(base_item=item)
    assert api.delete(f"{url}{bundle.pk}/").status_code == 204
    assert not ItemBundle.objects.filter(pk=bundle.pk).exists()


def test_a_bundle_of_another_item_is_a_404(api, event, url):
    other = ItemBundleFactory(base_item=ItemFactory(event=event))
    assert api.get(f"{url}{other.pk}/").status_code == 404
    assert api.delete(f"{url}{other.pk}/").status_code == 404
    assert ItemBundle.objects.filter(pk=other.pk).exists()


def test_an_item_of_another_event_in_the_url_is_a_404(api, organizer, event, parking):
    bundle = ItemBundleFactory(base_item=ItemFactory(event=EventFactory(organizer=organizer)))
    url = f"/api/v1/organizers/demo-org/events/conf/items/{bundle.base_item_id}/bundles/"
    assert api.get(url).status_code == 404
    assert api.get(f"{url}{bundle.pk}/").status_code == 404
    assert api.post(url, new_bundle(parking), format="json").status_code == 404
    assert ItemBundle.objects.count() == 1


def test_anonymous_is_401(anon, url):
    assert anon.get(url).status_code == 401


def test_writes_need_can_change_items(api_for, item, parking, url):
    bundle = ItemBundleFactory(base_item=item)
    client = api_for(all_events=True, can_change_event_settings=True)
    assert client.get(url).status_code == 200
    assert client.post(url, new_bundle(parking), format="json").status_code == 403
    assert client.patch(f"{url}{bundle.pk}/", {"count": 9}, format="json").status_code == 403
    assert client.delete(f"{url}{bundle.pk}/").status_code == 403
    assert ItemBundle.objects.count() == 1


def test_foreign_organizer_is_403_like_a_missing_one(api, item, parking):
    assert_foreign_organizer_is_like_a_missing_one(api, f"items/{item.pk}/bundles/", new_bundle(parking))

"""Add-on offers of an item: /api/v1/organizers/<o>/events/<e>/items/<item>/addons/"""

from __future__ import annotations

import pytest

from ticketing.models import ItemAddOn
from ticketing.tests.api.helpers import assert_foreign_organizer_is_like_a_missing_one
from ticketing.tests.factories import EventFactory, ItemAddOnFactory, ItemCategoryFactory, ItemFactory


@pytest.fixture
def item(event):
    return ItemFactory(event=event)


@pytest.fixture
def extras(event):
    return ItemCategoryFactory(event=event, addon=True)


@pytest.fixture
def url(item):
    return f"/api/v1/organizers/demo-org/events/conf/items/{item.pk}/addons/"


def new_addon(category) -> dict:
    return {
        "addon_category": category.pk, "min_count": 1, "max_count": 3, "price_included": True, "position": 2,
    }


def test_list_is_paginated_with_the_envelope(api, item, url):
    ItemAddOnFactory.create_batch(3, base_item=item)
    response = api.get(url, {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (3, 2, None)
    assert body["next"].endswith("page=2&page_size=2")
    assert set(body["results"][0]) == {
        "id", "addon_category", "min_count", "max_count", "price_included", "position",
    }
    assert api.get(url, {"page": 3, "page_size": 2}).status_code == 404


def test_ordering(api, item, url):
    b = ItemAddOnFactory(base_item=item, position=1)
    a = ItemAddOnFactory(base_item=item, position=0)

    def ids(**params):
        return [v["id"] for v in api.get(url, params).json()["results"]]

    assert ids() == [a.pk, b.pk]
    assert ids(ordering="-position") == [b.pk, a.pk]
    assert ids(ordering="id") == [b.pk, a.pk]


def test_list_query_count_does_not_grow_with_page_size(api, item, url, django_assert_max_num_queries):
    ItemAddOnFactory.create_batch(30, base_item=item)
    with django_assert_max_num_queries(8):
        assert len(api.get(url, {"page_size": 30}).json()["results"]) == 30


def test_create(api, item, extras, url):
    response = api.post(url, new_addon(extras), format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"id": response.json()["id"], **new_addon(extras)}
    addon = ItemAddOn.objects.get(pk=response.json()["id"])
    assert (addon.base_item, addon.addon_category) == (item, extras)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"addon_category": None}, "addon_category"),
        ({"addon_category": 999999}, "addon_category"),
        ({"addon_category": "OTHER_EVENT"}, "addon_category"),
        ({"addon_category": "TAKEN"}, "addon_category"),
        ({"min_count": 4, "max_count": 3}, "max_count"),
        ({"min_count": -1}, "min_count"),
    ],
)
def test_create_validation_errors_name_the_field(api, organizer, item, extras, url, change, field):
    taken = ItemAddOnFactory(base_item=item).addon_category
    other_event_category = ItemCategoryFactory(event=EventFactory(organizer=organizer))
    change = {
        k: {"OTHER_EVENT": other_event_category.pk, "TAKEN": taken.pk}.get(v, v) for k, v in change.items()
    }
    response = api.post(url, {**new_addon(extras), **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert ItemAddOn.objects.count() == 1


def test_patch_and_put(api, item, extras, url):
    addon = ItemAddOnFactory(base_item=item, min_count=1, max_count=2, price_included=True, position=3)
    response = api.patch(f"{url}{addon.pk}/", {"max_count": 5}, format="json")
    assert response.status_code == 200, response.json()
    addon.refresh_from_db()
    assert (addon.min_count, addon.max_count, addon.price_included) == (1, 5, True)
    below_min = api.patch(f"{url}{addon.pk}/", {"max_count": 0}, format="json")
    assert below_min.status_code == 400
    assert "max_count" in below_min.json()
    response = api.put(f"{url}{addon.pk}/", {"addon_category": extras.pk}, format="json")
    assert response.status_code == 200, response.json()
    addon.refresh_from_db()
    assert (addon.addon_category, addon.min_count, addon.max_count, addon.price_included, addon.position) == (
        extras, 0, 1, False, 0,
    )


def test_keeping_the_own_category_is_not_a_duplicate(api, item, url):
    addon = ItemAddOnFactory(base_item=item)
    response = api.put(f"{url}{addon.pk}/", {"addon_category": addon.addon_category_id}, format="json")
    assert response.status_code == 200, response.json()


def test_delete(api, item, url):
    addon = ItemAddOnFactory(base_item=item)
    assert api.delete(f"{url}{addon.pk}/").status_code == 204
    assert not ItemAddOn.objects.exists()


def test_an_addon_of_another_item_is_a_404(api, event, url):
    other = ItemAddOnFactory(base_item=ItemFactory(event=event))
    assert api.get(f"{url}{other.pk}/").status_code == 404
    assert api.delete(f"{url}{other.pk}/").status_code == 404
    assert ItemAddOn.objects.filter(pk=other.pk).exists()


def test_an_item_of_another_event_in_the_url_is_a_404(api, organizer, event):
    other_event = EventFactory(organizer=organizer)
    addon = ItemAddOnFactory(base_item=ItemFactory(event=other_event))
    url = f"/api/v1/organizers/demo-org/events/conf/items/{addon.base_item_id}/addons/"
    assert api.get(url).status_code == 404
    assert api.get(f"{url}{addon.pk}/").status_code == 404
    assert api.post(url, new_addon(ItemCategoryFactory(event=other_event)), format="json").status_code == 404
    assert ItemAddOn.objects.count() == 1


def test_anonymous_is_401(anon, url):
    assert anon.get(url).status_code == 401


def test_writes_need_can_change_items(api_for, item, extras, url):
    addon = ItemAddOnFactory(base_item=item)
    client = api_for(all_events=True, can_change_event_settings=True)
    assert client.get(url).status_code == 200
    assert client.post(url, new_addon(extras), format="json").status_code == 403
    assert client.patch(f"{url}{addon.pk}/", {"max_count": 9}, format="json").status_code == 403
    assert client.delete(f"{url}{addon.pk}/").status_code == 403
    assert ItemAddOn.objects.count() == 1


def test_foreign_organizer_is_403_like_a_missing_one(api, item, extras):
    assert_foreign_organizer_is_like_a_missing_one(api, f"items/{item.pk}/addons/", new_addon(extras))

"""Item categories: /api/v1/organizers/<o>/events/<e>/categories/"""

from __future__ import annotations

import pytest

from ticketing.models import ItemCategory
from ticketing.tests.api.helpers import (
    assert_foreign_organizer_is_like_a_missing_one,
    assert_hidden_event_is_like_a_missing_one,
)
from ticketing.tests.factories import EventFactory, ItemCategoryFactory, ItemFactory

URL = "/api/v1/organizers/demo-org/events/conf/categories/"

NEW_CATEGORY = {"name": "Workshops", "description": "Hands-on sessions", "position": 2, "is_addon": True}


def test_list_is_paginated_with_the_envelope(api, event):
    ItemCategoryFactory.create_batch(3, event=event)
    response = api.get(URL, {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (3, 2, None)
    assert body["next"].endswith("page=2&page_size=2")
    assert set(body["results"][0]) == {"id", "name", "description", "position", "is_addon"}
    assert api.get(URL, {"page": 3, "page_size": 2}).status_code == 404


def test_filter_and_ordering(api, event):
    tickets = ItemCategoryFactory(event=event, position=2)
    extras = ItemCategoryFactory(event=event, position=1, is_addon=True)
    merch = ItemCategoryFactory(event=event, position=3, is_addon=True)

    def ids(**params):
        return [c["id"] for c in api.get(URL, params).json()["results"]]

    assert ids() == [extras.pk, tickets.pk, merch.pk]  # default: position
    assert ids(is_addon="true") == [extras.pk, merch.pk]
    assert ids(is_addon="false") == [tickets.pk]
    assert ids(ordering="-position") == [merch.pk, tickets.pk, extras.pk]
    assert ids(ordering="id") == [tickets.pk, extras.pk, merch.pk]


def test_invalid_filter_value_is_a_400_naming_the_parameter(api, event):
    response = api.get(URL, {"is_addon": "maybe"})
    assert response.status_code == 400
    assert "is_addon" in response.json()


def test_list_query_count_does_not_grow_with_page_size(api, event, django_assert_max_num_queries):
    ItemCategoryFactory.create_batch(30, event=event)
    with django_assert_max_num_queries(7):
        assert len(api.get(URL, {"page_size": 30}).json()["results"]) == 30


def test_create_returns_the_full_object(api, event):
    response = api.post(URL, NEW_CATEGORY, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"id": response.json()["id"], **NEW_CATEGORY}
    assert ItemCategory.objects.get(pk=response.json()["id"]).event == event


@pytest.mark.parametrize(
    ("change", "field"),
    [({"name": ""}, "name"), ({"position": -1}, "position"), ({"is_addon": "perhaps"}, "is_addon")],
)
def test_create_validation_errors_name_the_field(api, event, change, field):
    response = api.post(URL, {**NEW_CATEGORY, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ItemCategory.objects.exists()


def test_patch_and_put(api, event):
    category = ItemCategoryFactory(event=event, description="old", position=5, is_addon=True)
    response = api.patch(f"{URL}{category.pk}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 200
    category.refresh_from_db()
    assert (category.name, category.description, category.is_addon) == ("Renamed", "old", True)
    response = api.put(f"{URL}{category.pk}/", {"name": "Replaced"}, format="json")
    assert response.status_code == 200
    category.refresh_from_db()
    # PUT resets what it does not name to the defaults
    assert (category.name, category.description, category.position, category.is_addon) == (
        "Replaced", "", 0, False,
    )


def test_delete_keeps_the_items(api, event):
    category = ItemCategoryFactory(event=event)
    item = ItemFactory(event=event, category=category)
    assert api.delete(f"{URL}{category.pk}/").status_code == 204
    assert not ItemCategory.objects.filter(pk=category.pk).exists()
    item.refresh_from_db()
    assert item.category is None


def test_a_category_of_another_event_is_a_404(api, event, organizer):
    other = ItemCategoryFactory(event=EventFactory(organizer=organizer))
    assert api.get(f"{URL}{other.pk}/").status_code == 404
    assert api.put(f"{URL}{other.pk}/", NEW_CATEGORY, format="json").status_code == 404
    assert api.delete(f"{URL}{other.pk}/").status_code == 404
    assert ItemCategory.objects.filter(pk=other.pk).exists()


def test_anonymous_is_401(anon, event):
    assert anon.get(URL).status_code == 401
    assert anon.post(URL, NEW_CATEGORY, format="json").status_code == 401


def test_writes_need_can_change_items(api_for, event):
    category = ItemCategoryFactory(event=event)
    client = api_for(all_events=True, can_change_event_settings=True, can_change_organizer_settings=True)
    assert client.get(f"{URL}{category.pk}/").status_code == 200
    assert client.post(URL, NEW_CATEGORY, format="json").status_code == 403
    assert client.patch(f"{URL}{category.pk}/", {"name": "x"}, format="json").status_code == 403
    assert client.delete(f"{URL}{category.pk}/").status_code == 403
    assert ItemCategory.objects.count() == 1


def test_foreign_organizer_and_hidden_event_are_403_like_missing_ones(api, api_for, organizer, event):
    assert_foreign_organizer_is_like_a_missing_one(api, "categories/", NEW_CATEGORY)
    EventFactory(organizer=organizer, slug="hidden")
    limited = api_for(all_events=False, limit_events=[event], can_change_items=True)
    assert limited.post(URL, NEW_CATEGORY, format="json").status_code == 201
    assert_hidden_event_is_like_a_missing_one(limited, "demo-org", "categories/")

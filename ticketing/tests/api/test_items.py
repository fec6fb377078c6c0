"""Items: /api/v1/organizers/<o>/events/<e>/items/"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.db.models import ProtectedError

from ticketing.models import Item, ItemAddOn, ItemBundle, ItemVariation
from ticketing.services import NewBundle, NewVariation, item_create
from ticketing.tests.api.helpers import (
    assert_foreign_organizer_is_like_a_missing_one,
    assert_hidden_event_is_like_a_missing_one,
)
from ticketing.tests.factories import (
    EventFactory,
    ItemAddOnFactory,
    ItemBundleFactory,
    ItemCategoryFactory,
    ItemFactory,
    ItemVariationFactory,
    OrganizerFactory,
    SalesChannelFactory,
)

URL = "/api/v1/organizers/demo-org/events/conf/items/"

NEW_ITEM = {"name": "Regular ticket", "default_price": "23.00"}

ITEM_FIELDS = {
    "id", "category", "name", "description", "default_price", "active", "admission", "hide_without_voucher",
    "require_bundling", "issues_gift_card",
    "min_per_order", "max_per_order", "available_from", "available_until",
    "all_sales_channels", "sales_channels", "position", "variations", "addons", "bundles",
}


def test_list_is_paginated_with_the_envelope(api, event):
    ItemFactory.create_batch(3, event=event)
    response = api.get(URL, {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (3, 2, None)
    assert body["next"].endswith("page=2&page_size=2")
    assert set(body["results"][0]) == ITEM_FIELDS
    assert api.get(URL, {"page": 3, "page_size": 2}).status_code == 404


def test_an_item_shows_its_variations_addons_bundles_and_channels(api, organizer, event):
    item = ItemFactory(event=event, default_price=Decimal("20"), all_sales_channels=False)
    item.limit_sales_channels.set([SalesChannelFactory(organizer=organizer, identifier="box")])
    inherits = ItemVariationFactory(item=item, value="Regular")
    own = ItemVariationFactory(item=item, value="VIP", default_price=Decimal("50"), position=1)
    addon = ItemAddOnFactory(base_item=item, min_count=0, max_count=3)
    bundle = ItemBundleFactory(base_item=item, count=2, designated_price=Decimal("4.5"))
    body = api.get(f"{URL}{item.pk}/").json()
    assert body["sales_channels"] == ["box"]
    assert body["variations"] == [
        {
            "id": inherits.pk, "value": "Regular", "default_price": None, "price": "20.00", "active": True,
            "position": 0,
        },
        {
            "id": own.pk, "value": "VIP", "default_price": "50.00", "price": "50.00", "active": True,
            "position": 1,
        },
    ]
    assert body["addons"] == [{
        "id": addon.pk, "addon_category": addon.addon_category_id, "min_count": 0, "max_count": 3,
        "price_included": False, "position": 0,
    }]
    assert body["bundles"] == [{
        "id": bundle.pk, "bundled_item": bundle.bundled_item_id, "bundled_variation": None, "count": 2,
        "designated_price": "4.50",
    }]


def test_filters(api, event):
    category = ItemCategoryFactory(event=event)
    ticket = ItemFactory(event=event, category=category)
    shirt = ItemFactory(event=event, admission=False)
    secret = ItemFactory(event=event, hidden=True)
    old = ItemFactory(event=event, inactive=True)

    def ids(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return [i["id"] for i in response.json()["results"]]

    assert ids(active="true") == [ticket.pk, shirt.pk, secret.pk]
    assert ids(active="false") == [old.pk]
    assert ids(category=category.pk) == [ticket.pk]
    assert ids(admission="false") == [shirt.pk]
    assert ids(hide_without_voucher="true") == [secret.pk]


@pytest.mark.parametrize(
    "param",
    [
        {"active": "maybe"}, {"admission": "2"}, {"hide_without_voucher": "yes please"}, {"category": "abc"},
        {"category": "1.5"},
    ],
)
def test_invalid_filter_value_is_a_400_naming_the_parameter(api, event, param):
    response = api.get(URL, param)
    assert response.status_code == 400
    assert set(param) <= set(response.json())


def test_ordering(api, event):
    b = ItemFactory(event=event, name="B", default_price=Decimal("30"), position=1)
    c = ItemFactory(event=event, name="C", default_price=Decimal("10"), position=0)
    a = ItemFactory(event=event, name="A", default_price=Decimal("20"), position=2)

    def ids(ordering=None):
        return [i["id"] for i in api.get(URL, {"ordering": ordering} if ordering else {}).json()["results"]]

    assert ids() == [c.pk, b.pk, a.pk]  # default: position
    assert ids("name") == [a.pk, b.pk, c.pk]
    assert ids("-default_price") == [b.pk, a.pk, c.pk]
    assert ids("-id") == [a.pk, c.pk, b.pk]


def test_list_query_count_does_not_grow_with_page_size(api, organizer, event, django_assert_max_num_queries):
    box = SalesChannelFactory(organizer=organizer, identifier="box")
    for item in ItemFactory.create_batch(30, event=event):
        item.limit_sales_channels.set([box])
        ItemVariationFactory.create_batch(2, item=item)
        ItemAddOnFactory(base_item=item)
        ItemBundleFactory(base_item=item)
    with django_assert_max_num_queries(11):
        results = api.get(URL, {"page_size": 30}).json()["results"]
    assert len(results) == 30
    assert all(r["sales_channels"] == ["box"] and r["variations"][0]["price"] for r in results)


def test_create_a_plain_item(api, event):
    response = api.post(URL, NEW_ITEM, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == ITEM_FIELDS
    assert (body["default_price"], body["active"], body["all_sales_channels"]) == ("23.00", True, True)
    assert (body["variations"], body["addons"], body["bundles"], body["sales_channels"]) == ([], [], [], [])
    assert Item.objects.get(pk=body["id"]).event == event


def test_create_with_variations_addons_bundles_and_channels_in_one_post(api, organizer, event):
    SalesChannelFactory(organizer=organizer, identifier="box")
    extras = ItemCategoryFactory(event=event, addon=True)
    category = ItemCategoryFactory(event=event)
    parking = ItemFactory(event=event, require_bundling=True)
    body = {
        **NEW_ITEM,
        "category": category.pk,
        "all_sales_channels": False,
        "sales_channels": ["web", "box"],
        "variations": [{"value": "Regular"}, {"value": "VIP", "default_price": "99.00", "position": 1}],
        "addons": [{"addon_category": extras.pk, "min_count": 1, "max_count": 2, "price_included": True}],
        "bundles": [{"bundled_item": parking.pk, "count": 2, "designated_price": "3.00"}],
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert sorted(created["sales_channels"]) == ["box", "web"]
    prices = [(v["value"], v["price"]) for v in created["variations"]]
    assert prices == [("Regular", "23.00"), ("VIP", "99.00")]
    item = Item.objects.get(pk=created["id"])
    assert item.category == category
    assert [(a.addon_category, a.min_count, a.max_count, a.price_included) for a in item.addons.all()] == [
        (extras, 1, 2, True)
    ]
    assert [(b.bundled_item, b.count, b.designated_price) for b in item.bundles.all()] == [
        (parking, 2, Decimal("3.00"))
    ]


def test_item_create_is_all_or_nothing(event):
    parking = ItemFactory(event=event)
    with pytest.raises(IntegrityError):
        item_create(
            event=event, name="Ticket", default_price=Decimal("10"),
            variations=[NewVariation(value="A")],
            bundles=[NewBundle(bundled_item=parking, count=0)],  # breaks a check constraint, last
        )
    assert list(Item.objects.all()) == [parking]
    assert not ItemVariation.objects.exists()


def test_prices_follow_the_event_currency(api, organizer):
    EventFactory(organizer=organizer, slug="tokyo", currency="JPY")
    url = "/api/v1/organizers/demo-org/events/tokyo/items/"
    response = api.post(url, {"name": "Ticket", "default_price": "2300"}, format="json")
    assert response.status_code == 201
    assert response.json()["default_price"] == "2300"
    response = api.post(url, {"name": "Ticket", "default_price": "23.50"}, format="json")
    assert response.status_code == 400
    assert "default_price" in response.json()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"default_price": None}, "default_price"),
        ({"default_price": "1.234"}, "default_price"),
        ({"default_price": "-1.00"}, "default_price"),
        ({"category": "OTHER_EVENT_CATEGORY"}, "category"),
        ({"category": 999999}, "category"),
        ({"min_per_order": 3, "max_per_order": 2}, "max_per_order"),
        ({"available_from": "2027-01-02T00:00:00Z", "available_until": "2027-01-01T00:00:00Z"},
         "available_until"),
        ({"sales_channels": ["nowhere"]}, "sales_channels"),
        ({"sales_channels": ["rival-only"]}, "sales_channels"),
        ({"variations": [{"value": ""}]}, "variations"),
        ({"variations": [{"value": "A", "default_price": "1.001"}]}, "variations"),
        ({"addons": [{"addon_category": "OTHER_EVENT_CATEGORY"}]}, "addons"),
        ({"addons": [{"addon_category": "CATEGORY", "min_count": 3, "max_count": 1}]}, "addons"),
        ({"addons": [{"addon_category": "CATEGORY"}, {"addon_category": "CATEGORY"}]}, "addons"),
        ({"bundles": [{"bundled_item": "OTHER_EVENT_ITEM"}]}, "bundles"),
        ({"bundles": [{"bundled_item": "ITEM", "count": 0}]}, "bundles"),
        ({"bundles": [{"bundled_item": "ITEM_WITH_VARIATIONS"}]}, "bundles"),
        ({"bundles": [{"bundled_item": "ITEM", "bundled_variation": "VARIATION"}]}, "bundles"),
    ],
)
def test_create_validation_errors_name_the_field(api, organizer, event, change, field):
    other_event = EventFactory(organizer=organizer)
    SalesChannelFactory(organizer=OrganizerFactory(), identifier="rival-only")
    with_variations = ItemFactory(event=event)
    placeholders = {
        "OTHER_EVENT_CATEGORY": ItemCategoryFactory(event=other_event).pk,
        "CATEGORY": ItemCategoryFactory(event=event).pk,
        "OTHER_EVENT_ITEM": ItemFactory(event=other_event).pk,
        "ITEM": ItemFactory(event=event).pk,
        "ITEM_WITH_VARIATIONS": with_variations.pk,
        "VARIATION": ItemVariationFactory(item=with_variations).pk,
    }

    def fill(value):
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return placeholders.get(value, value) if isinstance(value, str) else value

    before = Item.objects.count()
    response = api.post(URL, {**NEW_ITEM, **fill(change)}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Item.objects.count() == before
    assert not ItemAddOn.objects.exists() and not ItemBundle.objects.exists()


def test_patch(api, organizer, event):
    SalesChannelFactory(organizer=organizer, identifier="box")
    item = ItemFactory(event=event, description="Kept")
    response = api.patch(f"{URL}{item.pk}/", {"name": "Renamed", "sales_channels": ["box"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["sales_channels"] == ["box"]
    item.refresh_from_db()
    assert (item.name, item.description) == ("Renamed", "Kept")
    assert [c.identifier for c in item.limit_sales_channels.all()] == ["box"]


def test_put_replaces_every_field(api, organizer, event):
    category = ItemCategoryFactory(event=event)
    item = ItemFactory(
        event=event, category=category, description="Old", active=False, max_per_order=4, position=3,
    )
    item.limit_sales_channels.set([SalesChannelFactory(organizer=organizer, identifier="box")])
    variation = ItemVariationFactory(item=item)
    response = api.put(f"{URL}{item.pk}/", {"name": "New", "default_price": "5.00"}, format="json")
    assert response.status_code == 200, response.json()
    item.refresh_from_db()
    assert (item.name, item.default_price, item.category, item.description) == ("New", Decimal("5"), None, "")
    assert (item.active, item.max_per_order, item.position) == (True, None, 0)
    assert not item.limit_sales_channels.exists()
    assert [v["id"] for v in response.json()["variations"]] == [variation.pk]  # parts are not item fields


@pytest.mark.parametrize("part", ["variations", "addons", "bundles"])
def test_parts_cannot_be_changed_through_the_item(api, event, part):
    item = ItemFactory(event=event)
    response = api.patch(f"{URL}{item.pk}/", {part: []}, format="json")
    assert response.status_code == 400
    assert part in response.json()
    response = api.put(f"{URL}{item.pk}/", {**NEW_ITEM, part: []}, format="json")
    assert response.status_code == 400
    assert part in response.json()


def test_patch_validation_uses_the_stored_values(api, event):
    item = ItemFactory(event=event, min_per_order=5)
    response = api.patch(f"{URL}{item.pk}/", {"max_per_order": 2}, format="json")
    assert response.status_code == 400
    assert "max_per_order" in response.json()


def test_delete(api, event):
    item = ItemFactory(event=event)
    ItemVariationFactory(item=item)
    assert api.delete(f"{URL}{item.pk}/").status_code == 204
    assert not Item.objects.filter(pk=item.pk).exists()
    assert not ItemVariation.objects.exists()


def test_an_item_of_another_event_is_a_404(api, organizer, event):
    other = ItemFactory(event=EventFactory(organizer=organizer))
    assert api.get(f"{URL}{other.pk}/").status_code == 404
    assert api.put(f"{URL}{other.pk}/", NEW_ITEM, format="json").status_code == 404
    assert api.delete(f"{URL}{other.pk}/").status_code == 404
    assert Item.objects.filter(pk=other.pk).exists()


def test_anonymous_is_401(anon, event):
    assert anon.get(URL).status_code == 401
    assert anon.post(URL, NEW_ITEM, format="json").status_code == 401


def test_writes_need_can_change_items(api_for, event):
    item = ItemFactory(event=event)
    client = api_for(all_events=True, can_change_event_settings=True, can_view_orders=True)
    assert client.get(URL).status_code == 200
    assert client.post(URL, NEW_ITEM, format="json").status_code == 403
    assert client.patch(f"{URL}{item.pk}/", {"name": "x"}, format="json").status_code == 403
    assert client.delete(f"{URL}{item.pk}/").status_code == 403
    assert list(Item.objects.values_list("name", flat=True)) == [item.name]


def test_a_team_with_the_permission_for_another_event_only_cannot_write(api_for, organizer, event):
    other = EventFactory(organizer=organizer)
    client = api_for(all_events=False, limit_events=[other], can_change_items=True)
    response = client.post(URL, NEW_ITEM, format="json")
    assert response.status_code == 403


def test_foreign_organizer_and_hidden_event_are_403_like_missing_ones(api, api_for, organizer, event):
    assert_foreign_organizer_is_like_a_missing_one(api, "items/", NEW_ITEM)
    EventFactory(organizer=organizer, slug="hidden")
    limited = api_for(all_events=False, limit_events=[event], can_change_items=True)
    assert limited.post(URL, NEW_ITEM, format="json").status_code == 201
    assert_hidden_event_is_like_a_missing_one(limited, "demo-org", "items/")


def test_ids_in_events_the_caller_may_not_see_read_as_nonexistent(api_for, organizer, event):
    hidden = EventFactory(organizer=organizer, slug="hidden")
    hidden_category = ItemCategoryFactory(event=hidden)
    limited = api_for(all_events=False, limit_events=[event], can_change_items=True)
    error = limited.post(URL, {**NEW_ITEM, "category": hidden_category.pk}, format="json").json()["category"]
    assert "does not exist" in error[0]


def test_an_item_that_was_ordered_is_a_409(api, event, monkeypatch):
    item = ItemFactory(event=event)

    def delete_protected(self, *args, **kwargs):
        raise ProtectedError("order positions point at it", set())  # what orders' PROTECT foreign keys raise

    monkeypatch.setattr(Item, "delete", delete_protected)
    response = api.delete(f"{URL}{item.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "item_in_use"
    assert Item.objects.filter(pk=item.pk).exists()

"""Quotas: /api/v1/organizers/<o>/events/<e>/quotas/ and quotas/<id>/availability/"""

from __future__ import annotations

import pytest

from ticketing.models import Quota
from ticketing.quota_usage import QuotaUsage, override_quota_usage
from ticketing.tests.api.helpers import (
    assert_foreign_organizer_is_like_a_missing_one,
    assert_hidden_event_is_like_a_missing_one,
)
from ticketing.tests.factories import (
    EventFactory,
    ItemFactory,
    ItemVariationFactory,
    QuotaFactory,
    SubEventFactory,
)

URL = "/api/v1/organizers/demo-org/events/conf/quotas/"
SERIES_URL = "/api/v1/organizers/demo-org/events/fest/quotas/"


@pytest.fixture
def item(event):
    return ItemFactory(event=event)


@pytest.fixture
def series(organizer):
    return EventFactory(organizer=organizer, slug="fest", has_subevents=True)


def new_quota(*items, variations=()) -> dict:
    return {
        "name": "Main hall", "size": 250, "subevent": None,
        "items": [i.pk for i in items], "variations": [v.pk for v in variations],
    }


def test_list_is_paginated_with_the_envelope(api, event):
    QuotaFactory.create_batch(3, event=event)
    response = api.get(URL, {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (3, 2, None)
    assert body["next"].endswith("page=2&page_size=2")
    assert set(body["results"][0]) == {"id", "name", "size", "subevent", "items", "variations"}
    assert api.get(URL, {"page": 3, "page_size": 2}).status_code == 404


def test_filters(api, series):
    friday, saturday = SubEventFactory.create_batch(2, event=series)
    ticket, shirt = ItemFactory.create_batch(2, event=series)
    both = QuotaFactory(event=series, subevent=friday, items=[ticket, shirt])
    tickets = QuotaFactory(event=series, subevent=saturday, items=[ticket])
    shirts = QuotaFactory(event=series, subevent=saturday, items=[shirt])

    def ids(**params):
        response = api.get(SERIES_URL, params)
        assert response.status_code == 200, response.json()
        return [q["id"] for q in response.json()["results"]]

    assert ids(subevent=saturday.pk) == [tickets.pk, shirts.pk]
    assert ids(items=ticket.pk) == [both.pk, tickets.pk]
    assert ids(items=shirt.pk, subevent=friday.pk) == [both.pk]


@pytest.mark.parametrize("param", [{"subevent": "friday"}, {"items": "ticket"}, {"items": "2.5"}])
def test_invalid_filter_value_is_a_400_naming_the_parameter(api, event, param):
    response = api.get(URL, param)
    assert response.status_code == 400
    assert set(param) <= set(response.json())


def test_ordering(api, event):
    b = QuotaFactory(event=event, name="B", size=10)
    a = QuotaFactory(event=event, name="A", size=None)
    c = QuotaFactory(event=event, name="C", size=5)

    def ids(ordering=None):
        return [q["id"] for q in api.get(URL, {"ordering": ordering} if ordering else {}).json()["results"]]

    assert ids() == [b.pk, a.pk, c.pk]  # default: id
    assert ids("name") == [a.pk, b.pk, c.pk]
    assert ids("-id") == [c.pk, a.pk, b.pk]
    assert ids("size") == [c.pk, b.pk, a.pk]  # unlimited is the largest, on every database
    assert ids("-size") == [a.pk, b.pk, c.pk]


def test_list_query_count_does_not_grow_with_page_size(api, event, django_assert_max_num_queries):
    item = ItemFactory(event=event)
    variations = ItemVariationFactory.create_batch(2, item=item)
    QuotaFactory.create_batch(30, event=event, items=[item], variations=variations)
    with django_assert_max_num_queries(9):
        results = api.get(URL, {"page_size": 30}).json()["results"]
    assert len(results) == 30
    assert all(r["items"] == [item.pk] and len(r["variations"]) == 2 for r in results)


def test_create_returns_the_full_object(api, event, item):
    variation = ItemVariationFactory(item=item)
    response = api.post(URL, new_quota(item, variations=[variation]), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {"id": body["id"], **new_quota(item, variations=[variation])}
    quota = Quota.objects.get(pk=body["id"])
    assert quota.event == event
    assert (list(quota.items.all()), list(quota.variations.all())) == ([item], [variation])


def test_create_an_unlimited_quota_of_a_date(api, series):
    date = SubEventFactory(event=series)
    ticket = ItemFactory(event=series)
    body = {**new_quota(ticket), "size": None, "subevent": date.pk}
    response = api.post(SERIES_URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["size"], response.json()["subevent"]) == (None, date.pk)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"size": -1}, "size"),
        ({"items": ["OTHER_EVENT_ITEM"]}, "items"),
        ({"items": [999999]}, "items"),
        ({"variations": ["VARIATION_OF_UNLISTED_ITEM"]}, "variations"),
        ({"subevent": "DATE"}, "subevent"),
    ],
)
def test_create_validation_errors_name_the_field(api, organizer, event, item, change, field):
    placeholders = {
        "OTHER_EVENT_ITEM": ItemFactory(event=EventFactory(organizer=organizer)).pk,
        "VARIATION_OF_UNLISTED_ITEM": ItemVariationFactory(item=ItemFactory(event=event)).pk,
        "DATE": SubEventFactory(event=EventFactory(organizer=organizer, has_subevents=True)).pk,
    }

    def fill(value):
        if isinstance(value, list):
            return [fill(v) for v in value]
        return placeholders.get(value, value) if isinstance(value, str) else value

    response = api.post(URL, {**new_quota(item), **{k: fill(v) for k, v in change.items()}}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Quota.objects.exists()


def test_a_quota_of_a_series_needs_a_date_of_that_series(api, organizer, series):
    ticket = ItemFactory(event=series)
    response = api.post(SERIES_URL, new_quota(ticket), format="json")
    assert response.status_code == 400
    assert "subevent" in response.json()
    other_series_date = SubEventFactory(event=EventFactory(organizer=organizer, has_subevents=True))
    response = api.post(SERIES_URL, {**new_quota(ticket), "subevent": other_series_date.pk}, format="json")
    assert response.status_code == 400
    assert "subevent" in response.json()
    assert not Quota.objects.exists()


def test_patch_and_put(api, event, item):
    variation = ItemVariationFactory(item=item)
    quota = QuotaFactory(event=event, size=10, items=[item], variations=[variation])
    response = api.patch(f"{URL}{quota.pk}/", {"size": 20}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["size"], response.json()["items"]) == (20, [item.pk])
    response = api.patch(f"{URL}{quota.pk}/", {"items": []}, format="json")
    assert response.status_code == 400  # the stored variation would belong to no listed item
    assert "variations" in response.json()
    response = api.put(f"{URL}{quota.pk}/", {"name": "Replaced"}, format="json")
    assert response.status_code == 200, response.json()
    quota.refresh_from_db()
    assert (quota.name, quota.size, list(quota.items.all()), list(quota.variations.all())) == (
        "Replaced", None, [], [],
    )


def test_delete(api, event):
    quota = QuotaFactory(event=event)
    assert api.delete(f"{URL}{quota.pk}/").status_code == 204
    assert not Quota.objects.exists()


def test_a_quota_of_another_event_is_a_404(api, organizer, event):
    other = QuotaFactory(event=EventFactory(organizer=organizer))
    assert api.get(f"{URL}{other.pk}/").status_code == 404
    assert api.get(f"{URL}{other.pk}/availability/").status_code == 404
    assert api.patch(f"{URL}{other.pk}/", {"size": 1}, format="json").status_code == 404
    assert api.delete(f"{URL}{other.pk}/").status_code == 404
    assert Quota.objects.filter(pk=other.pk, size=100).exists()


def test_anonymous_is_401(anon, event):
    quota = QuotaFactory(event=event)
    assert anon.get(URL).status_code == 401
    assert anon.get(f"{URL}{quota.pk}/availability/").status_code == 401


def test_writes_need_can_change_items(api_for, event, item):
    quota = QuotaFactory(event=event)
    client = api_for(all_events=True, can_change_event_settings=True)
    assert client.get(f"{URL}{quota.pk}/").status_code == 200
    assert client.get(f"{URL}{quota.pk}/availability/").status_code == 200
    assert client.post(URL, new_quota(item), format="json").status_code == 403
    assert client.patch(f"{URL}{quota.pk}/", {"size": 1}, format="json").status_code == 403
    assert client.delete(f"{URL}{quota.pk}/").status_code == 403
    assert Quota.objects.filter(size=100).count() == 1


def test_foreign_organizer_and_hidden_event_are_403_like_missing_ones(api, api_for, organizer, event, item):
    assert_foreign_organizer_is_like_a_missing_one(api, "quotas/", new_quota(item))
    EventFactory(organizer=organizer, slug="hidden")
    limited = api_for(all_events=False, limit_events=[event])
    assert limited.get(URL).status_code == 200
    assert_hidden_event_is_like_a_missing_one(limited, "demo-org", "quotas/")


# --- availability ----------------------------------------------------------------------------------


@pytest.fixture
def usage():
    """Stand-ins for what the orders and vouchers apps will register: fixed counts per quota id."""
    counts: dict[QuotaUsage, dict[int, int]] = {}

    def counter(kind):
        return lambda quotas: {q.pk: counts.get(kind, {}).get(q.pk, 0) for q in quotas}

    with override_quota_usage({kind: counter(kind) for kind in QuotaUsage}):
        yield counts


def test_availability_without_any_usage(api, event, usage):
    quota = QuotaFactory(event=event, size=100)
    response = api.get(f"{URL}{quota.pk}/availability/")
    assert response.status_code == 200
    assert response.json() == {
        "total_size": 100, "pending_orders": 0, "paid_orders": 0, "cart_positions": 0, "blocking_vouchers": 0,
        "available_number": 100, "available": True,
    }


def test_availability_subtracts_what_other_apps_count(api, event, usage):
    quota = QuotaFactory(event=event, size=10)
    usage[QuotaUsage.PENDING_ORDERS] = {quota.pk: 2}
    usage[QuotaUsage.PAID_ORDERS] = {quota.pk: 3}
    usage[QuotaUsage.CART_POSITIONS] = {quota.pk: 1}
    usage[QuotaUsage.BLOCKING_VOUCHERS] = {quota.pk: 4}
    assert api.get(f"{URL}{quota.pk}/availability/").json() == {
        "total_size": 10, "pending_orders": 2, "paid_orders": 3, "cart_positions": 1, "blocking_vouchers": 4,
        "available_number": 0, "available": False,
    }


def test_unlimited_quota_is_always_available(api, event, usage):
    quota = QuotaFactory(event=event, size=None)
    usage[QuotaUsage.PAID_ORDERS] = {quota.pk: 5000}
    body = api.get(f"{URL}{quota.pk}/availability/").json()
    assert (body["total_size"], body["paid_orders"], body["available_number"], body["available"]) == (
        None, 5000, None, True,
    )

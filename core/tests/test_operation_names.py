"""Each operation of the served schema has its resource's tag and a summary of its own."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from core.operation_names import RESOURCES, operation_summary, operation_tag, resource_of

OPERATIONS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock(), override_settings(DEBUG=True):
        response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema):
    return [
        (path, method.upper(), operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in OPERATIONS
    ]


def test_every_operation_is_tagged_with_its_resource_and_summarised_once(schema):
    tags = {resource.tag for resource in RESOURCES.values()}
    summaries = []
    for path, method, operation in operations(schema):
        assert len(operation["tags"]) == 1 and operation["tags"][0] in tags, (method, path, operation["tags"])
        assert operation["summary"], (method, path)
        summaries.append(operation["summary"])
    assert len(summaries) > 100
    assert len(summaries) == len(set(summaries)), sorted(s for s in summaries if summaries.count(s) > 1)


def test_resource_tags_and_summaries_of_some_operations(schema):
    by_route = {(method, path): operation for path, method, operation in operations(schema)}
    event = "/api/v1/organizers/{organizer_slug}/events/{event_slug}"
    expected = {
        ("GET", "/api/v1/organizers/"): ("Organizers", "List organizers"),
        ("POST", f"{event}/vouchers/"): ("Vouchers", "Create a voucher"),
        ("PATCH", f"{event}/quotas/{{id}}/"): ("Quotas", "Change a quota"),
        ("POST", f"{event}/carts/{{id}}/checkout/"): ("Carts", "Check a cart out: create its order"),
        ("DELETE", f"{event}/carts/{{id}}/codes/{{code}}/"): ("Carts", "Remove a code from a cart"),
        ("GET", f"{event}/items/{{item_pk}}/addons/"): ("Item add-ons", "List add-ons of an item"),
        ("POST", f"{event}/price-preview/"): ("Price preview", "Price a cart without storing it"),
        ("GET", "/api/v1/organizers/{organizer_slug}/code-info/{code}/"): (
            "Public code lookup",
            "Look up a typed code (public)",
        ),
    }
    for route, (tag, summary) in expected.items():
        operation = by_route[route]
        assert (operation["tags"], operation["summary"]) == ([tag], summary), route


@pytest.mark.parametrize(
    ("path", "resource"),
    [
        ("/api/v1/organizers/", "organizers"),
        ("/api/v1/organizers/{slug}/", "organizers"),
        ("/api/v1/organizers/{organizer_slug}/events/{slug}/", "events"),
        ("/api/v1/organizers/{organizer_slug}/coupon-series/{id}/generate/", "coupon-series"),
        (
            "/api/v1/organizers/{organizer_slug}/events/{event_slug}/carts/{id}/positions/{position_id}/",
            "carts",
        ),
        (
            "/api/v1/organizers/{organizer_slug}/events/{event_slug}/items/{item_pk}/variations/{id}/",
            "variations",
        ),
        ("/api/v1/organizers/{organizer_slug}/events/{event_slug}/vouchers/batch_create/", "vouchers"),
    ],
)
def test_the_resource_of_a_path(path, resource):
    assert resource_of(path) == resource


def test_a_resource_or_action_without_a_name_is_an_error_not_a_default():
    with pytest.raises(KeyError):
        operation_tag("/api/v1/organizers/{organizer_slug}/widgets/")
    with pytest.raises(KeyError, match="add it to ACTIONS"):
        operation_summary(
            "/api/v1/organizers/{organizer_slug}/coupons/{id}/frobnicate/", "POST", "frobnicate"
        )

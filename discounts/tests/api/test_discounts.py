"""Discount rules API: /api/v1/organizers/<o>/events/<e>/discounts/"""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import ConflictError
from discounts.models import Discount
from discounts.tests.factories import DiscountFactory
from ticketing.api.scoping import EVENT_FORBIDDEN, ORGANIZER_FORBIDDEN
from ticketing.tests.factories import EventFactory, ItemFactory, OrganizerFactory, SalesChannelFactory

URL = "/api/v1/organizers/demo-org/events/conf/discounts/"

# pretix's example body.
THREE_FOR_TWO = {
    "active": True,
    "internal_name": "3 for 2",
    "position": 1,
    "all_sales_channels": False,
    "limit_sales_channels": ["web"],
    "sales_channels": ["web"],
    "available_from": None,
    "available_until": None,
    "subevent_mode": "mixed",
    "event_date_from": None,
    "event_date_until": None,
    "condition_all_products": True,
    "condition_limit_products": [],
    "condition_apply_to_addons": True,
    "condition_ignore_voucher_discounted": False,
    "condition_min_count": 3,
    "condition_min_value": "0.00",
    "benefit_same_products": True,
    "benefit_limit_products": [],
    "benefit_apply_to_addons": True,
    "benefit_ignore_voucher_discounted": False,
    "benefit_discount_matching_percent": "100.00",
    "benefit_only_apply_to_cheapest_n_matches": 1,
}
FIELDS = {"id", *THREE_FOR_TWO}


@pytest.fixture
def box(organizer):
    return SalesChannelFactory(organizer=organizer, identifier="box", label="Box office")


def detail(rule) -> str:
    return f"{URL}{rule.pk}/"


# --- lists ---------------------------------------------------------------------------------------


def test_list_is_paginated_with_the_envelope(api, event):
    DiscountFactory.create_batch(3, event=event)
    response = api.get(URL, {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"].endswith("page=2&page_size=2")
    assert body["previous"] is None
    assert set(body["results"][0]) == FIELDS
    assert api.get(URL, {"page": 3, "page_size": 2}).status_code == 404


def test_list_is_in_application_order_by_default(api, event):
    third = DiscountFactory(event=event, position=5)
    first = DiscountFactory(event=event, position=1)
    second = DiscountFactory(event=event, position=1)
    DiscountFactory(position=0)  # another event
    ids = [r["id"] for r in api.get(URL).json()["results"]]
    assert ids == [first.pk, second.pk, third.pk]


def test_list_ordering(api, event):
    a = DiscountFactory(event=event, position=2)
    b = DiscountFactory(event=event, position=1)
    c = DiscountFactory(event=event, position=2)
    assert [r["id"] for r in api.get(URL, {"ordering": "-position"}).json()["results"]] == [c.pk, a.pk, b.pk]
    assert [r["id"] for r in api.get(URL, {"ordering": "position"}).json()["results"]] == [b.pk, a.pk, c.pk]
    assert [r["id"] for r in api.get(URL, {"ordering": "-id"}).json()["results"]] == [c.pk, b.pk, a.pk]


def test_list_filters(api, event):
    on = DiscountFactory(event=event)
    off = DiscountFactory(event=event, inactive=True)
    same = DiscountFactory(event=event, subevent_mode="same")
    assert [r["id"] for r in api.get(URL, {"active": "true"}).json()["results"]] == [on.pk, same.pk]
    assert [r["id"] for r in api.get(URL, {"active": "false"}).json()["results"]] == [off.pk]
    assert [r["id"] for r in api.get(URL, {"subevent_mode": "same"}).json()["results"]] == [same.pk]


@pytest.mark.parametrize(
    ("params", "name"), [({"active": "maybe"}, "active"), ({"subevent_mode": "odd"}, "subevent_mode")]
)
def test_invalid_filter_value_is_a_400_naming_the_parameter(api, event, params, name):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert name in response.json()


def test_list_query_count_does_not_grow_with_page_size(api, event, box, django_assert_max_num_queries):
    items = ItemFactory.create_batch(3, event=event)
    for _ in range(30):
        DiscountFactory(
            event=event, condition_limit_products=items[:2], benefit_limit_products=items[2:],
            limit_sales_channels=[box],
        )
    DiscountFactory(event=event)  # on all channels: sales_channels lists the organizer's channels
    with django_assert_max_num_queries(11):  # auth + scope 5, count, rules, 3 lists, organizer channels
        results = api.get(URL, {"page_size": 31}).json()["results"]
    assert len(results) == 31
    assert results[0]["condition_limit_products"] == [items[0].pk, items[1].pk]
    assert results[0]["sales_channels"] == ["box"]
    assert results[-1]["sales_channels"] == ["box", "web"]


def test_detail(api, event):
    rule = DiscountFactory(event=event, three_for_two=True)
    body = api.get(detail(rule)).json()
    assert body["id"] == rule.pk
    assert body["benefit_discount_matching_percent"] == "100.00"
    assert body["benefit_only_apply_to_cheapest_n_matches"] == 1


# --- writes --------------------------------------------------------------------------------------


def test_create_returns_the_full_object(api, event):
    response = api.post(URL, THREE_FOR_TWO, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    rule = Discount.objects.get(event=event)
    # The organizer only has "web": limiting to it is the same as all channels.
    assert body == {**THREE_FOR_TWO, "id": rule.pk, "all_sales_channels": True, "limit_sales_channels": []}
    assert rule.benefit_only_apply_to_cheapest_n_matches == 1


def test_create_with_only_the_needed_fields_takes_pretix_defaults(api, event):
    response = api.post(URL, {"internal_name": "10%", "condition_min_value": "100.00",
                              "benefit_discount_matching_percent": "10"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["active"] is True
    assert body["position"] == 0
    assert body["all_sales_channels"] is True
    assert (body["limit_sales_channels"], body["sales_channels"]) == ([], ["web"])
    assert body["subevent_mode"] == "mixed"
    assert body["condition_min_count"] == 0
    assert body["condition_min_value"] == "100.00"
    assert body["benefit_discount_matching_percent"] == "10.00"
    assert body["benefit_only_apply_to_cheapest_n_matches"] is None
    assert (body["condition_all_products"], body["benefit_same_products"]) == (True, True)


def test_create_with_product_lists(api, event):
    ticket, shirt = ItemFactory(event=event), ItemFactory(event=event)
    body = {**THREE_FOR_TWO, "condition_all_products": False, "condition_limit_products": [ticket.pk],
            "benefit_same_products": False, "benefit_limit_products": [shirt.pk]}
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    rule = Discount.objects.get(pk=response.json()["id"])
    assert list(rule.condition_limit_products.all()) == [ticket]
    assert list(rule.benefit_limit_products.all()) == [shirt]


def test_money_uses_the_event_currency(api, organizer):
    EventFactory(organizer=organizer, slug="yen", currency="JPY")
    url = "/api/v1/organizers/demo-org/events/yen/discounts/"
    body = {"internal_name": "big", "condition_min_value": "10000", "benefit_discount_matching_percent": "5"}
    response = api.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["condition_min_value"] == "10000"
    response = api.post(url, {**body, "condition_min_value": "10000.50"}, format="json")
    assert response.status_code == 400
    assert "condition_min_value" in response.json()


def test_patch(api, event):
    rule = DiscountFactory(event=event, three_for_two=True, position=4)
    response = api.patch(detail(rule), {"active": False}, format="json")
    assert response.status_code == 200
    assert response.json()["active"] is False
    rule.refresh_from_db()
    assert (rule.active, rule.position, rule.condition_min_count) == (False, 4, 3)


def test_patch_is_validated_against_the_stored_rule(api, event):
    rule = DiscountFactory(event=event, three_for_two=True)
    response = api.patch(detail(rule), {"condition_min_value": "50.00"}, format="json")
    assert response.status_code == 400
    assert "condition_min_value" in response.json()
    change = {"condition_min_count": 0, "condition_min_value": "50.00"}
    response = api.patch(detail(rule), change, format="json")
    assert response.status_code == 400  # a minimum value cannot go with "cheapest n"
    assert "benefit_only_apply_to_cheapest_n_matches" in response.json()


def test_put_replaces_and_resets_what_it_leaves_out(api, event, box):
    item = ItemFactory(event=event)
    rule = DiscountFactory(
        event=event, three_for_two=True, position=7, active=False, condition_limit_products=[item],
        limit_sales_channels=[box],
    )
    body = {"internal_name": "Group", "condition_min_count": 5, "benefit_discount_matching_percent": "15.00"}
    response = api.put(detail(rule), body, format="json")
    assert response.status_code == 200, response.json()
    rule.refresh_from_db()
    assert rule.internal_name == "Group"
    assert (rule.condition_min_count, rule.benefit_discount_matching_percent) == (5, Decimal("15.00"))
    assert (rule.position, rule.active, rule.benefit_only_apply_to_cheapest_n_matches) == (0, True, None)
    assert (rule.condition_all_products, list(rule.condition_limit_products.all())) == (True, [])
    assert (rule.all_sales_channels, list(rule.limit_sales_channels.all())) == (True, [])


def test_put_needs_the_required_fields(api, event):
    rule = DiscountFactory(event=event)
    response = api.put(detail(rule), {"condition_min_count": 3}, format="json")
    assert response.status_code == 400
    assert "internal_name" in response.json()


def test_delete(api, event):
    rule = DiscountFactory(event=event)
    assert api.delete(detail(rule)).status_code == 204
    assert not Discount.objects.filter(pk=rule.pk).exists()


def test_delete_of_a_rule_in_use_is_a_409(api, event, monkeypatch):
    # Orders (next issue) protect the rules they used; simulate that at the service boundary.
    rule = DiscountFactory(event=event)

    def in_use(*, discount):
        raise ConflictError("in use", code="discount_in_use", discount=discount.pk)

    monkeypatch.setattr("discounts.api.views.discount_delete", in_use)
    response = api.delete(detail(rule))
    assert response.status_code == 409
    assert response.json()["code"] == "discount_in_use"
    assert Discount.objects.filter(pk=rule.pk).exists()


# --- sales channels, old and new fields ----------------------------------------------------------


def test_limit_sales_channels_by_identifier(api, event, box):
    response = api.post(URL, {**THREE_FOR_TWO, "sales_channels": ["box"]}, format="json")
    assert response.status_code == 400  # limit_sales_channels ["web"] says something else
    assert "limit_sales_channels" in response.json()
    body = {**THREE_FOR_TWO, "limit_sales_channels": ["box"]}
    del body["sales_channels"]
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["all_sales_channels"], response.json()["sales_channels"]) == (False, ["box"])
    assert [c.identifier for c in Discount.objects.get().limit_sales_channels.all()] == ["box"]


@pytest.mark.parametrize(
    ("legacy", "all_channels", "limited"),
    [(["web"], False, ["web"]), (["box", "web"], True, []), (["web", "box"], True, []), ([], False, [])],
)
def test_legacy_sales_channels_write(api, event, box, legacy, all_channels, limited):
    body = {k: v for k, v in THREE_FOR_TWO.items() if k not in ("all_sales_channels", "limit_sales_channels")}
    response = api.post(URL, {**body, "sales_channels": legacy}, format="json")
    assert response.status_code == 201, response.json()
    result = response.json()
    assert (result["all_sales_channels"], result["limit_sales_channels"]) == (all_channels, limited)
    assert result["sales_channels"] == (["box", "web"] if all_channels else limited)


def test_all_sales_channels_clears_the_limit(api, event, box):
    body = {k: v for k, v in THREE_FOR_TWO.items() if k != "sales_channels"}
    body.update(all_sales_channels=True, limit_sales_channels=["box"])
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    result = response.json()
    assert (result["limit_sales_channels"], result["sales_channels"]) == ([], ["box", "web"])


def test_legacy_field_contradicting_all_sales_channels_is_a_400(api, event, box):
    body = {**THREE_FOR_TWO, "all_sales_channels": True, "limit_sales_channels": []}  # sales_channels ["web"]
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert "all_sales_channels" in response.json()


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"condition_min_value": "10.00"}, "condition_min_value", id="both minimums"),
        pytest.param({"condition_min_count": 0}, "condition_min_count", id="neither minimum"),
        pytest.param({"condition_min_count": 0, "condition_min_value": "10.00"},
                     "benefit_only_apply_to_cheapest_n_matches", id="cheapest n with a minimum value"),
        pytest.param({"benefit_only_apply_to_cheapest_n_matches": 0},
                     "benefit_only_apply_to_cheapest_n_matches", id="cheapest 0"),
        pytest.param({"condition_min_count": 0, "condition_min_value": "10.00",
                      "benefit_only_apply_to_cheapest_n_matches": None, "subevent_mode": "distinct"},
                     "subevent_mode", id="distinct with a minimum value"),
        pytest.param({"subevent_mode": "distinct", "benefit_same_products": False}, "benefit_same_products",
                     id="distinct with other benefit products"),
        pytest.param({"subevent_mode": "sometimes"}, "subevent_mode", id="unknown subevent mode"),
        pytest.param({"benefit_discount_matching_percent": "100.01"}, "benefit_discount_matching_percent",
                     id="percent over 100"),
        pytest.param({"benefit_discount_matching_percent": "-5.00"}, "benefit_discount_matching_percent",
                     id="negative percent"),
        pytest.param({"benefit_discount_matching_percent": "10.005"}, "benefit_discount_matching_percent",
                     id="percent with 3 places"),
        pytest.param({"condition_min_count": -1}, "condition_min_count", id="negative count"),
        pytest.param({"condition_min_count": 0, "condition_min_value": "-1.00",
                      "benefit_only_apply_to_cheapest_n_matches": None}, "condition_min_value",
                     id="negative value"),
        pytest.param({"condition_min_count": 0, "condition_min_value": "10.001",
                      "benefit_only_apply_to_cheapest_n_matches": None}, "condition_min_value",
                     id="EUR value with 3 places"),
        pytest.param({"available_from": "2026-06-02T00:00:00Z", "available_until": "2026-06-01T00:00:00Z"},
                     "available_until", id="availability ends before it starts"),
        pytest.param({"event_date_from": "2026-06-02T00:00:00Z",
                      "event_date_until": "2026-06-01T00:00:00Z"},
                     "event_date_until", id="date window ends before it starts"),
        pytest.param({"limit_sales_channels": ["nowhere"], "sales_channels": ["nowhere"]},
                     "limit_sales_channels", id="unknown channel"),
        pytest.param({"limit_sales_channels": [], "sales_channels": ["web", "nowhere"]}, "sales_channels",
                     id="unknown channel in the legacy list"),
        pytest.param({"sales_channels": None}, "sales_channels", id="legacy list null"),
        pytest.param({"internal_name": ""}, "internal_name", id="no name"),
    ],
)
def test_create_validation_errors_name_the_field(api, event, change, field):
    response = api.post(URL, {**THREE_FOR_TWO, **change}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Discount.objects.exists()


# --- the date window: pretix's names, and the deprecated ones --------------------------------------


def without_date_window(body: dict) -> dict:
    return {key: value for key, value in body.items() if key not in ("event_date_from", "event_date_until")}


def test_the_date_window_reads_and_writes_under_pretix_names(api, event):
    body = {**THREE_FOR_TWO, "event_date_from": "2026-06-01T00:00:00Z",
            "event_date_until": "2026-06-30T00:00:00Z"}
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["event_date_from"] == "2026-06-01T00:00:00Z"
    assert data["event_date_until"] == "2026-06-30T00:00:00Z"
    assert "subevent_date_from" not in data and "subevent_date_until" not in data
    rule = Discount.objects.get()
    assert rule.subevent_date_from.isoformat() == "2026-06-01T00:00:00+00:00"
    assert rule.subevent_date_until.isoformat() == "2026-06-30T00:00:00+00:00"


def test_the_deprecated_names_are_still_read(api, event):
    body = {**without_date_window(THREE_FOR_TWO), "subevent_date_from": "2026-06-01T00:00:00Z"}
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["event_date_from"], response.json()["event_date_until"]) == (
        "2026-06-01T00:00:00Z", None,
    )
    rule = Discount.objects.get()
    patched = api.patch(detail(rule), {"subevent_date_until": "2026-06-30T00:00:00Z"}, format="json")
    assert patched.status_code == 200, patched.json()
    assert patched.json()["event_date_until"] == "2026-06-30T00:00:00Z"
    rule.refresh_from_db()
    assert rule.subevent_date_until.isoformat() == "2026-06-30T00:00:00+00:00"


def test_both_names_with_the_same_instant_are_accepted(api, event):
    body = {**THREE_FOR_TWO, "event_date_from": "2026-06-01T02:00:00+02:00",
            "subevent_date_from": "2026-06-01T00:00:00Z"}
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["event_date_from"] == "2026-06-01T00:00:00Z"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"event_date_from": "2026-06-01T00:00:00Z",
                      "subevent_date_from": "2026-06-02T00:00:00Z"},
                     "event_date_from", id="two starts"),
        pytest.param({"event_date_until": None, "subevent_date_until": "2026-06-02T00:00:00Z"},
                     "event_date_until", id="null and an end"),
    ],
)
def test_both_names_with_different_values_are_a_400_naming_the_field(api, event, change, field):
    response = api.post(URL, {**THREE_FOR_TWO, **change}, format="json")
    assert response.status_code == 400
    legacy = field.replace("event_", "subevent_")
    assert response.json() == {
        field: [f"{legacy} is the deprecated name of {field}: send one of them, or the same value."]
    }
    assert not Discount.objects.exists()


def test_a_window_under_the_deprecated_names_that_ends_before_it_starts_names_the_new_field(api, event):
    body = {**without_date_window(THREE_FOR_TWO), "subevent_date_from": "2026-06-02T00:00:00Z",
            "subevent_date_until": "2026-06-01T00:00:00Z"}
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["event_date_until"]


@pytest.mark.parametrize("field", ["condition_limit_products", "benefit_limit_products"])
def test_products_of_another_event_are_a_400(api, event, organizer, field):
    foreign = ItemFactory(event=EventFactory(organizer=organizer))
    body = {**THREE_FOR_TWO, "condition_all_products": False, "benefit_same_products": False}
    body[field] = [foreign.pk]
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_channel_of_another_organizer_is_a_400(api, event):
    SalesChannelFactory(organizer=OrganizerFactory(), identifier="box")
    body = {**THREE_FOR_TWO, "limit_sales_channels": ["box"], "sales_channels": ["box"]}
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert "limit_sales_channels" in response.json()


def test_non_series_event_accepts_same_and_distinct(api, event):
    # As in pretix; on an event that is not a series the engine treats every mode like "mixed".
    assert api.post(URL, {**THREE_FOR_TWO, "subevent_mode": "distinct"}, format="json").status_code == 201


# --- authentication and permissions --------------------------------------------------------------


def test_anonymous_is_401(anon, event):
    response = anon.get(URL)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_reading_needs_only_event_access_writing_needs_can_change_items(api_for, event):
    rule = DiscountFactory(event=event)
    reader = api_for(all_events=True, can_view_orders=True)
    assert reader.get(URL).status_code == 200
    assert reader.get(detail(rule)).status_code == 200
    assert reader.post(URL, THREE_FOR_TWO, format="json").status_code == 403
    assert reader.patch(detail(rule), {"active": False}, format="json").status_code == 403
    assert reader.put(detail(rule), THREE_FOR_TWO, format="json").status_code == 403
    assert reader.delete(detail(rule)).status_code == 403
    assert Discount.objects.filter(pk=rule.pk, active=True).exists()
    writer = api_for(all_events=False, limit_events=[event], can_change_items=True)
    assert writer.patch(detail(rule), {"active": False}, format="json").status_code == 200


def test_team_of_another_event_gets_403_like_a_nonexistent_event(api_for, organizer, event):
    other = EventFactory(organizer=organizer, slug="other")
    client = api_for(all_events=False, limit_events=[other], can_change_items=True)
    hidden = client.get(URL)
    missing = client.get("/api/v1/organizers/demo-org/events/nonexistent/discounts/")
    assert hidden.status_code == missing.status_code == 403
    assert hidden.json() == missing.json() == {"code": "permission_denied", "detail": EVENT_FORBIDDEN}


def test_other_organizer_is_403_like_a_nonexistent_one(api, event):
    rival = EventFactory(organizer=OrganizerFactory(slug="rival"), slug="conf")
    rule = DiscountFactory(event=rival)
    foreign = api.get(f"/api/v1/organizers/rival/events/conf/discounts/{rule.pk}/")
    missing = api.get(f"/api/v1/organizers/nope/events/conf/discounts/{rule.pk}/")
    assert foreign.status_code == missing.status_code == 403
    assert foreign.json() == missing.json() == {"code": "permission_denied", "detail": ORGANIZER_FORBIDDEN}
    assert api.delete(f"/api/v1/organizers/rival/events/conf/discounts/{rule.pk}/").status_code == 403
    assert Discount.objects.filter(pk=rule.pk).exists()


def test_rule_of_another_event_is_a_404_under_this_event(api, organizer, event):
    elsewhere = DiscountFactory(event=EventFactory(organizer=organizer))
    foreign = DiscountFactory(event=EventFactory(organizer=OrganizerFactory()))
    for rule in (elsewhere, foreign):
        assert api.get(detail(rule)).status_code == 404
        assert api.patch(detail(rule), {"active": False}, format="json").status_code == 404
        assert api.delete(detail(rule)).status_code == 404
    assert Discount.objects.filter(active=True).count() == 2

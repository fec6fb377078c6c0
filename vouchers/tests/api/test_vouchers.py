"""Vouchers API: /api/v1/organizers/<o>/events/<e>/vouchers/"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ticketing.api.scoping import EVENT_FORBIDDEN, ORGANIZER_FORBIDDEN
from ticketing.tests.factories import (
    EventFactory,
    ItemCategoryFactory,
    ItemFactory,
    ItemVariationFactory,
    OrganizerFactory,
    QuotaFactory,
    SubEventFactory,
)
from vouchers.codes import ALPHABET
from vouchers.models import Voucher
from vouchers.tests.factories import CouponFactory, VoucherFactory

URL = "/api/v1/organizers/demo-org/events/conf/vouchers/"
FIELDS = {
    "id",
    "code",
    "max_usages",
    "min_usages",
    "redeemed",
    "budget",
    "budget_used",
    "valid_from",
    "valid_until",
    "block_quota",
    "allow_ignore_quota",
    "price_mode",
    "value",
    "item",
    "variation",
    "quota",
    "subevent",
    "tag",
    "comment",
    "show_hidden_items",
    "all_addons_included",
    "all_bundles_included",
    "created",
}


def test_list_is_paginated_with_the_envelope(api, event):
    VoucherFactory.create_batch(3, event=event)
    VoucherFactory(event=EventFactory(organizer=event.organizer))  # another event's voucher is not listed
    body = api.get(URL, {"page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"].endswith("page=2&page_size=2")
    assert body["previous"] is None
    assert set(body["results"][0]) == FIELDS
    assert api.get(URL, {"page": 3, "page_size": 2}).status_code == 404


def test_filters(api, event):
    item = ItemFactory(event=event)
    now = timezone.now()
    VoucherFactory(event=event, code="SPRING-ONE", tag="spring", item=item)
    VoucherFactory(event=event, code="SPRING-TWO", tag="spring", valid_until=now - timedelta(days=1))
    VoucherFactory(event=event, code="SUMMER-ONE", tag="summer", max_usages=2, redeemed=2)

    def codes(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return sorted(v["code"] for v in response.json()["results"])

    assert codes(code=" spring-one ") == ["SPRING-ONE"]
    assert codes(tag="spring") == ["SPRING-ONE", "SPRING-TWO"]
    assert codes(active="true") == ["SPRING-ONE"]
    assert codes(active="false") == ["SPRING-TWO", "SUMMER-ONE"]
    assert codes(item=item.pk) == ["SPRING-ONE"]


def test_subevent_filter(api, organizer):
    series = EventFactory(organizer=organizer, slug="tour", has_subevents=True)
    date = SubEventFactory(event=series)
    VoucherFactory(event=series, subevent=date, code="ON-THE-DATE")
    VoucherFactory(event=series, code="ANY-DATE")
    response = api.get("/api/v1/organizers/demo-org/events/tour/vouchers/", {"subevent": date.pk})
    assert [v["code"] for v in response.json()["results"]] == ["ON-THE-DATE"]


def listed_codes(api, **params) -> list[str]:
    response = api.get(URL, params)
    assert response.status_code == 200, response.json()
    return sorted(v["code"] for v in response.json()["results"])


def test_max_usages_and_redeemed_filters_match_exactly(api, event):
    VoucherFactory(event=event, code="ONCE-UNUSED", max_usages=1, redeemed=0)
    VoucherFactory(event=event, code="TWICE-ONCE", max_usages=2, redeemed=1)
    VoucherFactory(event=event, code="TWICE-UNUSED", max_usages=2, redeemed=0)
    assert listed_codes(api, max_usages=2) == ["TWICE-ONCE", "TWICE-UNUSED"]
    assert listed_codes(api, max_usages=3) == []
    assert listed_codes(api, redeemed=0) == ["ONCE-UNUSED", "TWICE-UNUSED"]
    assert listed_codes(api, redeemed=1) == ["TWICE-ONCE"]
    assert listed_codes(api, max_usages=2, redeemed=0) == ["TWICE-UNUSED"]


@pytest.mark.parametrize("field", ["block_quota", "allow_ignore_quota"])
def test_quota_flag_filters(api, event, field):
    VoucherFactory(event=event, code="FLAG-ON", **{field: True})
    VoucherFactory(event=event, code="FLAG-OFF", **{field: False})
    assert listed_codes(api, **{field: "true"}) == ["FLAG-ON"]
    assert listed_codes(api, **{field: "false"}) == ["FLAG-OFF"]


def test_price_mode_and_value_filters(api, event):
    VoucherFactory(event=event, code="SET-TWELVE", price_mode="set", value=Decimal("12.00"))
    VoucherFactory(event=event, code="OFF-TWELVE", price_mode="subtract", value=Decimal("12.00"))
    VoucherFactory(event=event, code="TEN-PERCENT", price_mode="percent", value=Decimal("10.00"))
    VoucherFactory(event=event, code="NO-EFFECT")
    assert listed_codes(api, price_mode="set") == ["SET-TWELVE"]
    assert listed_codes(api, price_mode="none") == ["NO-EFFECT"]
    assert listed_codes(api, value="12.00") == ["OFF-TWELVE", "SET-TWELVE"]
    assert listed_codes(api, value="12") == ["OFF-TWELVE", "SET-TWELVE"]
    assert listed_codes(api, value="12.00", price_mode="subtract") == ["OFF-TWELVE"]
    assert listed_codes(api, value="11.99") == []


def test_variation_and_quota_filters(api, event):
    item = ItemFactory(event=event)
    small, large = ItemVariationFactory(item=item), ItemVariationFactory(item=item)
    quota = QuotaFactory(event=event)
    VoucherFactory(event=event, code="SMALL-ONE", item=item, variation=small)
    VoucherFactory(event=event, code="LARGE-ONE", item=item, variation=large)
    VoucherFactory(event=event, code="IN-QUOTA", quota=quota)
    VoucherFactory(event=event, code="ANYTHING")
    assert listed_codes(api, variation=small.pk) == ["SMALL-ONE"]
    assert listed_codes(api, item=item.pk) == ["LARGE-ONE", "SMALL-ONE"]
    assert listed_codes(api, quota=quota.pk) == ["IN-QUOTA"]


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("active", "maybe"), ("item", "abc"), ("subevent", "999999"), ("variation", "999999"),
        ("quota", "abc"), ("max_usages", "1.5"), ("max_usages", "-1"), ("redeemed", "abc"),
        ("block_quota", "maybe"), ("allow_ignore_quota", "2"), ("price_mode", "free"), ("value", "ten"),
    ],
)  # fmt: skip
def test_invalid_filter_value_is_a_400_naming_the_parameter(api, event, param, value):
    response = api.get(URL, {param: value})
    assert response.status_code == 400
    assert param in response.json()


@pytest.mark.parametrize("field", ["id", "code", "max_usages", "valid_until", "value", "redeemed", "tag"])
def test_ordering(api, event, field):
    now = timezone.now()
    for n, code in enumerate(["BBBBB", "AAAAA", "CCCCC"]):
        VoucherFactory(
            event=event,
            code=code,
            max_usages=5 - n,
            redeemed=n,
            value=Decimal(10 + n * 7 % 5),
            valid_until=now + timedelta(days=(n * 2) % 3 + 1),
            tag=f"t{(n + 2) % 3}",
        )
    ascending = [v[field] for v in api.get(URL, {"ordering": field}).json()["results"]]
    descending = [v[field] for v in api.get(URL, {"ordering": f"-{field}"}).json()["results"]]
    assert ascending == sorted(ascending, key=lambda x: Decimal(x) if field == "value" else x)
    assert descending == ascending[::-1]


def test_unknown_ordering_field_is_ignored(api, event):
    VoucherFactory(event=event)
    assert api.get(URL, {"ordering": "comment"}).status_code == 200


def test_list_query_count_does_not_grow_with_page_size(api, event, django_assert_max_num_queries):
    VoucherFactory.create_batch(30, event=event, item=ItemFactory(event=event))
    with django_assert_max_num_queries(7):
        assert len(api.get(URL, {"page_size": 30}).json()["results"]) == 30


def test_create_returns_the_full_object_with_a_normalised_code(api, event):
    item = ItemFactory(event=event)
    body = {
        "code": "  early-bird ",
        "max_usages": 10,
        "price_mode": "percent",
        "value": "15.00",
        "item": item.pk,
        "budget": "100.00",
        "tag": "launch",
        "valid_until": "2030-01-01T00:00:00Z",
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) == FIELDS
    assert (data["code"], data["value"], data["budget"], data["budget_used"]) == (
        "EARLY-BIRD",
        "15.00",
        "100.00",
        "0.00",
    )
    assert data["redeemed"] == 0 and data["min_usages"] == 1 and data["show_hidden_items"] is True
    assert Voucher.objects.get(pk=data["id"]).event == event


def test_an_empty_code_is_generated(api, event):
    for body in ({}, {"code": ""}):
        code = api.post(URL, body, format="json").json()["code"]
        assert len(code) == 16 and set(code) <= set(ALPHABET)


def test_codes_are_unique_per_event_ignoring_case(api, event):
    VoucherFactory(event=event, code="HELLO-WORLD")
    response = api.post(URL, {"code": "hello-world"}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()
    other = EventFactory(organizer=event.organizer, slug="other")
    assert (
        api.post(
            f"/api/v1/organizers/demo-org/events/{other.slug}/vouchers/", {"code": "hello-world"}
        ).status_code
        == 201
    )


def test_a_voucher_code_may_not_repeat_a_coupon_code(api, event):
    CouponFactory(series__organizer=event.organizer, code="CAMPAIGN-1")
    response = api.post(URL, {"code": "campaign-1"}, format="json")
    assert response.status_code == 400 and "code" in response.json()


def validation_cases(event):
    item = ItemFactory(event=event)
    other_event = EventFactory(organizer=event.organizer)
    addon = ItemFactory(event=event, category=ItemCategoryFactory(event=event, is_addon=True))
    return [
        ({"code": "abc"}, "code"),
        ({"code": "has space"}, "code"),
        ({"max_usages": -1}, "max_usages"),
        ({"max_usages": 1, "min_usages": 2}, "max_usages"),
        ({"min_usages": 0}, "min_usages"),
        ({"price_mode": "double"}, "price_mode"),
        ({"price_mode": "percent", "value": "120.00"}, "value"),
        ({"value": "1.234"}, "value"),
        ({"budget": "-5.00"}, "budget"),
        ({"valid_from": "2030-01-02T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"}, "valid_until"),
        ({"item": ItemFactory(event=other_event).pk}, "item"),
        ({"item": addon.pk}, "item"),
        ({"item": 999999}, "item"),
        ({"variation": ItemVariationFactory(item=item).pk}, "variation"),
        ({"item": item.pk, "variation": ItemVariationFactory(item=ItemFactory(event=event)).pk}, "variation"),
        ({"quota": QuotaFactory(event=other_event).pk}, "quota"),
        ({"quota": QuotaFactory(event=event).pk, "item": item.pk}, "non_field_errors"),
        ({"block_quota": True}, "block_quota"),
        ({"subevent": SubEventFactory().pk}, "subevent"),
        (
            {"block_quota": True, "quota": QuotaFactory(event=event, size=1).pk, "max_usages": 2},
            "block_quota",
        ),
    ]


def test_each_validation_error_is_a_400_naming_the_field(api, event):
    for change, field in validation_cases(event):
        response = api.post(URL, {"code": "VALID-CODE", **change}, format="json")
        assert response.status_code == 400, change
        assert field in response.json(), (change, response.json())
    assert not Voucher.objects.exists()


def test_patch_and_put(api, event):
    voucher = VoucherFactory(event=event, code="PATCH-ME", tag="x", comment="keep?", max_usages=3)
    response = api.patch(f"{URL}{voucher.pk}/", {"tag": "y", "max_usages": 5}, format="json")
    assert response.status_code == 200
    assert (response.json()["tag"], response.json()["max_usages"], response.json()["comment"]) == (
        "y",
        5,
        "keep?",
    )
    response = api.put(f"{URL}{voucher.pk}/", {"price_mode": "set", "value": "9.00"}, format="json")
    assert response.status_code == 200, response.json()
    voucher.refresh_from_db()
    # PUT resets what it leaves out, except the code, which stays.
    assert (voucher.code, voucher.tag, voucher.comment, voucher.max_usages) == ("PATCH-ME", "", "", 1)
    assert voucher.value == Decimal("9.00")


def test_max_usages_cannot_go_below_redeemed(api, event):
    voucher = VoucherFactory(event=event, max_usages=5, redeemed=3)
    response = api.patch(f"{URL}{voucher.pk}/", {"max_usages": 2}, format="json")
    assert response.status_code == 400 and "max_usages" in response.json()


def test_redeemed_is_read_only(api, event):
    voucher = VoucherFactory(event=event)
    api.patch(f"{URL}{voucher.pk}/", {"redeemed": 7}, format="json")
    voucher.refresh_from_db()
    assert voucher.redeemed == 0


def test_delete_and_409_once_redeemed(api, event):
    unused = VoucherFactory(event=event)
    assert api.delete(f"{URL}{unused.pk}/").status_code == 204
    used = VoucherFactory(event=event, max_usages=2, redeemed=1)
    response = api.delete(f"{URL}{used.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "voucher_redeemed"
    assert Voucher.objects.filter(pk=used.pk).exists()


def test_batch_create(api, event):
    rows = [{"code": "batch-one", "max_usages": 2}, {"code": ""}, {"tag": "gen"}]
    response = api.post(f"{URL}batch_create/", rows, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert [v["code"] for v in data][:1] == ["BATCH-ONE"]
    assert len({v["code"] for v in data}) == 3
    assert Voucher.objects.filter(event=event).count() == 3


def test_batch_duplicates_within_the_batch_are_named_on_their_row(api, event):
    rows = [{"code": "SAME-CODE"}, {"code": "OTHER-CODE"}, {"code": " same-code "}]
    response = api.post(f"{URL}batch_create/", rows, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "detail": "1 of 3 rows are invalid; nothing was created.",
        "errors": [{}, {}, {"code": ["Duplicate code in this batch: index 2 repeats index 0."]}],
    }
    assert not Voucher.objects.exists()


def test_batch_errors_are_a_list_aligned_with_the_rows_and_nothing_is_created(api, event):
    VoucherFactory(event=event, code="EXISTING")
    rows = [{"code": "FRESH-ONE"}, {"code": "existing"}, {"code": "FRESH-TWO", "max_usages": -1}, {}]
    response = api.post(f"{URL}batch_create/", rows, format="json")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["detail"]) == ("invalid", "2 of 4 rows are invalid; nothing was created.")
    assert [sorted(row) for row in body["errors"]] == [[], ["code"], ["max_usages"], []]
    assert body["errors"][2] == {"max_usages": ["Ensure this value is greater than or equal to 0."]}
    assert Voucher.objects.filter(event=event).count() == 1


def test_a_batch_row_that_is_not_an_object_is_named_on_its_row(api, event):
    rows = [{"code": "FRESH-ONE"}, "text", {"code": "FRESH-TWO", "max_uses": 2}]
    response = api.post(f"{URL}batch_create/", rows, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {}, {"non_field_errors": ["Each row must be a voucher object."]}, {"max_uses": ["Unknown field."]},
    ]
    assert not Voucher.objects.exists()


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        pytest.param({"code": "NOT-A-LIST"}, "Send a list of vouchers.", id="an object"),
        pytest.param([], "Send at least one voucher.", id="an empty list"),
        pytest.param([{}] * 1001, "At most 1000 vouchers per batch.", id="too many rows"),
    ],
)
def test_a_batch_that_is_not_a_list_of_1_to_1000_rows_is_refused_whole(api, event, body, detail):
    response = api.post(f"{URL}batch_create/", body, format="json")
    assert (response.status_code, response.json()) == (400, {"code": "invalid", "detail": detail})
    assert not Voucher.objects.exists()


def test_anonymous_is_401(anon, event):
    assert anon.get(URL).status_code == 401
    assert anon.post(f"{URL}batch_create/", [], format="json").status_code == 401


def test_permissions(api_for, event):
    nothing = api_for(all_events=True, can_change_items=True)
    assert nothing.get(URL).status_code == 403
    viewer = api_for(all_events=True, can_view_vouchers=True)
    voucher = VoucherFactory(event=event)
    assert viewer.get(URL).status_code == 200
    assert viewer.get(f"{URL}{voucher.pk}/").status_code == 200
    assert viewer.post(URL, {}, format="json").status_code == 403
    assert viewer.patch(f"{URL}{voucher.pk}/", {"tag": "x"}, format="json").status_code == 403
    assert viewer.delete(f"{URL}{voucher.pk}/").status_code == 403
    assert viewer.post(f"{URL}batch_create/", [{}], format="json").status_code == 403
    assert Voucher.objects.count() == 1


def test_other_organizer_is_403_like_a_nonexistent_one(api, event):
    rival = EventFactory(organizer=OrganizerFactory(slug="rival"), slug="conf")
    VoucherFactory(event=rival)
    foreign = api.get("/api/v1/organizers/rival/events/conf/vouchers/")
    missing = api.get("/api/v1/organizers/nope/events/conf/vouchers/")
    assert foreign.status_code == missing.status_code == 403
    assert foreign.json() == missing.json() == {"code": "permission_denied", "detail": ORGANIZER_FORBIDDEN}
    assert api.get("/api/v1/organizers/demo-org/events/nope/vouchers/").json() == {
        "code": "permission_denied",
        "detail": EVENT_FORBIDDEN,
    }


def test_a_voucher_of_another_event_is_404(api, event):
    elsewhere = VoucherFactory(event=EventFactory(organizer=event.organizer))
    foreign = VoucherFactory(event=EventFactory())
    for voucher in (elsewhere, foreign):
        assert api.get(f"{URL}{voucher.pk}/").status_code == 404
        assert api.patch(f"{URL}{voucher.pk}/", {"tag": "x"}, format="json").status_code == 404
        assert api.delete(f"{URL}{voucher.pk}/").status_code == 404


def test_ordering_puts_nulls_in_the_same_place_on_every_database(api, event):
    VoucherFactory(event=event, code="NO-END", valid_until=None, value=None)
    VoucherFactory(
        event=event, code="ENDS", valid_until=timezone.now() + timedelta(days=1), value=Decimal("5")
    )
    codes = lambda ordering: [v["code"] for v in api.get(URL, {"ordering": ordering}).json()["results"]]  # noqa: E731
    assert codes("valid_until") == ["ENDS", "NO-END"]  # no end: after every date
    assert codes("-valid_until") == ["NO-END", "ENDS"]
    assert codes("value") == ["NO-END", "ENDS"]  # no value: before every amount
    assert codes("-value") == ["ENDS", "NO-END"]


def foreign_and_sibling(event, field: str):
    """The same kind of object in another organizer's event, and in another event of this organizer."""
    other_org_event = EventFactory(organizer=OrganizerFactory())
    sibling = EventFactory(organizer=event.organizer)

    def make(owner):
        return {
            "item": lambda: ItemFactory(event=owner),
            "quota": lambda: QuotaFactory(event=owner),
            "subevent": lambda: SubEventFactory(event=owner),
            "variation": lambda: ItemVariationFactory(item=ItemFactory(event=owner)),
        }[field]()

    return make(other_org_event), make(sibling)


@pytest.mark.parametrize("field", ["item", "quota", "subevent", "variation"])
def test_an_id_of_another_organizer_reads_as_nonexistent_and_of_a_sibling_event_is_named(api, event, field):
    foreign, sibling = foreign_and_sibling(event, field)
    event.has_subevents = field == "subevent"
    event.save()
    body = {"item": ItemFactory(event=event).pk} if field == "variation" else {}

    foreign_answer = api.post(URL, {**body, field: foreign.pk}, format="json")
    missing_answer = api.post(URL, {**body, field: 10**9}, format="json")
    sibling_answer = api.post(URL, {**body, field: sibling.pk}, format="json")

    assert foreign_answer.status_code == 400
    assert foreign_answer.json() == {field: [f'Invalid pk "{foreign.pk}" - object does not exist.']}
    assert missing_answer.json() == {field: ['Invalid pk "1000000000" - object does not exist.']}
    assert sibling_answer.status_code == 400
    assert "belongs to another" in sibling_answer.json()[field][0]
    assert not Voucher.objects.exists()


def test_the_budget_cannot_go_below_what_has_been_used(api, event):
    voucher = VoucherFactory(
        event=event, price_mode="subtract", value=Decimal("5.00"), budget=Decimal("20.00")
    )
    Voucher.objects.filter(pk=voucher.pk).update(budget_used=Decimal("15.00"))

    lower = api.patch(f"{URL}{voucher.pk}/", {"budget": "10.00"}, format="json")
    equal = api.patch(f"{URL}{voucher.pk}/", {"budget": "15.00"}, format="json")

    assert lower.status_code == 400
    assert lower.json() == {"budget": ["15.000 of the budget has been used: the budget cannot be lower."]}
    assert equal.status_code == 200
    assert Voucher.objects.get(pk=voucher.pk).budget == Decimal("15.00")


def test_a_budget_with_more_places_than_the_currency_is_refused_by_the_shared_rule(event):
    from django.core.exceptions import ValidationError

    from vouchers.services.checks import validate_voucher

    with pytest.raises(ValidationError) as refused:
        validate_voucher(event=event, budget=Decimal("10.005"), price_mode="subtract", value=Decimal("1"))
    assert refused.value.message_dict == {"budget": ["EUR amounts have at most 2 decimal places."]}

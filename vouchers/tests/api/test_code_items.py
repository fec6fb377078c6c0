"""The code ↔ items relationship, one shape for every code kind that can be limited to items:
``coupon-series/<id>/items/``, ``promo-codes/<id>/items/``, ``events/<e>/vouchers/<id>/items/``.

From docs/codes.md, "Codes and items": ``{"allow_all_items", "items": [{"id", "name", "event"}]}``; PATCH
``{"items": [...]}`` limits, ``{"allow_all_items": true}`` opens to all items again and empties the list;
both at once, an empty list or neither is a 400 naming ``items``; a voucher takes at most one item."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from ticketing.tests.factories import EventFactory, ItemFactory, ItemVariationFactory, QuotaFactory
from vouchers.models import CouponSeries, Voucher
from vouchers.tests.factories import CouponSeriesFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
ORG = "/api/v1/organizers/demo-org/"


@pytest.fixture
def items(event):
    return ItemFactory(event=event, name="A"), ItemFactory(event=event, name="B")


def series_url(series) -> str:
    return f"{ORG}coupon-series/{series.pk}/items/"


def promo_url(promo) -> str:
    return f"{ORG}promo-codes/{promo.pk}/items/"


def voucher_url(voucher) -> str:
    return f"{ORG}events/conf/vouchers/{voucher.pk}/items/"


def shape(*items) -> dict:
    return {
        "allow_all_items": not items,
        "items": [{"id": i.pk, "name": i.name, "event": i.event.slug} for i in items],
    }


@pytest.fixture(params=["series", "promo"])
def series_code(request, organizer):
    """A coupon series or a promo code, with its URL and its series."""
    if request.param == "series":
        series = CouponSeriesFactory(organizer=organizer)
        return series_url(series), series
    promo = PromoCodeFactory(series__organizer=organizer)
    return promo_url(promo), promo.series


def test_series_and_promo_codes_limit_and_switch_back(api, items, series_code):
    url, series = series_code
    first, second = items
    assert api.get(url).json() == shape()
    response = api.patch(url, {"items": [second.pk, first.pk]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == shape(first, second)
    series.refresh_from_db()
    assert not series.allow_all_items and set(series.allowed_items.all()) == {first, second}
    assert api.patch(url, {"items": [second.pk]}, format="json").json() == shape(second)
    response = api.patch(url, {"allow_all_items": True}, format="json")
    assert response.status_code == 200 and response.json() == shape()
    series.refresh_from_db()
    assert series.allow_all_items and not series.allowed_items.exists()
    assert api.get(url).json() == shape()
    response = api.patch(url, {"allow_all_items": False, "items": [first.pk]}, format="json")
    assert response.status_code == 200 and response.json() == shape(first)


@pytest.mark.parametrize(
    "body",
    [{}, {"items": []}, {"allow_all_items": False}, {"allow_all_items": True, "items": []}, "both"],
)
def test_series_and_promo_codes_refuse_unclear_bodies(api, items, series_code, body):
    url, series = series_code
    if body == "both":
        body = {"allow_all_items": True, "items": [items[0].pk]}
    response = api.patch(url, body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["items"], response.json()
    series.refresh_from_db()
    assert series.allow_all_items and not series.allowed_items.exists()


def test_items_of_other_organizers_and_disallowed_events_are_refused(api, event, organizer):
    other = EventFactory(organizer=organizer)
    series = CouponSeriesFactory(organizer=organizer, allow_all_events=False, allowed_events=[event])
    for item in (ItemFactory(event=other), ItemFactory()):
        response = api.patch(series_url(series), {"items": [item.pk]}, format="json")
        assert response.status_code == 400 and "items" in response.json()
    assert api.patch(series_url(series), {"items": [999999]}, format="json").status_code == 400


def test_promo_codes_of_another_organizer_and_series_are_404(api, organizer):
    foreign = PromoCodeFactory()
    assert api.get(promo_url(foreign)).status_code == 404
    series = CouponSeriesFactory(organizer=organizer)
    coupon_as_promo = f"{ORG}promo-codes/{series.pk}/items/"
    assert api.get(coupon_as_promo).status_code == 404


def test_voucher_limits_to_one_item_and_switches_back(api, event, items):
    first, second = items
    voucher = VoucherFactory(event=event)
    url = voucher_url(voucher)
    assert api.get(url).json() == shape()
    response = api.patch(url, {"items": [first.pk]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == shape(first)
    voucher.refresh_from_db()
    assert voucher.item == first
    response = api.patch(url, {"allow_all_items": True}, format="json")
    assert response.status_code == 200 and response.json() == shape()
    voucher.refresh_from_db()
    assert (voucher.item, voucher.variation, voucher.quota) == (None, None, None)


def test_voucher_refuses_more_than_one_item_with_a_stable_code(api, event, items):
    voucher = VoucherFactory(event=event)
    response = api.patch(voucher_url(voucher), {"items": [i.pk for i in items]}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("voucher_one_item", "items") and body["detail"]
    assert Voucher.objects.get(pk=voucher.pk).item is None


def test_voucher_switch_back_clears_item_variation_and_quota(api, event, items):
    first, second = items
    variation = ItemVariationFactory(item=first)
    with_variation = VoucherFactory(event=event, item=first, variation=variation)
    quota = QuotaFactory(event=event, items=[first, second])
    with_quota = VoucherFactory(event=event, quota=quota)
    assert api.get(voucher_url(with_quota)).json() == shape(first, second)
    assert api.get(voucher_url(with_variation)).json() == shape(first)
    # the same item keeps its variation; another item drops it; an item replaces a quota
    assert api.patch(voucher_url(with_variation), {"items": [first.pk]}, format="json").status_code == 200
    assert Voucher.objects.get(pk=with_variation.pk).variation == variation
    api.patch(voucher_url(with_variation), {"items": [second.pk]}, format="json")
    assert Voucher.objects.get(pk=with_variation.pk).variation is None
    api.patch(voucher_url(with_quota), {"items": [second.pk]}, format="json")
    refreshed = Voucher.objects.get(pk=with_quota.pk)
    assert (refreshed.item, refreshed.quota) == (second, None)
    for voucher in (with_variation, with_quota):
        assert api.patch(voucher_url(voucher), {"allow_all_items": True}, format="json").json() == shape()
        refreshed = Voucher.objects.get(pk=voucher.pk)
        assert (refreshed.item_id, refreshed.variation_id, refreshed.quota_id) == (None, None, None)


@pytest.mark.parametrize("body", [{}, {"items": []}, {"allow_all_items": True, "items": []}])
def test_voucher_refuses_unclear_bodies(api, event, body):
    voucher = VoucherFactory(event=event)
    response = api.patch(voucher_url(voucher), body, format="json")
    assert response.status_code == 400 and "items" in response.json()


def test_voucher_items_of_another_event_are_refused(api, event, organizer):
    voucher = VoucherFactory(event=event)
    other = ItemFactory(event=EventFactory(organizer=organizer))
    response = api.patch(voucher_url(voucher), {"items": [other.pk]}, format="json")
    assert response.status_code == 400 and "items" in response.json()


def test_relationship_changes_are_in_the_audit_log(api, event, items, organizer):
    first, _ = items
    series = CouponSeriesFactory(organizer=organizer)
    voucher = VoucherFactory(event=event)
    api.patch(series_url(series), {"items": [first.pk]}, format="json")
    api.patch(series_url(series), {"allow_all_items": True}, format="json")
    entries = AuditEntry.objects.filter(
        object_type="coupon_series", object_id=str(series.pk), action="changed"
    ).order_by("id")
    changes = [{k: v for k, v in e.changes.items() if k != "updated_at"} for e in entries]
    assert changes == [
        {"allow_all_items": [True, False]},
        {"allowed_items": [[], [first.pk]]},
        {"allow_all_items": [False, True]},
        {"allowed_items": [[first.pk], []]},
    ]
    assert {e.source for e in entries} == {"api"}
    api.patch(voucher_url(voucher), {"items": [first.pk]}, format="json")
    api.patch(voucher_url(voucher), {"allow_all_items": True}, format="json")
    voucher_entries = AuditEntry.objects.filter(
        object_type="voucher", object_id=str(voucher.pk), action="changed"
    )
    voucher_changes = [e.changes for e in voucher_entries.order_by("id")]
    assert voucher_changes == [{"item_id": [None, first.pk]}, {"item_id": [first.pk, None]}]


def test_permissions(api_for, event, items, organizer):
    series = CouponSeriesFactory(organizer=organizer)
    promo = PromoCodeFactory(series__organizer=organizer)
    voucher = VoucherFactory(event=event)
    viewer = api_for(all_events=True, can_view_vouchers=True)
    for url in (series_url(series), promo_url(promo), voucher_url(voucher)):
        assert viewer.get(url).status_code == 200
        assert viewer.patch(url, {"allow_all_items": True}, format="json").status_code == 403
    assert CouponSeries.objects.filter(allow_all_items=True).count() == 2


def test_promo_codes_take_allowed_events_and_back_to_every_event(api, organizer, event):
    EventFactory(organizer=organizer, slug="other")
    url = f"{ORG}promo-codes/"
    response = api.post(
        url, {"code": "TWO-EVENTS", "value": "5", "allowed_events": ["other", "conf"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["allowed_events"] == ["conf", "other"]
    promo_id = response.json()["id"]
    series = CouponSeries.objects.get(coupons__pk=promo_id)
    assert not series.allow_all_events and series.allowed_events.count() == 2
    response = api.patch(f"{url}{promo_id}/", {"allowed_events": []}, format="json")
    assert response.status_code == 200 and response.json()["allowed_events"] == []
    series.refresh_from_db()
    assert series.allow_all_events and not series.allowed_events.exists()
    response = api.patch(f"{url}{promo_id}/", {"allowed_events": ["nope"]}, format="json")
    assert response.status_code == 400 and "allowed_events" in response.json()


def test_a_promo_code_limited_to_items_keeps_the_events_of_those_items(api, organizer, event, items):
    """Limited to an item of ``conf``, the promo code cannot be moved to another event only: it would be
    valid there for items of an event it no longer allows, that is never. Moving back to every event, or
    keeping ``conf`` among its events, is fine."""
    EventFactory(organizer=organizer, slug="other")
    first, _ = items
    promo = PromoCodeFactory(series__organizer=organizer, code="ONE-ITEM")
    assert api.patch(promo_url(promo), {"items": [first.pk]}, format="json").status_code == 200
    url = f"{ORG}promo-codes/{promo.pk}/"

    response = api.patch(url, {"allowed_events": ["other"]}, format="json")
    assert response.status_code == 400
    assert response.json()["allowed_events"] == [
        f"The promo code is limited to item {first.pk} of event 'conf': allow that event too, "
        "or change its items (items/) first."
    ]
    promo.series.refresh_from_db()
    assert promo.series.allow_all_events and not promo.series.allowed_events.exists()

    response = api.patch(url, {"allowed_events": ["other", "conf"]}, format="json")
    assert response.status_code == 200 and response.json()["allowed_events"] == ["conf", "other"]
    response = api.patch(url, {"allowed_events": []}, format="json")
    assert response.status_code == 200 and response.json()["allowed_events"] == []

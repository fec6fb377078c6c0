"""The codes that apply to one item: /api/v1/organizers/<o>/events/<e>/items/<id>/codes/ (read-only).

From docs/codes.md, "Codes and items": vouchers of the event without an item or quota limit, with the item
(or a variation of it), or with a quota holding it; coupons and promo codes whose series allows the event
and every item or this one. Same rows, filters and pagination as the event's codes."""

from __future__ import annotations

import pytest

from ticketing.tests.factories import EventFactory, ItemFactory, ItemVariationFactory, QuotaFactory
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
EVENT_CODES = "/api/v1/organizers/demo-org/events/conf/codes/"


def url(item) -> str:
    return f"/api/v1/organizers/demo-org/events/conf/items/{item.pk}/codes/"


@pytest.fixture
def setup(event):
    organizer = event.organizer
    ticket, other = ItemFactory(event=event, name="Ticket"), ItemFactory(event=event, name="Other")
    variation = ItemVariationFactory(item=ticket)
    elsewhere = EventFactory(organizer=organizer)
    VoucherFactory(event=event, code="V-ALL")
    VoucherFactory(event=event, code="V-TICKET", item=ticket)
    VoucherFactory(event=event, code="V-VARIATION", item=ticket, variation=variation)
    VoucherFactory(event=event, code="V-QUOTA", quota=QuotaFactory(event=event, items=[ticket, other]))
    VoucherFactory(
        event=event, code="V-VARIATION-QUOTA", quota=QuotaFactory(event=event, variations=[variation])
    )
    VoucherFactory(event=event, code="V-OTHER", item=other)
    VoucherFactory(event=event, code="V-OTHER-QUOTA", quota=QuotaFactory(event=event, items=[other]))
    VoucherFactory(event=elsewhere, code="V-ELSEWHERE")
    CouponFactory(series__organizer=organizer, code="C-ALL")
    CouponFactory(
        series=CouponSeriesFactory(organizer=organizer, allow_all_items=False, allowed_items=[ticket, other]),
        code="C-TICKET",
    )
    CouponFactory(
        series=CouponSeriesFactory(organizer=organizer, allow_all_items=False, allowed_items=[other]),
        code="C-OTHER",
    )
    CouponFactory(
        series=CouponSeriesFactory(organizer=organizer, allow_all_events=False, allowed_events=[elsewhere]),
        code="C-ELSEWHERE",
    )
    PromoCodeFactory(series__organizer=organizer, code="P-ALL")
    PromoCodeFactory(
        series__organizer=organizer,
        series__allow_all_items=False,
        series__allowed_items=[ticket],
        code="P-TICKET",
    )
    return ticket, other


def codes(client, path, **params) -> list[str]:
    return [row["code"] for row in client.get(path, params).json()["results"]]


def test_lists_the_codes_that_apply_to_the_item(api, setup):
    ticket, other = setup
    assert codes(api, url(ticket)) == [
        "V-ALL", "V-TICKET", "V-VARIATION", "V-QUOTA", "V-VARIATION-QUOTA",
        "C-ALL", "C-TICKET", "P-ALL", "P-TICKET",
    ]  # fmt: skip
    assert codes(api, url(other)) == [
        "V-ALL",
        "V-QUOTA",
        "V-OTHER",
        "V-OTHER-QUOTA",
        "C-ALL",
        "C-TICKET",
        "C-OTHER",
        "P-ALL",
    ]


def test_rows_are_the_event_code_list_s(api, setup):
    ticket, _ = setup
    everything = {row["code"]: row for row in api.get(EVENT_CODES, {"page_size": 100}).json()["results"]}
    for row in api.get(url(ticket)).json()["results"]:
        assert row == everything[row["code"]]


def test_pagination_and_filters(api, setup):
    ticket, _ = setup
    body = api.get(url(ticket), {"page_size": 4, "page": 2}).json()
    assert body["count"] == 9 and [r["code"] for r in body["results"]] == [
        "V-VARIATION-QUOTA",
        "C-ALL",
        "C-TICKET",
        "P-ALL",
    ]
    assert body["next"] and body["previous"]
    assert codes(api, url(ticket), kind="promo_code") == ["P-ALL", "P-TICKET"]
    assert codes(api, url(ticket), kind="voucher", active="true")[0] == "V-ALL"
    response = api.get(url(ticket), {"kind": "gift"})
    assert response.status_code == 400 and "kind" in response.json()
    assert api.get(url(ticket), {"page": 9}).status_code == 404


def test_unknown_item_is_a_404(api, event):
    foreign = ItemFactory(event=EventFactory(organizer=event.organizer))
    for path in (url(foreign), "/api/v1/organizers/demo-org/events/conf/items/999999/codes/"):
        response = api.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_read_only_and_permissions(api, api_for, anon, event, setup):
    ticket, _ = setup
    assert api.post(url(ticket), {}, format="json").status_code == 405
    assert anon.get(url(ticket)).status_code == 401
    assert api_for(all_events=True, can_change_items=True).get(url(ticket)).status_code == 403
    limited = api_for(all_events=False, limit_events=[event], can_view_vouchers=True)
    # a team limited to the event: its vouchers, and the series limited to its events only (none here)
    assert codes(limited, url(ticket)) == ["V-ALL", "V-TICKET", "V-VARIATION", "V-QUOTA", "V-VARIATION-QUOTA"]

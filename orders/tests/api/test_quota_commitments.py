"""A quota is never made smaller than what orders and blocking vouchers hold of it (409
``quota_too_small`` with the figures), a quota with sales is not deleted (409 ``quota_in_use``), and
blocking vouchers never sell more than their quota, however they were made (issue: blocking vouchers
oversold a quota of 5 ten times over)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Order
from orders.tests.conftest import BASE, pos
from ticketing.models import Quota
from ticketing.quotas import QuotaInUse, QuotaTooSmall, quota_delete, quota_update
from ticketing.selectors import quota_availability
from ticketing.tests.factories import ItemFactory, QuotaFactory
from vouchers.models import Voucher
from vouchers.tests.factories import VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal
QUOTAS = BASE + "quotas/"
VOUCHERS = BASE + "vouchers/"


@pytest.fixture
def ticket(event):
    return ItemFactory(event=event, name="Ticket", default_price=D("50.00"))


@pytest.fixture
def five(event, ticket):
    return QuotaFactory(event=event, name="Hall", size=5, items=[ticket])


def sell(buy, item, count: int, **position):
    for _ in range(count):
        response = buy([pos(item, **position)])
        assert response.status_code == 201, response.json()


def test_a_quota_cannot_be_cut_below_what_is_sold_and_blocked(api, buy, event, ticket, five):
    sell(buy, ticket, 2)
    VoucherFactory(event=event, item=ticket, block_quota=True, max_usages=2, code="HOLD-TWO")
    response = api.patch(f"{QUOTAS}{five.pk}/", {"size": 3}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "code": "quota_too_small",
        "detail": "Quota 'Hall' cannot hold only 3: 2 are sold (0 paid, 2 pending) and blocking vouchers "
        "hold 2, so it needs at least 4.",
        "quota": five.pk, "size": 3, "paid_orders": 0, "pending_orders": 2, "blocking_vouchers": 2,
        "cart_positions": 0, "minimum_size": 4,
    }  # fmt: skip
    five.refresh_from_db()
    assert five.size == 5
    assert api.patch(f"{QUOTAS}{five.pk}/", {"size": 4}, format="json").status_code == 200
    body = {"name": "Hall", "size": 1, "items": [ticket.pk]}
    replaced = api.put(f"{QUOTAS}{five.pk}/", body, format="json")
    assert (replaced.status_code, replaced.json()["code"]) == (409, "quota_too_small")


def test_a_quota_may_be_cut_below_what_carts_hold(api, event, ticket, five):
    for _ in range(4):
        assert api.post(BASE + "carts/", {"positions": [pos(ticket)]}, format="json").status_code == 201
    response = api.patch(f"{QUOTAS}{five.pk}/", {"size": 2}, format="json")
    assert response.status_code == 200, response.json()
    assert quota_availability(Quota.objects.get(pk=five.pk)).cart_positions == 4


def test_giving_a_small_quota_an_item_that_has_sold_is_refused(api, buy, event, ticket, five):
    sell(buy, ticket, 3)
    small = QuotaFactory(event=event, name="Balcony", size=2, items=[])
    response = api.patch(f"{QUOTAS}{small.pk}/", {"items": [ticket.pk]}, format="json")
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["minimum_size"]) == ("quota_too_small", 3)
    assert list(Quota.objects.get(pk=small.pk).items.all()) == []
    created = api.post(QUOTAS, {"name": "Floor", "size": 1, "items": [ticket.pk]}, format="json")
    assert created.status_code == 409 and created.json()["code"] == "quota_too_small"
    assert not Quota.objects.filter(name="Floor").exists()
    fits = api.post(QUOTAS, {"name": "Floor", "size": 3, "items": [ticket.pk]}, format="json")
    assert fits.status_code == 201


def test_a_quota_with_sales_is_not_deleted(api, buy, event, ticket, five):
    sell(buy, ticket, 2)
    response = api.delete(f"{QUOTAS}{five.pk}/")
    assert response.status_code == 409
    assert response.json() == {
        "code": "quota_in_use",
        "detail": "Quota 'Hall' cannot be deleted: it has 2 sold (0 paid, 2 pending). "
        "Set its size to what is sold to stop selling instead.",
        "quota": five.pk, "paid_orders": 0, "pending_orders": 2, "vouchers": 0,
    }  # fmt: skip
    assert Quota.objects.filter(pk=five.pk).exists()
    empty = QuotaFactory(event=event, size=3, items=[ItemFactory(event=event)])
    assert api.delete(f"{QUOTAS}{empty.pk}/").status_code == 204


def test_a_quota_with_vouchers_scoped_to_it_is_not_deleted(event, ticket, five):
    VoucherFactory(event=event, quota=five, code="SCOPED")
    with pytest.raises(QuotaInUse) as refused:
        quota_delete(quota=five)
    assert refused.value.detail == (
        "Quota 'Hall' cannot be deleted: it has 1 voucher scoped to it. "
        "Set its size to what is sold to stop selling instead."
    )
    assert Voucher.objects.filter(code="SCOPED").exists()


def test_the_service_refuses_a_shrink_below_blocking_vouchers(event, ticket, five):
    VoucherFactory(event=event, item=ticket, block_quota=True, max_usages=5, code="ALL-FIVE")
    with pytest.raises(QuotaTooSmall):
        quota_update(quota=five, size=2)
    assert Quota.objects.get(pk=five.pk).size == 5
    expired = timezone.now() - timedelta(days=1)
    Voucher.objects.filter(code="ALL-FIVE").update(valid_until=expired)  # an expired voucher holds nothing
    assert quota_update(quota=five, size=2).size == 2


def test_a_batch_of_ten_blocking_vouchers_does_not_fit_a_quota_of_five(api, buy, event, ticket, five):
    rows = [{"code": f"BATCH-{n}", "item": ticket.pk, "block_quota": True} for n in range(10)]
    response = api.post(VOUCHERS + "batch_create/", rows, format="json")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["detail"]) == ("invalid", "1 of 10 rows is invalid; nothing was created.")
    assert body["errors"][:5] == [{}] * 5 and body["errors"][6:] == [{}] * 4
    assert body["errors"][5] == {
        "block_quota": ["Quota 'Hall' has only 0 left (counting the vouchers before this one), not 1."]
    }
    assert not Voucher.objects.exists()
    assert api.post(VOUCHERS + "batch_create/", rows[:5], format="json").status_code == 201
    for n in range(5):
        assert buy([pos(ticket, voucher=f"BATCH-{n}")]).status_code == 201
    refused = buy([pos(ticket)])
    assert (refused.status_code, refused.json()["code"]) == (409, "quota_exceeded")
    assert Order.objects.count() == 5


def test_making_a_voucher_block_needs_room_and_saving_it_unchanged_does_not(api, event, ticket, five):
    VoucherFactory(event=event, item=ticket, block_quota=True, max_usages=4, code="FOUR-X")
    plain = VoucherFactory(event=event, item=ticket, max_usages=2, code="PLAIN")
    response = api.patch(f"{VOUCHERS}{plain.pk}/", {"block_quota": True}, format="json")
    assert response.status_code == 400
    assert response.json() == {"block_quota": ["Quota 'Hall' has only 1 left, not 2."]}
    one = api.patch(f"{VOUCHERS}{plain.pk}/", {"block_quota": True, "max_usages": 1}, format="json")
    assert one.status_code == 200
    four = Voucher.objects.get(code="FOUR-X")
    unchanged = api.patch(f"{VOUCHERS}{four.pk}/", {"max_usages": 4, "tag": "same"}, format="json")
    assert unchanged.status_code == 200, unchanged.json()
    assert quota_availability(Quota.objects.get(pk=five.pk)).available_number == 0


def test_an_expired_blocking_voucher_is_created_without_room(api, buy, event, ticket, five):
    sell(buy, ticket, 5)
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    body = {"code": "OLD-ONE", "item": ticket.pk, "block_quota": True, "valid_until": past}
    response = api.post(VOUCHERS, body, format="json")
    assert response.status_code == 201, response.json()


def test_a_voucher_scoped_to_one_quota_needs_room_in_the_items_other_quotas(api, buy, event, ticket, five):
    other = QuotaFactory(event=event, name="Night", size=1, items=[ticket])
    sell(buy, ticket, 1)  # the quota "Night" is full
    VoucherFactory(event=event, quota=five, block_quota=True, max_usages=1, code="HALL-ONLY")
    refused = buy([pos(ticket, voucher="HALL-ONLY")])
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["quota"]) == ("quota_exceeded", other.pk)
    assert Order.objects.count() == 1


def test_a_blocking_voucher_sells_its_own_hold_but_not_the_holds_of_others(api, buy, event, ticket, five):
    VoucherFactory(event=event, item=ticket, block_quota=True, max_usages=3, code="THREE")
    VoucherFactory(event=event, item=ticket, block_quota=True, max_usages=2, code="TWO-X")
    assert buy([pos(ticket)]).json()["code"] == "quota_exceeded"
    three = buy([pos(ticket, voucher="THREE"), pos(ticket, voucher="THREE"), pos(ticket, voucher="THREE")])
    assert three.status_code == 201, three.json()
    assert buy([pos(ticket, voucher="TWO-X"), pos(ticket, voucher="TWO-X")]).status_code == 201
    assert quota_availability(Quota.objects.get(pk=five.pk)).pending_orders == 5


def test_vouchers_that_hold_more_than_the_quota_sell_nothing_beyond_it(api, buy, event, ticket, five):
    # Written past every check (as rows stored before the checks existed could be): 10 holds on 5 places.
    # Each voucher's place is room only if the other vouchers' holds leave it some: here none does.
    Voucher.objects.bulk_create(
        Voucher(event=event, item=ticket, block_quota=True, max_usages=1, code=f"OVER-{n}") for n in range(10)
    )
    answers = [buy([pos(ticket, voucher=f"OVER-{n}")]) for n in range(10)]
    assert [(a.status_code, a.json()["code"]) for a in answers] == [(409, "quota_exceeded")] * 10
    Voucher.objects.filter(code__in=[f"OVER-{n}" for n in range(5, 10)]).delete()  # the organizer mends it
    assert [buy([pos(ticket, voucher=f"OVER-{n}")]).status_code for n in range(5)] == [201] * 5
    assert Order.objects.count() == 5

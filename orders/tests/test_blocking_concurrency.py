"""Blocking vouchers never oversell a quota, made in any of the four ways the issue measured, on
PostgreSQL with concurrent requests (threads, each with its own connection; bench/servers.py runs the
same four across two server processes in CI)."""

from __future__ import annotations

from collections import Counter

import pytest

from orders.models import Order
from orders.tests.conftest import BASE, pos
from orders.tests.test_concurrency import TOKEN, at_once, order, statuses
from ticketing.models import Quota
from ticketing.selectors import quota_availability
from ticketing.tests.factories import ItemFactory, QuotaFactory, TeamFactory, make_token
from vouchers.models import Voucher
from vouchers.tests.factories import VoucherFactory

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def item(organizer, event):
    TOKEN[:] = [make_token(TeamFactory(organizer=organizer, all_permissions=True, all_events=True))]
    return ItemFactory(event=event)


def sold(quota: Quota) -> int:
    figures = quota_availability(Quota.objects.get(pk=quota.pk))
    return figures.pending_orders + figures.paid_orders


def test_12_blocking_vouchers_created_at_once_on_a_quota_of_5(event, item):
    quota = QuotaFactory(event=event, size=5, items=[item])
    responses = at_once(12, lambda client, i: client.post(
        BASE + "vouchers/", {"code": f"AT-ONCE-{i}", "item": item.pk, "block_quota": True}, format="json"
    ))  # fmt: skip
    assert Counter(r.status_code for r in responses) == {201: 5, 400: 7}
    assert all("block_quota" in r.json() for r in responses if r.status_code == 400)
    made = list(Voucher.objects.values_list("code", flat=True))
    at_once(12, lambda client, i: order(client, [pos(item, voucher=made[i])] if i < 5 else [pos(item)]))
    assert sold(quota) == 5 == Order.objects.count()


def test_batches_at_once_never_hold_more_than_the_quota(event, item):
    quota = QuotaFactory(event=event, size=5, items=[item])
    rows = [[{"code": f"B{b}-ROW-{n}", "item": item.pk, "block_quota": True} for n in range(2)]
            for b in range(4)]  # fmt: skip
    url = BASE + "vouchers/batch_create/"
    responses = at_once(4, lambda client, i: client.post(url, rows[i], format="json"))
    assert Counter(r.status_code for r in responses) == {201: 2, 400: 2}
    assert quota_availability(Quota.objects.get(pk=quota.pk)).blocking_vouchers == 4


def test_a_quota_cut_while_vouchers_are_made_keeps_every_hold(event, item):
    quota = QuotaFactory(event=event, size=5, items=[item])

    def request(client, i):
        if i == 0:
            return client.patch(BASE + f"quotas/{quota.pk}/", {"size": 2}, format="json")
        return client.post(BASE + "vouchers/", {"code": f"CUT-{i}", "item": item.pk, "block_quota": True},
                           format="json")  # fmt: skip

    responses = at_once(6, request)
    size = Quota.objects.get(pk=quota.pk).size
    held = quota_availability(Quota.objects.get(pk=quota.pk)).blocking_vouchers
    assert held <= size
    assert (size, responses[0].status_code) in {(2, 200), (5, 409)}


def test_a_quota_held_by_5_vouchers_cannot_be_cut_to_2_and_they_all_sell(event, item):
    quota = QuotaFactory(event=event, size=5, items=[item])
    for n in range(5):
        VoucherFactory(event=event, item=item, block_quota=True, max_usages=1, code=f"HELD-{n}")
    responses = at_once(6, lambda client, i: (
        client.patch(BASE + f"quotas/{quota.pk}/", {"size": 2}, format="json") if i == 5
        else order(client, [pos(item, voucher=f"HELD-{i}")])
    ))  # fmt: skip
    assert (responses[5].status_code, responses[5].json()["code"]) == (409, "quota_too_small")
    assert statuses(responses[:5]) == {(201, None): 5}
    assert sold(quota) == 5 and Quota.objects.get(pk=quota.pk).size == 5


def test_6_vouchers_of_a_quota_of_3_made_blocking_at_once(event, item):
    quota = QuotaFactory(event=event, size=3, items=[item])
    vouchers = [VoucherFactory(event=event, item=item, max_usages=1, code=f"MAKE-{n}") for n in range(6)]
    responses = at_once(6, lambda client, i: client.patch(
        BASE + f"vouchers/{vouchers[i].pk}/", {"block_quota": True}, format="json"))  # fmt: skip
    assert Counter(r.status_code for r in responses) == {200: 3, 400: 3}
    at_once(6, lambda client, i: order(client, [pos(item, voucher=f"MAKE-{i}")]))
    assert sold(quota) == 3 == Order.objects.count()
    blocking = set(Voucher.objects.filter(block_quota=True).values_list("code", flat=True))
    assert set(Order.objects.values_list("positions__voucher__code", flat=True)) == blocking

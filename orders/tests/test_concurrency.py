"""Concurrent checkouts and carts on PostgreSQL: real threads, each with its own database connection.

SQLite serialises writers and ignores ``select_for_update()``, so these run on
PostgreSQL only (CI's second pass); every other test runs on both.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connections, transaction
from rest_framework.test import APIClient

from orders.models import Cart, CartPosition, Order, Redemption
from orders.tests.conftest import BASE, pos
from ticketing.models import Quota
from ticketing.tests.factories import ItemFactory, QuotaFactory, TeamFactory, make_token
from vouchers.models import PriceMode
from vouchers.tests.factories import CouponFactory, VoucherFactory

pytestmark = [
    pytest.mark.postgresql_only,  # needs PostgreSQL's row locks; CI's PostgreSQL pass runs these
    pytest.mark.django_db(transaction=True),
]
D = Decimal


def at_once(count: int, request: Callable[[APIClient, int], object]) -> list:
    """Run ``request(client, index)`` in ``count`` threads released together; their responses."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {TOKEN[0]}")
        try:
            barrier.wait(timeout=30)
            results[index] = request(client, index)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


TOKEN: list[str] = []


@pytest.fixture
def ticket(organizer, event):
    TOKEN[:] = [make_token(TeamFactory(organizer=organizer, all_permissions=True, all_events=True))]
    item = ItemFactory(event=event, default_price=D("50.00"))
    QuotaFactory(event=event, size=1000, items=[item])
    return item


def order(client: APIClient, positions: list[dict], codes=(), **headers):
    body = {"email": "buyer@example.com", "positions": positions, "codes": list(codes)}
    return client.post(BASE + "orders/", body, format="json", headers=headers)


def statuses(responses) -> Counter:
    return Counter((r.status_code, r.json().get("code") if r.status_code >= 400 else None) for r in responses)


def test_a_single_use_code_under_20_simultaneous_checkouts_makes_exactly_one_order(organizer, ticket):
    coupon = CouponFactory(series__organizer=organizer, series__single_usage=True)
    responses = at_once(20, lambda client, i: order(client, [pos(ticket)], codes=[coupon.code]))
    assert statuses(responses) == {(201, None): 1, (400, "exhausted"): 19}
    assert Order.objects.count() == 1
    coupon.refresh_from_db()
    assert coupon.used_orders == 1


def test_max_usages_5_under_20_simultaneous_checkouts_makes_exactly_5_orders(event, ticket):
    voucher = VoucherFactory(event=event, max_usages=5)
    responses = at_once(20, lambda client, i: order(client, [pos(ticket, voucher=voucher.code)]))
    assert statuses(responses) == {(201, None): 5, (400, "exhausted"): 15}
    voucher.refresh_from_db()
    assert voucher.redeemed == 5 == Order.objects.count()


def test_a_quota_of_10_under_30_checkouts_sells_exactly_10(event, ticket):
    Quota.objects.filter(items=ticket).update(size=10)
    responses = at_once(30, lambda client, i: order(client, [pos(ticket)]))
    assert statuses(responses) == {(201, None): 10, (409, "quota_exceeded"): 20}
    assert Order.objects.count() == 10


def test_a_budget_is_never_exceeded(event, ticket):
    voucher = VoucherFactory(event=event, price_mode=PriceMode.SUBTRACT, value=D("10.00"), max_usages=100,
                             budget=D("35.00"))  # fmt: skip
    responses = at_once(20, lambda client, i: order(client, [pos(ticket, voucher=voucher.code)]))
    created = [r.json() for r in responses if r.status_code == 201]
    granted = sorted(D(o["code_discount_total"]) for o in created)
    assert granted == [D("5.00"), D("10.00"), D("10.00"), D("10.00")]
    assert statuses(responses)[(400, "budget_exhausted")] == 16
    voucher.refresh_from_db()
    assert voucher.budget_used == D("35.00") == sum(r.discount for r in Redemption.objects.all())


def test_the_same_idempotency_key_10_times_at_once_makes_one_order(event, ticket):
    key = {"X-Idempotency-Key": "same-key-10"}
    responses = at_once(10, lambda client, i: order(client, [pos(ticket)], **key))
    assert [r.status_code for r in responses] == [201] * 10
    assert len({r.json()["code"] for r in responses}) == 1
    assert Order.objects.count() == 1


def test_a_lock_not_obtained_in_time_is_a_409_busy_with_retry_after(event, ticket, settings):
    settings.ORDERS_LOCK_TIMEOUT_MS = 200
    holding, release = threading.Event(), threading.Event()

    def hold_the_quota() -> None:
        try:
            with transaction.atomic():
                list(Quota.objects.select_for_update().filter(items=ticket))
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_quota)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        response = at_once(1, lambda client, i: order(client, [pos(ticket)]))[0]
    finally:
        release.set()
        holder.join(timeout=30)
    assert (response.status_code, response.json()["code"]) == (409, "busy")
    assert response.headers["Retry-After"] == "1"
    assert not Order.objects.exists()


def test_a_cart_checked_out_twice_at_once_makes_one_order(event, ticket):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {TOKEN[0]}")
    cart = client.post(BASE + "carts/", {"positions": [pos(ticket)]}, format="json").json()
    url = BASE + f"carts/{cart['id']}/checkout/"
    responses = at_once(5, lambda c, i: c.post(url, {"email": "a@example.com"}, format="json"))
    assert sorted(r.status_code for r in responses) == [201, 404, 404, 404, 404]
    assert Order.objects.count() == 1


# Carts hold under the same locks as orders ------------------------------------------------------


def new_cart(client: APIClient, positions: list[dict], codes=()):
    return client.post(BASE + "carts/", {"positions": positions, "codes": list(codes)}, format="json")


def checkout(client: APIClient, cart_id: str):
    return client.post(BASE + f"carts/{cart_id}/checkout/", {"email": "buyer@example.com"}, format="json")


def created_ids(responses) -> list[str]:
    return [r.json()["id"] for r in responses if r.status_code == 201]


def test_60_carts_at_once_on_a_quota_of_10_hold_10_places_and_make_exactly_10_orders(event, ticket):
    Quota.objects.filter(items=ticket).update(size=10)
    carts = at_once(60, lambda client, i: new_cart(client, [pos(ticket)]))
    assert statuses(carts) == {(201, None): 10, (409, "quota_exceeded"): 50}
    assert CartPosition.objects.count() == 10
    ids = created_ids(carts)
    orders = at_once(len(ids), lambda client, i: checkout(client, ids[i]))
    assert statuses(orders) == {(201, None): 10}
    assert Order.objects.count() == 10
    assert not Cart.objects.exists()


def test_a_quota_cut_from_10_to_5_under_10_holding_carts_sells_exactly_5(event, ticket):
    quota = Quota.objects.get(items=ticket)
    quota.size = 10
    quota.save()
    carts = at_once(10, lambda client, i: new_cart(client, [pos(ticket)]))
    ids = created_ids(carts)
    assert len(ids) == 10
    quota.size = 5
    quota.save()
    orders = at_once(10, lambda client, i: checkout(client, ids[i]))
    assert statuses(orders) == {(201, None): 5, (409, "quota_exceeded"): 5}
    assert Order.objects.count() == 5


def test_a_double_click_makes_one_cart_hold_the_single_use_voucher_and_it_checks_out(event, ticket):
    voucher = VoucherFactory(event=event, max_usages=1)
    carts = at_once(2, lambda client, i: new_cart(client, [pos(ticket, voucher=voucher.code)]))
    assert statuses(carts) == {(201, None): 1, (400, "held_in_other_cart"): 1}
    refused = next(r for r in carts if r.status_code == 400).json()
    assert "held in another cart" in refused["detail"]
    [cart_id] = created_ids(carts)
    info = APIClient().get(f"/api/v1/organizers/demo-org/code-info/{voucher.code}/?event=conf")
    assert info.json()["message"] == "heldInOtherCart"
    response = at_once(1, lambda client, i: checkout(client, cart_id))[0]
    assert response.status_code == 201, response.json()
    voucher.refresh_from_db()
    assert voucher.redeemed == 1 == Order.objects.count()


def test_a_single_use_voucher_under_20_concurrent_carts_is_held_by_one_and_makes_one_order(event, ticket):
    voucher = VoucherFactory(event=event, max_usages=1)
    carts = at_once(20, lambda client, i: new_cart(client, [pos(ticket)], codes=[voucher.code]))
    assert statuses(carts) == {(201, None): 1, (400, "held_in_other_cart"): 19}
    ids = created_ids(carts)
    orders = at_once(1, lambda client, i: checkout(client, ids[0]))
    assert statuses(orders) == {(201, None): 1}
    assert Redemption.objects.filter(voucher=voucher).count() == 1 == Order.objects.count()


def test_a_single_use_coupon_applied_to_20_carts_at_once_is_held_by_one(organizer, event, ticket):
    coupon = CouponFactory(series__organizer=organizer, series__single_usage=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {TOKEN[0]}")
    ids = [new_cart(client, [pos(ticket)]).json()["id"] for _ in range(20)]
    applied = at_once(
        20, lambda c, i: c.post(BASE + f"carts/{ids[i]}/codes/", {"code": coupon.code}, format="json")
    )
    assert statuses(applied) == {(201, None): 1, (400, "held_in_other_cart"): 19}
    orders = at_once(20, lambda c, i: checkout(c, ids[i]))
    assert statuses(orders) == {(201, None): 20}  # the others check out without the code
    assert Redemption.objects.filter(coupon=coupon).count() == 1


def test_carts_and_direct_orders_mixed_on_one_quota_never_sell_more_than_it(event, ticket):
    Quota.objects.filter(items=ticket).update(size=10)

    def cart_or_order(client: APIClient, index: int):
        if index % 2:
            return order(client, [pos(ticket)])
        return new_cart(client, [pos(ticket)])

    first = at_once(40, cart_or_order)
    held = [r.json()["id"] for r in first if r.status_code == 201 and "id" in r.json()]
    direct = [r for r in first if r.status_code == 201 and "positions" in r.json() and "id" not in r.json()]
    assert len(held) + len(direct) == 10  # 40 asked for 10 places: each is taken once
    assert {r.status_code for r in first} <= {201, 409}
    mixed = at_once(
        len(held) + 10, lambda c, i: checkout(c, held[i]) if i < len(held) else order(c, [pos(ticket)])
    )
    assert statuses(mixed) == {(201, None): len(held), (409, "quota_exceeded"): 10}
    assert Order.objects.count() == 10


def test_a_cart_checked_out_while_an_order_consumes_it_sells_its_seat_once(event, ticket):
    """The cart holds the last seat; its checkout, two orders consuming it and two plain orders run at
    once: the cart's lock decides between the first three, the quota's refuses the rest."""
    Quota.objects.filter(items=ticket).update(size=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {TOKEN[0]}")
    cart = new_cart(client, [pos(ticket)]).json()["id"]

    def request(c: APIClient, index: int):
        if index == 0:
            return checkout(c, cart)
        body = {"email": "b@example.com", "positions": [pos(ticket)]}
        if index in (1, 2):
            body["consume_carts"] = [cart]
        return c.post(BASE + "orders/", body, format="json")

    responses = at_once(5, request)
    found = statuses(responses)
    assert found[(201, None)] == 1
    assert found[(409, "quota_exceeded")] + found[(404, "not_found")] == 4
    assert Order.objects.count() == 1
    assert Cart.objects.count() == 0 and CartPosition.objects.count() == 0

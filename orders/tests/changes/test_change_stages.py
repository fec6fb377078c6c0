"""The checkout's stages in mode ``CHANGE``, each on its own (``orders.checkout.change`` and the gather
stage): what the order's own places take off the sold counts, which positions take places anew, and the
order's code uses given back before the codes are read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from orders.checkout.change import order_codes_lock, sold_by_others
from orders.checkout.draft import Draft, OrderChangeSpec, PositionSpec
from orders.checkout.gather import gather
from orders.checkout.mode import CHANGE
from orders.models import Order, OrderPosition, Redemption
from orders.services.checkout import order_place
from orders.services.orders import order_locked
from orders.tests.factories import web_channel
from ticketing.tests.factories import ItemFactory, QuotaFactory
from vouchers.models import Voucher
from vouchers.tests.factories import VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def items(event):
    """A ticket in the quotas Hall (10) and Day (5); a reduced ticket in Hall only."""
    ticket = ItemFactory(event=event, name="Ticket", default_price=D("50.00"))
    reduced = ItemFactory(event=event, name="Reduced", default_price=D("30.00"))
    hall = QuotaFactory(event=event, name="Hall", size=10, items=[ticket, reduced])
    day = QuotaFactory(event=event, name="Day", size=5, items=[ticket])
    return ticket, reduced, hall, day


def place(event, *items, voucher=None) -> Order:
    return order_place(
        event=event, sales_channel=web_channel(event), email="buyer@example.com", now=timezone.now(),
        positions=[PositionSpec(item=i.pk, voucher=voucher) for i in items],
    )  # fmt: skip


def change_spec(order: Order, *, patched=()) -> OrderChangeSpec:
    rows = {r.positionid: r for r in OrderPosition.objects.filter(order=order, canceled=False)}
    held = tuple(PositionSpec(item=r.item_id) for r in rows.values())
    return OrderChangeSpec(
        order=order_locked(order), held=held, rows=rows, patched=frozenset(patched),
        last_positionid=max(rows),
    )  # fmt: skip


SOLD = [
    # (the order's items, sold per quota, what others sold)
    (("ticket",), {"hall": 4, "day": 2}, {"hall": 3, "day": 1}),
    (("ticket", "reduced"), {"hall": 4, "day": 2}, {"hall": 2, "day": 1}),
    (("reduced", "reduced"), {"hall": 2, "day": 2}, {"hall": 0, "day": 2}),
]


@pytest.mark.parametrize(("bought", "sold", "others"), SOLD)
def test_sold_counts_leave_the_orders_own_positions_out(event, items, bought, sold, others):
    ticket, reduced, hall, day = items
    by_name = {"ticket": ticket, "reduced": reduced}
    quotas = {"hall": hall, "day": day}
    order = place(event, *(by_name[name] for name in bought))

    result = sold_by_others({quotas[k].pk: n for k, n in sold.items()}, change_spec(order), [hall, day])

    assert result == {quotas[k].pk: n for k, n in others.items()}


def test_only_new_and_patched_positions_take_places_anew(event, items):
    ticket, reduced, hall, day = items
    order = place(event, ticket, ticket)
    spec = change_spec(order, patched={2})
    draft = Draft(
        event=event, sales_channel=web_channel(event), email=order.email, change=spec,
        positions=(
            PositionSpec(item=ticket.pk, ref=1, list_price=D("45.00")),
            PositionSpec(item=reduced.pk, ref=2),
            PositionSpec(item=reduced.pk),
        ),
    )  # fmt: skip

    gathered = gather(draft, mode=CHANGE, now=timezone.now())

    assert gathered.taking == frozenset({1, 2})
    assert gathered.checked == frozenset({1, 2})
    assert gathered.prices == [D("45.00"), D("30.00"), D("30.00")]  # a kept list price, then the catalog's
    assert [q.pk for q in gathered.limited] == [hall.pk]  # only the quotas of what takes places anew
    assert gathered.counts.sold == {hall.pk: 0}  # the order's two tickets are its own


def test_the_orders_code_uses_are_given_back_before_the_codes_are_read(event, items):
    ticket, _, _, _ = items
    voucher = VoucherFactory(event=event, code="ONCE", max_usages=1)
    order = place(event, ticket, voucher="ONCE")
    assert Voucher.objects.get(pk=voucher.pk).redeemed == 1

    found = order_codes_lock(change_spec(order), codes=["ONCE"], now=timezone.now())

    assert found["ONCE"].voucher.redeemed == 0  # read after the use went back
    assert Voucher.objects.get(pk=voucher.pk).redeemed == 0
    assert list(Redemption.objects.filter(order=order).values_list("code", "reversed")) == [("ONCE", True)]

"""Order changes at the same time as checkouts and as each other, on PostgreSQL: real threads, each with its
own database connection, as in ``orders.tests.test_concurrency``. SQLite serialises writers and takes no
row locks, so these run in CI's PostgreSQL pass only."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ConflictError
from orders.checkout.draft import PositionSpec
from orders.models import LIVE_STATUSES, Order, OrderPosition
from orders.services.changes import NewPosition, OrderChange, PositionPatch, order_change
from orders.services.checkout import order_place
from orders.tests.factories import web_channel
from orders.tests.test_concurrency import TOKEN, at_once
from ticketing.models import Quota
from ticketing.selectors import quota_availability
from ticketing.tests.factories import ItemFactory, QuotaFactory, TeamFactory, make_token
from vouchers.models import Voucher
from vouchers.tests.factories import VoucherFactory

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]
D = Decimal


@pytest.fixture(autouse=True)
def token(organizer):
    TOKEN[:] = [make_token(TeamFactory(organizer=organizer, all_permissions=True, all_events=True))]


def place(event, *items, voucher=None) -> Order:
    return order_place(
        event=event, sales_channel=web_channel(event), email="buyer@example.com", now=timezone.now(),
        positions=[PositionSpec(item=item.pk, voucher=voucher) for item in items],
    )  # fmt: skip


def live_positions(quota_items) -> int:
    return OrderPosition.objects.filter(
        item__in=quota_items, canceled=False, order__status__in=LIVE_STATUSES
    ).count()


def test_a_change_racing_a_checkout_for_the_last_place_never_oversells(event):
    outcomes: Counter[str] = Counter()
    for _ in range(8):  # a fresh quota each round, so that the two meet in different orders
        ticket = ItemFactory(event=event, default_price=D("50.00"))
        quota = QuotaFactory(event=event, size=2, items=[ticket])
        order = place(event, ticket)  # one place left

        def race(client, i, ticket=ticket, order=order):
            try:
                if i == 0:
                    changed = order_change(
                        order=order,
                        change=OrderChange(create=(NewPosition(item=ticket.pk),)),
                        now=timezone.now(),
                    )
                    return f"change {changed.order.total}"
                return f"checkout {place(event, ticket).status}"
            except ConflictError as exc:
                return exc.code

        change, checkout = at_once(2, race)
        outcomes[f"{change} / {checkout}"] += 1
        figures = quota_availability(Quota.objects.get(pk=quota.pk))
        assert live_positions([ticket]) == figures.pending_orders == 2
        assert sorted([change.split()[0], checkout.split()[0]]) in (
            ["change", "quota_exceeded"], ["checkout", "quota_exceeded"],
        )  # fmt: skip
    assert sum(outcomes.values()) == 8, outcomes


def test_two_changes_of_one_order_at_once_apply_one_after_the_other(event):
    ticket = ItemFactory(event=event, default_price=D("50.00"))
    reduced = ItemFactory(event=event, default_price=D("30.00"))
    quota = QuotaFactory(event=event, size=10, items=[ticket, reduced])
    voucher = VoucherFactory(
        event=event, code="TENOFF", price_mode="subtract", value=D("10.00"), max_usages=1
    )
    order = place(event, ticket, voucher="TENOFF")

    def race(client, i):
        if i == 0:
            what = OrderChange(create=(NewPosition(item=reduced.pk),))
        else:
            what = OrderChange(patch=(PositionPatch(position=1, values={"item": reduced.pk}),))
        return order_change(order=order, change=what, now=timezone.now()).order.total

    at_once(2, race)

    stored = Order.objects.get(pk=order.pk)
    assert stored.total == D("50.00")  # 20.00 (reduced, with the voucher) + 30.00
    assert quota_availability(Quota.objects.get(pk=quota.pk)).pending_orders == 2
    assert Voucher.objects.get(pk=voucher.pk).redeemed == 1

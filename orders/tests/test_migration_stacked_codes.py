"""Migration 0007 keeps the redemption links of orders stored before it and gives each its amount.

Before stacking a position carried one code, so a link's amount is the position's code discount.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("orders", "0006_check_constraints")]
AFTER = [("orders", "0007_stacked_codes")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_links_stored_before_get_their_positions_code_discount():
    old = migrate(BEFORE)
    try:
        organizer = old.get_model("ticketing", "Organizer").objects.create(slug="o", name="O")
        event = old.get_model("ticketing", "Event").objects.create(
            organizer=organizer, slug="e", name="E", currency="EUR", date_from=timezone.now()
        )
        item = old.get_model("ticketing", "Item").objects.create(event=event, name="T", default_price=50)
        channel = old.get_model("ticketing", "SalesChannel").objects.create(
            organizer=organizer, identifier="web", label="Web"
        )
        order = old.get_model("orders", "Order").objects.create(
            event=event, email="a@example.com", sales_channel=channel, list_total=100, total=92
        )
        position = old.get_model("orders", "OrderPosition")
        first = position.objects.create(order=order, positionid=1, item=item, list_price=50,
                                        code="C", code_discount=Decimal("5.00"), price=45)  # fmt: skip
        second = position.objects.create(order=order, positionid=2, item=item, list_price=50,
                                         code="C", code_discount=Decimal("3.00"), price=47)  # fmt: skip
        redemption = old.get_model("orders", "Redemption").objects.create(
            kind="coupon", code="C", order=order, discount=Decimal("8.00")
        )
        redemption.positions.add(first, second)

        new = migrate(AFTER)
        links = new.get_model("orders", "RedemptionPosition").objects.order_by("orderposition_id")
        assert [(link.orderposition_id, link.amount) for link in links] == [
            (first.pk, Decimal("5.00")), (second.pk, Decimal("3.00"))
        ]  # fmt: skip
        stored = new.get_model("orders", "Redemption").objects.get()
        assert (stored.discount, stored.saving) == (Decimal("8.00"), None)
        assert new.get_model("orders", "Order").objects.get().set_aside_codes == []
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

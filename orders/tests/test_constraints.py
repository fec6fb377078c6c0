"""The database refuses what the checkout never writes: negative totals, prices and budget spent.

Each row is written directly (``QuerySet.update``, no validation): a value past the limit raises
``IntegrityError`` naming the constraint, zero is stored. What a voucher setting a price above the
list price makes negative (the code discount) stays free.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.tests.constraints import assert_refused_past_limit
from orders.models import Redemption
from orders.tests.factories import OrderFactory, OrderPositionFactory
from vouchers.choices import CodeKind

pytestmark = pytest.mark.django_db
D = Decimal


def redemption():
    return Redemption.objects.create(kind=CodeKind.VOUCHER, code="V", order=OrderFactory())


CASES = [
    # (make the row, constraint, field)
    (OrderFactory, "order_list_total_ge_0", "list_total"),
    (OrderFactory, "order_rule_discount_total_ge_0", "rule_discount_total"),
    (OrderFactory, "order_total_ge_0", "total"),
    (OrderPositionFactory, "orderpos_list_price_ge_0", "list_price"),
    (OrderPositionFactory, "orderpos_rule_discount_ge_0", "rule_discount"),
    (OrderPositionFactory, "orderpos_price_ge_0", "price"),
    (redemption, "redemption_budget_spent_ge_0", "budget_spent"),
]


@pytest.mark.parametrize(("make", "constraint", "field"), CASES, ids=[c[1] for c in CASES])
def test_the_database_refuses_a_negative_amount_and_stores_zero(make, constraint, field):
    assert_refused_past_limit(make(), constraint, {field: D("-0.01")}, {field: D("0")})


def test_a_voucher_setting_a_price_above_the_list_price_may_store_a_negative_code_discount():
    """List price 10.00, voucher "set 12.00": the code discount is -2.00 on the position, its order
    and the voucher's redemption (which spends nothing of a budget)."""
    position = OrderPositionFactory(
        list_price=D("10.00"), code="V", code_discount=D("-2.00"), price=D("12.00")
    )
    order = position.order
    type(order).objects.filter(pk=order.pk).update(
        list_total=D("10.00"), code_discount_total=D("-2.00"), total=D("12.00")
    )
    Redemption.objects.create(
        kind=CodeKind.VOUCHER, code="V", order=order, discount=D("-2.00"), budget_spent=D("0")
    )

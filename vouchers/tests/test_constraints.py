"""The database refuses what validation refuses: check constraints of vouchers and coupon series.

Each row is written directly (``QuerySet.update``, no validation): a value past the limit raises
``IntegrityError`` naming the constraint, the value at the limit is stored. The usage service's
own writes stay within the limits, up to the last use and the last cent of a budget.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.tests.constraints import assert_refused_past_limit
from vouchers.choices import CodeKind
from vouchers.models import DiscountType, PriceMode, Voucher
from vouchers.services.usage import CodeUse, code_uses_record, code_uses_release
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
EARLIER = T0 - timedelta(seconds=1)


def voucher(**values):
    return lambda: VoucherFactory(**values)


def series(**values):
    return lambda: CouponSeriesFactory(**values)


CASES = [
    # (make the row, constraint, refused values, allowed values at the limit)
    (voucher(max_usages=2), "voucher_redeemed_le_max", {"redeemed": 3}, {"redeemed": 2}),
    (voucher(), "voucher_min_usages_ge_1", {"min_usages": 0}, {"min_usages": 1}),
    (
        voucher(),
        "voucher_min_le_max_usages",
        {"min_usages": 3, "max_usages": 2},
        {"min_usages": 2, "max_usages": 2},
    ),
    (voucher(), "voucher_budget_ge_0", {"budget": D("-0.01")}, {"budget": D("0")}),
    (voucher(), "voucher_budget_used_ge_0", {"budget_used": D("-0.01")}, {"budget_used": D("0")}),
    (
        voucher(budget=D("10.00")),
        "voucher_budget_used_le_budget",
        {"budget_used": D("10.001")},
        {"budget_used": D("10.00")},
    ),
    (
        voucher(price_mode=PriceMode.SUBTRACT),
        "voucher_value_ge_0",
        {"value": D("-0.01")},
        {"value": D("0")},
    ),
    (voucher(percent=True), "voucher_percent_0_100", {"value": D("100.001")}, {"value": D("100")}),
    (
        voucher(),
        "voucher_valid_window",
        {"valid_from": T0, "valid_until": EARLIER},
        {"valid_from": T0, "valid_until": T0},
    ),
    (
        series(discount_type=DiscountType.FIX),
        "series_value_ge_0",
        {"discount_value": D("-0.01")},
        {"discount_value": D("0")},
    ),
    (series(), "series_percent_0_100", {"discount_value": D("100.01")}, {"discount_value": D("100")}),
    (series(), "series_max_value_ge_0", {"discount_max_value": D("-1")}, {"discount_max_value": D("0")}),
    (series(), "series_max_usage_ge_1", {"max_usage": 0}, {"max_usage": 1}),
    (series(), "series_max_tickets_in_cart_ge_1", {"max_tickets_in_cart": 0}, {"max_tickets_in_cart": 1}),
    (
        series(),
        "series_min_le_max_tickets_in_cart",
        {"min_tickets_in_cart": 3, "max_tickets_in_cart": 2},
        {"min_tickets_in_cart": 2, "max_tickets_in_cart": 2},
    ),
    (
        series(),
        "series_valid_window",
        {"valid_from": T0, "valid_until": EARLIER},
        {"valid_from": T0, "valid_until": T0},
    ),
]


@pytest.mark.parametrize(("make", "constraint", "bad", "limit"), CASES, ids=[c[1] for c in CASES])
def test_the_database_refuses_a_value_past_the_limit_and_stores_the_limit(make, constraint, bad, limit):
    assert_refused_past_limit(make(), constraint, bad, limit)


@pytest.mark.parametrize(
    ("make", "free"),
    [
        (voucher(budget=None), {"budget_used": D("500")}),
        (voucher(price_mode=PriceMode.SET), {"value": D("150.00")}),
        (voucher(price_mode=PriceMode.SUBTRACT), {"value": D("150.00")}),
        (voucher(percent=True), {"value": None}),
        (voucher(), {"valid_from": T0, "valid_until": None}),
        (series(discount_type=DiscountType.FIX), {"discount_value": D("150.00")}),
        (series(discount_type=DiscountType.FIX_PER_ITEM), {"discount_value": D("150.00")}),
        (series(), {"max_usage": None, "max_tickets_in_cart": None, "min_tickets_in_cart": 5}),
        (series(), {"valid_from": None, "valid_until": T0}),
    ],
    ids=[
        "no budget: no limit on what is used",
        "a set price above 100",
        "an amount off above 100",
        "a percent voucher without value",
        "open validity",
        "a fixed amount above 100",
        "a fixed amount per item above 100",
        "no maxima",
        "open series validity",
    ],
)
def test_what_is_not_limited_is_stored(make, free):
    row = make()
    type(row).objects.filter(pk=row.pk).update(**free)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (CouponFactory, "used_orders"),
        (CouponFactory, "used_tickets"),
        (PromoCodeFactory, "used_orders"),
        (VoucherFactory, "redeemed"),
    ],
    ids=["coupon used_orders", "coupon used_tickets", "promo code used_orders", "voucher redeemed"],
)
def test_usage_counters_are_never_negative(make, field):
    """Positive integer fields carry their own column check (``>= 0``) on both databases."""
    row = make()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(**{field: -1})


def use(voucher: Voucher, uses: int, budget: str) -> CodeUse:
    return CodeUse(kind=CodeKind.VOUCHER, code_id=voucher.pk, uses=uses, tickets=uses, budget=D(budget))


def test_the_usage_service_may_use_a_voucher_up_to_its_last_use_and_cent(event):
    """Three orders take a budget of 0.30 in steps that floating point would not add up exactly
    (SQLite keeps decimals as floats: 0.10 + 0.20 > 0.30 there), and the last use."""
    voucher = VoucherFactory(event=event, max_usages=3, budget=D("0.30"))
    for budget in ("0.10", "0.20", "0.00"):
        with transaction.atomic():
            code_uses_record(event_id=event.pk, uses=[use(voucher, 1, budget)])
    voucher.refresh_from_db()
    assert (voucher.redeemed, voucher.budget_used) == (3, D("0.30"))
    code_uses_release(event_id=event.pk, uses=[use(voucher, 1, "0.20")])
    voucher.refresh_from_db()
    assert (voucher.redeemed, voucher.budget_used) == (2, D("0.10"))


@pytest.mark.parametrize(
    ("uses", "budget", "constraint"),
    [(2, "1.00", "voucher_redeemed_le_max"), (1, "10.01", "voucher_budget_used_le_budget")],
    ids=["one use too many", "one cent over the budget"],
)
def test_recording_more_than_a_voucher_allows_is_refused(event, uses, budget, constraint):
    """The checkout checks what is left before it records a use; were it not to, the database refuses."""
    voucher = VoucherFactory(event=event, max_usages=2, budget=D("10.00"))
    with transaction.atomic():
        code_uses_record(event_id=event.pk, uses=[use(voucher, 1, "0")])
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        code_uses_record(event_id=event.pk, uses=[use(voucher, uses, budget)])
    voucher.refresh_from_db()
    assert (voucher.redeemed, voucher.budget_used) == (1, D("0"))

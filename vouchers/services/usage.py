"""Counting code use at checkout and giving it back on cancellation.

The checkout (orders app) calls these inside its transaction, after locking
the code rows with :func:`codes_lock` in a fixed order (vouchers, then coupons,
each by id). Counters never go below zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F
from django.db.models.functions import Greatest

from vouchers.models import Coupon, CouponEventUsage, Voucher
from vouchers.resolution import CodeKind, ResolvedCode


def codes_lock(*, codes: Iterable[ResolvedCode]) -> None:
    """``SELECT ... FOR UPDATE`` the rows of these codes in a stable order (vouchers first, by id)."""
    codes = list(codes)
    voucher_ids = sorted({c.id for c in codes if c.kind == CodeKind.VOUCHER})
    coupon_ids = sorted({c.id for c in codes if c.kind != CodeKind.VOUCHER})
    if voucher_ids:
        list(Voucher.objects.select_for_update().filter(pk__in=voucher_ids).order_by("pk").values_list("pk"))
    if coupon_ids:
        list(Coupon.objects.select_for_update().filter(pk__in=coupon_ids).order_by("pk").values_list("pk"))


def code_usage_record(*, code: ResolvedCode, event_id: int, positions: int, discount: Decimal) -> None:
    """An order used ``code`` on ``positions`` positions, taking ``discount`` off in total."""
    if code.kind == CodeKind.VOUCHER:
        Voucher.objects.filter(pk=code.id).update(
            redeemed=F("redeemed") + positions, budget_used=F("budget_used") + discount
        )
        return
    changes = {"used_orders": F("used_orders") + 1, "used_tickets": F("used_tickets") + positions}
    if code.deactivate_on_use:
        changes["active"] = False  # a one-time promo code ends with its first redemption
    Coupon.objects.filter(pk=code.id).update(**changes)
    usage, _ = CouponEventUsage.objects.get_or_create(coupon_id=code.id, event_id=event_id)
    CouponEventUsage.objects.filter(pk=usage.pk).update(
        orders=F("orders") + 1, tickets=F("tickets") + positions
    )


def code_usage_release(
    *, kind: CodeKind, code_id: int, event_id: int, positions: int, discount: Decimal
) -> None:
    """A canceled order gives back what :func:`code_usage_record` counted (a used promo stays inactive)."""
    if kind == CodeKind.VOUCHER:
        Voucher.objects.filter(pk=code_id).update(
            redeemed=Greatest(F("redeemed") - positions, 0),
            budget_used=Greatest(F("budget_used") - discount, Decimal("0")),
        )
        return
    Coupon.objects.filter(pk=code_id).update(
        used_orders=Greatest(F("used_orders") - 1, 0), used_tickets=Greatest(F("used_tickets") - positions, 0)
    )
    CouponEventUsage.objects.filter(coupon_id=code_id, event_id=event_id).update(
        orders=Greatest(F("orders") - 1, 0), tickets=Greatest(F("tickets") - positions, 0)
    )

"""Counting code use at checkout and giving it back on cancellation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from vouchers.models import CouponEventUsage
from vouchers.resolution import CodeError, CodeKind, resolve_code
from vouchers.services.usage import code_usage_record, code_usage_release, codes_lock
from vouchers.tests.factories import CouponFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db


def resolve(event, code):
    return resolve_code(organizer=event.organizer, event=event, code=code, now=timezone.now())


def test_a_voucher_counts_positions_and_budget(event):
    voucher = VoucherFactory(event=event, max_usages=5, budget=Decimal("30"))
    resolved = resolve(event, voucher.code)
    with transaction.atomic():
        codes_lock(codes=[resolved])
        code_usage_record(code=resolved, event_id=event.pk, positions=3, discount=Decimal("12.50"))
    voucher.refresh_from_db()
    assert (voucher.redeemed, voucher.budget_used) == (3, Decimal("12.50"))
    code_usage_release(
        kind=CodeKind.VOUCHER, code_id=voucher.pk, event_id=event.pk, positions=4, discount=Decimal("20")
    )
    voucher.refresh_from_db()
    assert (voucher.redeemed, voucher.budget_used) == (0, Decimal("0"))  # never below zero


def test_a_coupon_counts_orders_tickets_and_per_event_use(event):
    coupon = CouponFactory(series__organizer=event.organizer, series__max_usage_per_event=1)
    resolved = resolve(event, coupon.code)
    code_usage_record(code=resolved, event_id=event.pk, positions=2, discount=Decimal("5"))
    coupon.refresh_from_db()
    assert (coupon.used_orders, coupon.used_tickets) == (1, 2)
    assert CouponEventUsage.objects.get(coupon=coupon, event=event).orders == 1
    with pytest.raises(CodeError) as info:
        resolve(event, coupon.code)
    assert info.value.code == "exhausted"
    code_usage_release(
        kind=CodeKind.COUPON, code_id=coupon.pk, event_id=event.pk, positions=2, discount=Decimal("5")
    )
    assert resolve(event, coupon.code).uses_remaining == 1


def test_a_one_time_promo_code_is_deactivated_by_its_first_use(event):
    promo = PromoCodeFactory(series__organizer=event.organizer, series__single_usage=True)
    resolved = resolve(event, promo.code)
    code_usage_record(code=resolved, event_id=event.pk, positions=1, discount=Decimal("5"))
    with pytest.raises(CodeError) as info:
        resolve(event, promo.code)
    assert info.value.code == "inactive"

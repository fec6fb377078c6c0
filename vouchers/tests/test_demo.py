"""The demo codes: one of each kind, usable in the demo event, created once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from vouchers.demo import ensure_demo_codes
from vouchers.models import Coupon, CouponSeries, Voucher
from vouchers.resolution import CodeKind, resolve_code

pytestmark = pytest.mark.django_db


def test_demo_codes_resolve_and_are_idempotent(organizer, event):
    codes = ensure_demo_codes(organizer, event)
    again = ensure_demo_codes(organizer, event)
    assert again == codes
    kinds = [
        resolve_code(organizer=organizer, event=event, code=code, now=timezone.now()).kind
        for code in (codes.voucher, codes.coupon, codes.promo_code)
    ]
    assert kinds == [CodeKind.VOUCHER, CodeKind.COUPON, CodeKind.PROMO_CODE]
    assert Voucher.objects.count() == 1
    series = CouponSeries.objects.get(name="Demo campaign")
    assert series.coupons.count() == 100
    assert Coupon.objects.count() == 101  # 100 coupons and the promo code's row

"""The demo codes: one of each kind and the docs' example codes, usable in the demo event, created once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from vouchers.choices import CodeKind
from vouchers.demo import ensure_demo_codes
from vouchers.models import CodeText, Coupon, CouponSeries, Voucher
from vouchers.resolution import resolve_code
from vouchers.services.checks import DUPLICATE_COUPON
from vouchers.tests.factories import CouponFactory

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
    # 100 coupons, the promo code's row, and the 4 coupons of the docs' examples.
    assert Coupon.objects.count() == 105
    assert CouponSeries.objects.count() == 6  # "Demo campaign", the promo code's, 4 "Docs: …" series
    # Every code claims its text: the voucher, the 105 coupon rows and the gift card DEMO-GIFT.
    assert list(CodeText.objects.values_list("holder").annotate(n=Count("pk")).order_by("holder")) == [
        ("coupon", 105), ("gift_card", 1), ("voucher", 1)
    ]  # fmt: skip


def test_the_docs_example_codes_resolve_with_their_settings(organizer, event):
    ensure_demo_codes(organizer, event)
    resolved = {
        code: resolve_code(organizer=organizer, event=event, code=code, now=timezone.now())
        for code in ("TEN-PCT", "THREE-OFF", "TEN-OFF", "ONE-TICKET")
    }
    assert {code: (r.kind, r.mode, r.value, r.can_be_combined) for code, r in resolved.items()} == {
        "TEN-PCT": (CodeKind.COUPON, "percent", Decimal("10.000"), True),
        "THREE-OFF": (CodeKind.COUPON, "fix", Decimal("3.000"), True),
        "TEN-OFF": (CodeKind.COUPON, "fix", Decimal("10.000"), False),
        "ONE-TICKET": (CodeKind.COUPON, "percent", Decimal("10.000"), False),
    }
    assert resolved["ONE-TICKET"].tickets_remaining == 1
    assert all(r.tickets_remaining is None for code, r in resolved.items() if code != "ONE-TICKET")


def test_an_example_code_whose_text_exists_is_left_alone(organizer, event):
    Voucher.objects.create(event=event, code="TEN-OFF", price_mode="percent", value=Decimal("50"))
    ensure_demo_codes(organizer, event)
    ensure_demo_codes(organizer, event)
    assert not Coupon.objects.filter(code="TEN-OFF").exists()
    assert Coupon.objects.filter(code__in=["TEN-PCT", "THREE-OFF", "ONE-TICKET"]).count() == 3
    assert Coupon.objects.count() == 104


def test_the_demo_voucher_is_validated_like_any_voucher(organizer, event):
    CouponFactory(series__organizer=organizer, code="DEMO-VOUCHER")
    with pytest.raises(ValidationError) as refused:
        ensure_demo_codes(organizer, event)
    assert refused.value.message_dict == {"code": [DUPLICATE_COUPON]}
    assert not Voucher.objects.exists()

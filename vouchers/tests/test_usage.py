"""The code usage service: locking code rows, recording what an order used, giving it back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ticketing.tests.factories import EventFactory
from vouchers.choices import CodeKind
from vouchers.models import CouponEventUsage
from vouchers.resolution import CodeError, resolve_code
from vouchers.services.usage import CodeUse, code_uses_record, code_uses_release, codes_lock
from vouchers.tests.factories import CouponFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal


def resolve(event, code):
    return resolve_code(organizer=event.organizer, event=event, code=code, now=timezone.now())


def test_a_voucher_counts_positions_and_budget_and_gives_them_back_never_below_zero(event):
    voucher = VoucherFactory(event=event, max_usages=5, budget=D("30"))
    use = CodeUse(kind=CodeKind.VOUCHER, code_id=voucher.pk, uses=3, tickets=4, budget=D("12.50"))
    with transaction.atomic():
        code_uses_record(event_id=event.pk, uses=[use])
    voucher.refresh_from_db()
    assert (voucher.redeemed, voucher.budget_used) == (3, D("12.50"))
    assert resolve(event, voucher.code).uses_remaining == 2
    too_much = CodeUse(kind=CodeKind.VOUCHER, code_id=voucher.pk, uses=4, tickets=4, budget=D("20"))
    code_uses_release(event_id=event.pk, uses=[too_much])
    voucher.refresh_from_db()
    assert (voucher.redeemed, voucher.budget_used) == (0, D("0"))


def test_a_coupon_counts_orders_tickets_and_per_event_use_and_gives_them_back(event):
    coupon = CouponFactory(series__organizer=event.organizer, series__max_usage_per_event=1)
    use = CodeUse(kind=CodeKind.COUPON, code_id=coupon.pk, uses=1, tickets=2)
    code_uses_record(event_id=event.pk, uses=[use])
    coupon.refresh_from_db()
    assert (coupon.used_orders, coupon.used_tickets) == (1, 2)
    assert CouponEventUsage.objects.get(coupon=coupon, event=event).orders == 1
    with pytest.raises(CodeError) as info:
        resolve(event, coupon.code)
    assert info.value.code == "exhausted"
    code_uses_release(event_id=event.pk, uses=[use])
    coupon.refresh_from_db()
    assert (coupon.used_orders, coupon.used_tickets) == (0, 0)
    assert CouponEventUsage.objects.get(coupon=coupon, event=event).orders == 0
    assert resolve(event, coupon.code).uses_remaining == 1


def test_a_coupon_used_in_a_second_event_gets_that_event_its_own_usage_row(organizer, event):
    other = EventFactory(organizer=organizer)
    coupon = CouponFactory(series__organizer=organizer)
    use = CodeUse(kind=CodeKind.COUPON, code_id=coupon.pk, uses=1, tickets=1)
    code_uses_record(event_id=event.pk, uses=[use])
    code_uses_record(event_id=other.pk, uses=[use, use])
    rows = dict(CouponEventUsage.objects.filter(coupon=coupon).values_list("event_id", "orders"))
    assert rows == {event.pk: 1, other.pk: 2}
    coupon.refresh_from_db()
    assert coupon.used_orders == 3


def test_a_one_time_promo_code_ends_with_its_first_use_and_is_usable_again_after_cancel(event):
    promo = PromoCodeFactory(series__organizer=event.organizer, series__single_usage=True)
    use = CodeUse(kind=CodeKind.PROMO_CODE, code_id=promo.pk, uses=1, tickets=1, deactivates=True)
    code_uses_record(event_id=event.pk, uses=[use])
    with pytest.raises(CodeError) as info:
        resolve(event, promo.code)
    assert info.value.code == "inactive"
    code_uses_release(event_id=event.pk, uses=[use])
    promo.refresh_from_db()
    assert promo.active and promo.used_orders == 0
    assert resolve(event, promo.code).code == promo.code.upper()


def test_a_promo_code_deactivated_by_hand_stays_inactive_when_an_order_that_did_not_end_it_is_canceled(
    event,
):
    promo = PromoCodeFactory(series__organizer=event.organizer)
    use = CodeUse(kind=CodeKind.PROMO_CODE, code_id=promo.pk, uses=1, tickets=1, deactivates=False)
    code_uses_record(event_id=event.pk, uses=[use])
    promo.active = False
    promo.save()
    code_uses_release(event_id=event.pk, uses=[use])
    promo.refresh_from_db()
    assert not promo.active


def test_codes_lock_returns_fresh_rows_by_normalised_code_with_a_voucher_before_a_coupon(organizer, event):
    voucher = VoucherFactory(event=event, code="Shared-Text", redeemed=0)
    coupon = CouponFactory(series__organizer=organizer, code="COUPON-ONE")
    other_event_voucher = VoucherFactory(event=EventFactory(organizer=organizer), code="ELSEWHERE")
    with transaction.atomic():
        rows = codes_lock(event=event, codes=["SHARED-TEXT", "COUPON-ONE", "ELSEWHERE", "NOPE"])
    assert rows["SHARED-TEXT"].voucher.pk == voucher.pk and rows["SHARED-TEXT"].coupon is None
    assert rows["COUPON-ONE"].coupon.pk == coupon.pk and rows["COUPON-ONE"].coupon.event_orders == 0
    assert rows["ELSEWHERE"].row is None and rows["ELSEWHERE"].voucher_elsewhere
    assert other_event_voucher.pk not in {r.row.pk for r in rows.values() if r.row is not None}
    assert rows["NOPE"].row is None and not rows["NOPE"].voucher_elsewhere


def test_codes_lock_takes_vouchers_then_coupons_each_in_primary_key_order(organizer, event):
    VoucherFactory(event=event, code="V-B")
    VoucherFactory(event=event, code="V-A")
    CouponFactory(series__organizer=organizer, code="C-A")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        codes_lock(event=event, codes=["C-A", "V-B", "V-A"])
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 2  # the vouchers, then the coupons; every text was found
    assert "vouchers_voucher" in statements[0] and "ORDER BY id" in statements[0]
    assert "vouchers_coupon" in statements[1] and "ORDER BY" in statements[1]
    if connection.vendor == "postgresql":
        assert all("FOR UPDATE" in sql for sql in statements)


def test_changing_a_voucher_keeps_the_uses_checkouts_recorded_meanwhile(event):
    from vouchers.models import Voucher
    from vouchers.services.vouchers import voucher_update

    stale = VoucherFactory(event=event, max_usages=10, budget=Decimal("50.00"))
    Voucher.objects.filter(pk=stale.pk).update(redeemed=3, budget_used=Decimal("12.50"))  # a checkout

    updated = voucher_update(voucher=stale, comment="extended", max_usages=20)

    stored = Voucher.objects.get(pk=stale.pk)
    assert (stored.redeemed, stored.budget_used) == (3, Decimal("12.50"))
    assert (stored.max_usages, stored.comment) == (20, "extended")
    assert (updated.redeemed, updated.budget_used) == (3, Decimal("12.50"))  # the answer shows them

"""The services behind an event's discount code, the code ↔ items relationship and the series scope of
teams limited to some events, called directly."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditEntry
from core.errors import DomainError
from ticketing.selectors import organizer_access
from ticketing.tests.factories import EventFactory, ItemFactory, QuotaFactory, TeamFactory
from vouchers.models import Coupon, CouponSeries, EventDiscountCode
from vouchers.scope import READ, WRITE, series_scope
from vouchers.services.code_items import (
    series_items_allow_all,
    series_items_set,
    voucher_items_allow_all,
    voucher_items_set,
)
from vouchers.services.event_codes import (
    event_discount_code_delete,
    event_discount_code_find,
    event_discount_code_set,
)
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db


def test_set_creates_then_replaces_the_one_designation(event):
    voucher = VoucherFactory(event=event, code="V-ONE")
    coupon = CouponFactory(series__organizer=event.organizer, code="C-ONE")
    designation = event_discount_code_set(event=event, code="v-one")
    assert (designation.voucher, designation.coupon) == (voucher, None)
    again = event_discount_code_set(event=event, code="C-ONE")
    assert again.pk == designation.pk and (again.voucher, again.coupon) == (None, coupon)
    assert EventDiscountCode.objects.count() == 1
    event_discount_code_delete(designation=again)
    assert not EventDiscountCode.objects.exists() and Coupon.objects.filter(pk=coupon.pk).exists()


def test_find_refuses_unknown_and_not_valid_for_event(event):
    elsewhere = EventFactory(organizer=event.organizer)
    PromoCodeFactory(
        series__organizer=event.organizer,
        series__allow_all_events=False,
        series__allowed_events=[elsewhere],
        code="P-ELSE",
    )
    with pytest.raises(DomainError) as unknown:
        event_discount_code_find(event=event, code="NOTHING")
    assert (unknown.value.code, unknown.value.context) == ("code_not_found", {"field": "code"})
    with pytest.raises(DomainError) as refused:
        event_discount_code_find(event=event, code="p-else")
    assert refused.value.code == "not_valid_for_event" and "promo code" in refused.value.detail
    with pytest.raises(DomainError):
        event_discount_code_find(event=event, code="")


def test_find_only_among_the_coupons_given(event):
    coupon = CouponFactory(series__organizer=event.organizer, code="HIDDEN")
    with pytest.raises(DomainError) as refused:
        event_discount_code_find(event=event, code="HIDDEN", coupons=Coupon.objects.none())
    assert refused.value.code == "code_not_found"
    assert event_discount_code_find(event=event, code="HIDDEN") == coupon


def test_the_database_wants_exactly_one_code(event):
    voucher = VoucherFactory(event=event)
    coupon = CouponFactory(series__organizer=event.organizer)
    for values in ({}, {"voucher": voucher, "coupon": coupon}):
        with pytest.raises(IntegrityError), transaction.atomic():
            EventDiscountCode.objects.create(event=event, **values)
    EventDiscountCode.objects.create(event=event, voucher=voucher)
    with pytest.raises(IntegrityError), transaction.atomic():
        EventDiscountCode.objects.create(event=event, coupon=coupon)  # one per event


def test_deleting_a_series_takes_the_designation_with_its_coupon(event):
    coupon = CouponFactory(series__organizer=event.organizer, code="SERIES-CODE")
    event_discount_code_set(event=event, code="SERIES-CODE")
    coupon.series.delete()
    assert not EventDiscountCode.objects.exists()
    assert AuditEntry.objects.filter(object_type="event_discount_code", action="deleted").count() == 1


def test_series_items_set_and_allow_all(event):
    first, second = ItemFactory(event=event), ItemFactory(event=event)
    series = CouponSeriesFactory(organizer=event.organizer)
    series_items_set(series=series, items=[first, second])
    series.refresh_from_db()
    assert not series.allow_all_items and set(series.allowed_items.all()) == {first, second}
    series_items_allow_all(series=series)
    series.refresh_from_db()
    assert series.allow_all_items and not series.allowed_items.exists()
    before = AuditEntry.objects.count()
    series_items_allow_all(series=series)  # already open: nothing changes, nothing recorded
    assert AuditEntry.objects.count() == before


def test_voucher_items_set_and_allow_all(event):
    item, other = ItemFactory(event=event), ItemFactory(event=event)
    voucher = VoucherFactory(event=event, quota=QuotaFactory(event=event, items=[item]))
    voucher_items_set(voucher=voucher, items=[other])
    voucher.refresh_from_db()
    assert (voucher.item, voucher.quota) == (other, None)
    with pytest.raises(DomainError) as refused:
        voucher_items_set(voucher=voucher, items=[item, other])
    assert refused.value.code == "voucher_one_item" and refused.value.context == {"field": "items"}
    voucher_items_allow_all(voucher=voucher)
    voucher.refresh_from_db()
    assert (voucher.item, voucher.variation, voucher.quota) == (None, None, None)


def test_voucher_items_set_checks_a_blocking_voucher_s_quota(event):
    roomy, full = ItemFactory(event=event), ItemFactory(event=event)
    QuotaFactory(event=event, items=[roomy], size=10)
    QuotaFactory(event=event, items=[full], size=0)
    voucher = VoucherFactory(event=event, item=roomy, block_quota=True, max_usages=2)
    with pytest.raises(ValidationError) as refused:
        voucher_items_set(voucher=voucher, items=[full])
    assert "block_quota" in refused.value.message_dict
    voucher.refresh_from_db()
    assert voucher.item == roomy


def test_series_scope(organizer, event):
    other = EventFactory(organizer=organizer)
    mine = CouponSeriesFactory(organizer=organizer, allow_all_events=False, allowed_events=[event])
    CouponSeriesFactory(organizer=organizer, allow_all_events=False, allowed_events=[event, other])
    CouponSeriesFactory(organizer=organizer)
    CouponSeriesFactory(organizer=organizer, allow_all_events=False)  # no events at all
    team = TeamFactory(organizer=organizer, all_events=False, limit_events=[event], can_view_vouchers=True)
    access = organizer_access(type("Token", (), {"team": team})(), organizer.slug)
    read, write = series_scope(access, READ), series_scope(access, WRITE)
    assert list(read.series(CouponSeries.objects.all())) == [mine]
    assert list(write.series(CouponSeries.objects.all())) == []
    assert read.outside([event, other]) == [other]
    everything = TeamFactory(organizer=organizer, all_events=True, can_change_vouchers=True)
    access = organizer_access(type("Token", (), {"team": everything})(), organizer.slug)
    assert series_scope(access, WRITE).everything
    # All events without the permission reach no series: rights count team by team.
    bare = TeamFactory(organizer=organizer, all_events=True)
    access = organizer_access(type("Token", (), {"team": bare})(), organizer.slug)
    assert list(series_scope(access, WRITE).series(CouponSeries.objects.all())) == []

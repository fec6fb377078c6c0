"""Database rules: case-insensitive uniqueness per event / organizer, and the shared validation functions
(the rules that need no query, which ``Model.clean()`` runs, and the full checks that look codes and
quotas up)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ticketing.models.base import field_values
from ticketing.selectors import quota_availability
from ticketing.tests.factories import (
    EventFactory,
    ItemBundleFactory,
    ItemCategoryFactory,
    ItemFactory,
    ItemVariationFactory,
    OrganizerFactory,
    QuotaFactory,
    SubEventFactory,
)
from vouchers.models import Coupon, Voucher
from vouchers.services.checks import (
    DUPLICATE_COUPON,
    DUPLICATE_VOUCHER,
    validate_coupon,
    validate_promo_code,
    validate_voucher,
    validate_voucher_conflicts,
)
from vouchers.services.vouchers import voucher_create
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory
from vouchers.validation import validate_coupon_series

pytestmark = pytest.mark.django_db


def test_voucher_codes_are_unique_per_event_ignoring_case(event):
    Voucher.objects.create(event=event, code="ABCDE")
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.create(event=event, code="abcde")
    Voucher.objects.create(event=EventFactory(organizer=event.organizer), code="abcde")


def test_coupon_and_promo_codes_share_one_namespace_per_organizer(organizer):
    PromoCodeFactory(series__organizer=organizer, code="SUMMER")
    with pytest.raises(IntegrityError), transaction.atomic():
        CouponFactory(series__organizer=organizer, code="summer")
    other = OrganizerFactory()
    CouponFactory(series__organizer=other, code="summer")  # another organizer may use the same text
    assert Coupon.objects.filter(code__iexact="summer").count() == 2


def voucher_errors(**values) -> dict:
    with pytest.raises(ValidationError) as info:
        validate_voucher(**values)
    return info.value.message_dict


def test_voucher_rules_each_name_their_field(event, organizer):
    series_event = EventFactory(organizer=organizer, has_subevents=True)
    other_event = EventFactory(organizer=organizer)
    item = ItemFactory(event=event)
    addon_item = ItemFactory(event=event, category=ItemCategoryFactory(event=event, is_addon=True))
    bundled = ItemBundleFactory(base_item=item).bundled_item
    foreign_item = ItemFactory(event=other_event)
    quota = QuotaFactory(event=event, items=[item])
    foreign_quota = QuotaFactory(event=other_event)
    variation_of_other = ItemVariationFactory(item=ItemFactory(event=event))
    VoucherFactory(event=event, code="TAKEN1")
    cases = [
        ({"quota": foreign_quota}, "quota"),
        ({"quota": quota, "item": item}, "non_field_errors"),
        ({"item": addon_item}, "item"),
        ({"item": bundled}, "item"),
        ({"item": foreign_item}, "item"),
        ({"variation": variation_of_other}, "variation"),
        ({"item": item, "variation": variation_of_other}, "variation"),
        ({"block_quota": True}, "block_quota"),
        ({"max_usages": 2, "redeemed": 3}, "max_usages"),
        ({"max_usages": 2, "min_usages": 3}, "max_usages"),
        ({"min_usages": 0}, "min_usages"),
        ({"code": "taken1"}, "code"),
        ({"code": "ABCD"}, "code"),
        ({"code": "AB CD E"}, "code"),
        ({"price_mode": "percent", "value": Decimal("101")}, "value"),
        ({"budget": Decimal("-1")}, "budget"),
        ({"valid_from": timezone.now(), "valid_until": timezone.now() - timedelta(days=1)}, "valid_until"),
        ({"subevent": SubEventFactory(event=series_event)}, "subevent"),
    ]
    for change, field in cases:
        assert field in voucher_errors(**{"event": event, "code": "FINE-CODE", **change}), change
    date = SubEventFactory(event=series_event)
    series_item = ItemFactory(event=series_event)
    assert "block_quota" in voucher_errors(event=series_event, item=series_item, block_quota=True)
    assert "subevent" in voucher_errors(event=series_event, subevent=SubEventFactory())
    validate_voucher(event=series_event, item=series_item, subevent=date, code="FINE-CODE")


def test_voucher_code_may_not_shadow_a_coupon_code(event):
    CouponFactory(series__organizer=event.organizer, code="SHARED1")
    assert "code" in voucher_errors(event=event, code="shared1")


def test_blocking_needs_room_in_the_quota_unless_allowed_to_ignore_it(event):
    item = ItemFactory(event=event)
    quota = QuotaFactory(event=event, items=[item], size=3)
    VoucherFactory(event=event, item=item, block_quota=True, max_usages=2)
    assert quota_availability(quota).blocking_vouchers == 2
    # The services that save a voucher check the room, under the quota's lock.
    with pytest.raises(ValidationError) as refused:
        voucher_create(event=event, quota=quota, block_quota=True, max_usages=2, code="TOO-MANY")
    assert refused.value.message_dict == {"block_quota": [f"Quota '{quota.name}' has only 1 left, not 2."]}
    voucher_create(event=event, quota=quota, block_quota=True, max_usages=1, code="FITS-ONE")
    voucher_create(
        event=event, quota=quota, block_quota=True, max_usages=5, allow_ignore_quota=True, code="IGNORES"
    )
    codes = sorted(Voucher.objects.filter(quota=quota).values_list("code", flat=True))
    assert codes == ["FITS-ONE", "IGNORES"]
    assert quota_availability(quota).available_number == 0


def test_saving_an_unchanged_blocking_voucher_is_fine(event):
    item = ItemFactory(event=event)
    quota = QuotaFactory(event=event, items=[item], size=2)
    voucher = VoucherFactory(event=event, quota=quota, block_quota=True, max_usages=2)
    voucher.full_clean()
    validate_voucher(**field_values(voucher))  # its own code and its own block are not held against it
    assert quota_availability(quota).available_number == 0


def test_model_clean_runs_the_rules_that_need_no_query(event, organizer, django_assert_num_queries):
    VoucherFactory(event=event, code="TAKEN1")
    CouponFactory(series__organizer=organizer, code="TAKEN2")
    item = ItemFactory(event=event)
    QuotaFactory(event=event, items=[item], size=0)
    voucher = Voucher(event=event, item=item, code="taken1", block_quota=True, min_usages=0)
    coupon = Coupon(organizer=organizer, series=CouponSeriesFactory(organizer=organizer), code="taken2")
    with django_assert_num_queries(0):
        with pytest.raises(ValidationError) as refused:
            voucher.clean()
        coupon.clean()
    assert refused.value.message_dict == {"min_usages": ["min_usages must be at least 1."]}
    # The checks that query are the full validators' (the API and the admin run them).
    assert voucher_errors(**field_values(voucher)) == {
        "code": [DUPLICATE_VOUCHER],
        "min_usages": ["min_usages must be at least 1."],
    }
    with pytest.raises(ValidationError) as taken:
        validate_coupon(**field_values(coupon))
    assert taken.value.message_dict == {"code": [DUPLICATE_COUPON]}


def conflict_errors(**values) -> dict:
    with pytest.raises(ValidationError) as info, transaction.atomic():
        validate_voucher_conflicts(**values)
    return info.value.message_dict


def test_the_back_office_checks_the_quota_room_only_when_everything_else_passes(event):
    item = ItemFactory(event=event)
    quota = QuotaFactory(event=event, items=[item], size=1)
    values = {"event": event, "quota": quota, "block_quota": True, "max_usages": 2}
    assert conflict_errors(**values) == {"block_quota": [f"Quota '{quota.name}' has only 1 left, not 2."]}
    with transaction.atomic():
        validate_voucher_conflicts(**values, min_usages=3)  # the model's clean() names that rule
    VoucherFactory(event=event, code="TAKEN1")
    assert conflict_errors(**values, code="taken1") == {"code": [DUPLICATE_VOUCHER]}


def test_blocking_counts_only_valid_vouchers_in_the_quotas_scope(event):
    item, other_item = ItemFactory(event=event), ItemFactory(event=event)
    quota = QuotaFactory(event=event, items=[item], size=10)
    VoucherFactory(event=event, item=item, block_quota=True, max_usages=3, redeemed=1)
    VoucherFactory(event=event, quota=quota, block_quota=True, max_usages=1)
    VoucherFactory(event=event, item=other_item, block_quota=True, max_usages=4)
    VoucherFactory(event=event, item=item, block_quota=False, max_usages=4)
    VoucherFactory(
        event=event,
        item=item,
        block_quota=True,
        max_usages=4,
        valid_until=timezone.now() - timedelta(hours=1),
    )
    assert quota_availability(quota).blocking_vouchers == 3


def test_coupon_series_rules(organizer, event):
    other_event = EventFactory(organizer=organizer)
    foreign_event = EventFactory()
    foreign_item = ItemFactory(event=foreign_event)
    base = {"organizer": organizer, "discount_type": "percent", "discount_value": Decimal("10")}
    cases = [
        ({"discount_value": None}, "discount_value"),
        ({"discount_value": Decimal("-1")}, "discount_value"),
        ({"discount_value": Decimal("100.5")}, "discount_value"),
        ({"discount_type": "fix", "discount_max_value": Decimal("5")}, "discount_max_value"),
        ({"single_usage": True, "max_usage": 3}, "max_usage"),
        ({"max_usage": 0}, "max_usage"),
        ({"min_tickets_in_cart": 3, "max_tickets_in_cart": 2}, "max_tickets_in_cart"),
        ({"valid_from": timezone.now(), "valid_until": timezone.now() - timedelta(1)}, "valid_until"),
        ({"allow_all_events": False, "allowed_events": []}, "allowed_events"),
        ({"allowed_events": [foreign_event]}, "allowed_events"),
        ({"allowed_items": [foreign_item]}, "allowed_items"),
        (
            {
                "allow_all_events": False,
                "allowed_events": [event],
                "allowed_items": [ItemFactory(event=other_event)],
            },
            "allowed_items",
        ),
        ({"allow_all_items": False, "allowed_items": []}, "allowed_items"),
        ({"tags": "vip"}, "tags"),
        ({"tags": [""]}, "tags"),
    ]
    for change, field in cases:
        with pytest.raises(ValidationError) as info:
            validate_coupon_series(**{**base, **change})
        assert field in info.value.message_dict, change
    validate_coupon_series(**base, discount_max_value=Decimal("20"), tags=["vip"])


def test_coupon_rules(organizer, event):
    series = CouponSeriesFactory(organizer=organizer)
    CouponFactory(series=series, code="EXISTS1")
    VoucherFactory(event=event, code="VOUCH1")
    promo = PromoCodeFactory(series__organizer=organizer)
    cases = [
        ({"code": "exists1"}, "code"),
        ({"code": "vouch1"}, "code"),
        ({"code": "abc"}, "code"),
        ({"customer_email": "not-an-email"}, "customer_email"),
        ({"series": CouponSeriesFactory()}, "series"),
        ({"series": promo.series}, "series"),
    ]
    for change, field in cases:
        with pytest.raises(ValidationError) as info:
            validate_coupon(**{"organizer": organizer, "series": series, "code": "NEW-CODE", **change})
        assert field in info.value.message_dict, change


def test_promo_code_rules(organizer):
    PromoCodeFactory(series__organizer=organizer, code="SPRING")
    base = {"organizer": organizer, "code": "NEWPROMO", "value": Decimal("5"), "percentage": False}
    for change, field in [
        ({"code": " spring "}, "code"),
        ({"value": None}, "value"),
        ({"value": Decimal("150"), "percentage": True}, "value"),
        ({"start_date": timezone.now(), "end_date": timezone.now() - timedelta(1)}, "end_date"),
    ]:
        with pytest.raises(ValidationError) as info:
            validate_promo_code(**{**base, **change})
        assert field in info.value.message_dict, change
    validate_promo_code(**{**base, "value": Decimal("150")})  # an amount may exceed 100

"""The resolution service: every error code, in a table, and what a resolved code carries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ticketing.tests.factories import EventFactory, ItemFactory, ItemVariationFactory, QuotaFactory
from vouchers.choices import CodeKind
from vouchers.models import CouponEventUsage
from vouchers.resolution import (
    CartLineSummary,
    CartSummary,
    CodeError,
    resolve_code,
)
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()
HOUR = timedelta(hours=1)


def cart(*items: int, email: str | None = None, **line) -> CartSummary:
    return CartSummary(lines=tuple(CartLineSummary(item=i, **line) for i in items), email=email)


# Each case: a name, a function (event, item) -> (code, resolve kwargs), the expected error code.
ERROR_CASES = [
    ("unknown code", lambda e, i: ("NOPE-NOPE", {}), "invalid"),
    (
        "coupon deactivated",
        lambda e, i: (CouponFactory(series__organizer=e.organizer, active=False).code, {}),
        "inactive",
    ),
    (
        "series deactivated",
        lambda e, i: (CouponFactory(series__organizer=e.organizer, series__active=False).code, {}),
        "inactive",
    ),
    (
        "promo code deactivated by its first use",
        lambda e, i: (PromoCodeFactory(series__organizer=e.organizer, active=False).code, {}),
        "inactive",
    ),
    (
        "voucher before valid_from",
        lambda e, i: (VoucherFactory(event=e, valid_from=NOW + HOUR).code, {}),
        "not_yet_valid",
    ),
    (
        "series before valid_from",
        lambda e, i: (CouponFactory(series__organizer=e.organizer, series__valid_from=NOW + HOUR).code, {}),
        "not_yet_valid",
    ),
    (
        "voucher after valid_until",
        lambda e, i: (VoucherFactory(event=e, valid_until=NOW - HOUR).code, {}),
        "expired",
    ),
    (
        "promo after end date",
        lambda e, i: (
            PromoCodeFactory(series__organizer=e.organizer, series__valid_until=NOW - HOUR).code,
            {},
        ),
        "expired",
    ),
    (
        "voucher fully redeemed",
        lambda e, i: (VoucherFactory(event=e, max_usages=2, redeemed=2).code, {}),
        "exhausted",
    ),
    (
        "voucher uses held by other carts",
        lambda e, i: (VoucherFactory(event=e, max_usages=2, redeemed=1).code, {"held_elsewhere": 1}),
        "held_in_other_cart",
    ),
    (
        "voucher redeemed to its limit, and held too",
        lambda e, i: (VoucherFactory(event=e, max_usages=2, redeemed=2).code, {"held_elsewhere": 1}),
        "exhausted",
    ),
    (
        "single-usage coupon held by another cart",
        lambda e, i: (
            CouponFactory(series__organizer=e.organizer, series__single_usage=True).code,
            {"held_elsewhere": 1},
        ),
        "held_in_other_cart",
    ),
    (
        "single-usage coupon used once",
        lambda e, i: (
            CouponFactory(series__organizer=e.organizer, series__single_usage=True, used_orders=1).code,
            {},
        ),
        "exhausted",
    ),
    (
        "coupon max_usage reached",
        lambda e, i: (
            CouponFactory(series__organizer=e.organizer, series__max_usage=3, used_orders=3).code,
            {},
        ),
        "exhausted",
    ),
    ("coupon max_usage_per_event reached", lambda e, i: (per_event_used_up(e), {}), "exhausted"),
    (
        "coupon ticket allowance used up",
        lambda e, i: (
            CouponFactory(series__organizer=e.organizer, series__max_tickets=4, used_tickets=4).code,
            {},
        ),
        "exhausted",
    ),
    (
        "voucher budget used up",
        lambda e, i: (VoucherFactory(event=e, budget=Decimal("10"), budget_used=Decimal("10")).code, {}),
        "budget_exhausted",
    ),
    (
        "voucher of another event",
        lambda e, i: (VoucherFactory(event=EventFactory(organizer=e.organizer)).code, {}),
        "not_valid_for_event",
    ),
    (
        "series limited to another event",
        lambda e, i: (
            CouponFactory(
                series__organizer=e.organizer,
                series__allow_all_events=False,
                series__allowed_events=[EventFactory(organizer=e.organizer)],
            ).code,
            {},
        ),
        "not_valid_for_event",
    ),
    (
        "voucher for another item",
        lambda e, i: (VoucherFactory(event=e, item=ItemFactory(event=e)).code, {"cart": cart(i.pk)}),
        "not_valid_for_items",
    ),
    (
        "voucher for a quota without the item",
        lambda e, i: (VoucherFactory(event=e, quota=QuotaFactory(event=e)).code, {"cart": cart(i.pk)}),
        "not_valid_for_items",
    ),
    (
        "voucher for another variation",
        lambda e, i: (
            VoucherFactory(event=e, item=i, variation=ItemVariationFactory(item=i)).code,
            {"cart": cart(i.pk, variation=ItemVariationFactory(item=i).pk)},
        ),
        "not_valid_for_items",
    ),
    (
        "coupon for other items only",
        lambda e, i: (
            CouponFactory(
                series__organizer=e.organizer,
                series__allow_all_items=False,
                series__allowed_items=[ItemFactory(event=e)],
            ).code,
            {"cart": cart(i.pk)},
        ),
        "not_valid_for_items",
    ),
    (
        "coupon on a cart whose lines carry another code",
        lambda e, i: (
            CouponFactory(series__organizer=e.organizer).code,
            {"cart": cart(i.pk, code="OTHER-CODE")},
        ),
        "not_valid_for_items",
    ),
    (
        "uncombinable coupon with another code",
        lambda e, i: (CouponFactory(series__organizer=e.organizer).code, {"other_codes": ["SOMETHING"]}),
        "not_combinable",
    ),
    (
        "voucher next to an uncombinable promo code",
        lambda e, i: (
            VoucherFactory(event=e).code,
            {"other_codes": [PromoCodeFactory(series__organizer=e.organizer).code.lower()]},
        ),
        "not_combinable",
    ),
    (
        "coupon for another customer",
        lambda e, i: (
            CouponFactory(series__organizer=e.organizer, customer_email="ann@example.com").code,
            {"customer_email": "bob@example.com"},
        ),
        "customer_mismatch",
    ),
    (
        "customer-bound coupon at a checkout without email",
        lambda e, i: (
            CouponFactory(series__organizer=e.organizer, customer_email="ann@example.com").code,
            {"cart": cart(i.pk)},
        ),
        "customer_mismatch",
    ),
    (
        "coupon needs more tickets",
        lambda e, i: (
            CouponFactory(series__organizer=e.organizer, series__min_tickets_in_cart=3).code,
            {"cart": cart(i.pk, count=2)},
        ),
        "cart_too_small",
    ),
    (
        "voucher min_usages not reached",
        lambda e, i: (
            VoucherFactory(event=e, max_usages=5, min_usages=3).code,
            {"cart": cart(i.pk, count=2)},
        ),
        "cart_too_small",
    ),
    (
        "add-ons are not tickets",
        lambda e, i: (
            CouponFactory(series__organizer=e.organizer, series__min_tickets_in_cart=2).code,
            {
                "cart": CartSummary(
                    lines=(CartLineSummary(item=i.pk), CartLineSummary(item=i.pk, is_addon=True))
                )
            },
        ),
        "cart_too_small",
    ),
    (
        "coupon allows fewer tickets",
        lambda e, i: (
            CouponFactory(series__organizer=e.organizer, series__max_tickets_in_cart=2).code,
            {"cart": cart(i.pk, count=3)},
        ),
        "cart_too_large",
    ),
]


def per_event_used_up(event) -> str:
    coupon = CouponFactory(series__organizer=event.organizer, series__max_usage_per_event=1)
    CouponEventUsage.objects.create(coupon=coupon, event=event, orders=1, tickets=1)
    return coupon.code


@pytest.mark.parametrize(("name", "build", "error"), ERROR_CASES, ids=[case[0] for case in ERROR_CASES])
def test_each_refusal_has_its_stable_code(event, name, build, error):
    item = ItemFactory(event=event)
    code, kwargs = build(event, item)
    with pytest.raises(CodeError) as info:
        resolve_code(organizer=event.organizer, event=event, code=code, now=NOW, **kwargs)
    assert info.value.code == error
    assert info.value.as_dict()["code"] == error


def test_every_error_code_is_covered():
    from vouchers.resolution import CodeErrorCode

    assert {case[2] for case in ERROR_CASES} == {c.value for c in CodeErrorCode}


def test_codes_are_matched_ignoring_case_and_spaces(event):
    VoucherFactory(event=event, code="SPRING-SALE")
    resolved = resolve_code(organizer=event.organizer, event=event, code="  spring-sale\t", now=NOW)
    assert resolved.code == "SPRING-SALE"
    assert resolved.kind == CodeKind.VOUCHER


def test_a_voucher_resolves_with_its_scope_and_limits(event):
    item = ItemFactory(event=event, hide_without_voucher=True)
    variation = ItemVariationFactory(item=item)
    voucher = VoucherFactory(
        event=event,
        item=item,
        variation=variation,
        price_mode="percent",
        value=Decimal("25"),
        max_usages=5,
        redeemed=1,
        min_usages=3,
        budget=Decimal("50"),
        budget_used=Decimal("20"),
        all_addons_included=True,
        tag="press",
    )
    resolved = resolve_code(
        organizer=event.organizer,
        event=event,
        code=voucher.code,
        now=NOW,
        held_elsewhere=1,
        cart=cart(item.pk, variation=variation.pk, count=2),
    )
    assert (resolved.id, resolved.mode, resolved.value) == (voucher.pk, "percent", Decimal("25"))
    assert resolved.uses_remaining == 3
    assert resolved.min_positions == 2  # min_usages − redeemed
    assert resolved.budget_remaining == Decimal("30")
    assert resolved.item_ids == {item.pk} and resolved.variation_ids == {variation.pk}
    assert resolved.scope == "items"
    assert resolved.unlocks_hidden_items and resolved.all_addons_included and resolved.can_be_combined
    assert resolved.tags == ("press",)
    assert resolved.covers(item=item.pk, variation=variation.pk)
    assert not resolved.covers(item=item.pk, variation=variation.pk + 1000)


def test_a_quota_voucher_covers_the_quotas_items_and_variations(event):
    item, other = ItemFactory(event=event), ItemFactory(event=event)
    variation = ItemVariationFactory(item=item)
    quota = QuotaFactory(event=event, items=[item], variations=[variation])
    voucher = VoucherFactory(event=event, quota=quota)
    resolved = resolve_code(organizer=event.organizer, event=event, code=voucher.code, now=NOW)
    assert resolved.item_ids == {item.pk} and resolved.variation_ids == {variation.pk}
    assert resolved.quota_id == quota.pk
    assert not resolved.covers(item=other.pk)


def test_a_coupon_resolves_with_its_series_settings(event):
    item = ItemFactory(event=event)
    series = CouponSeriesFactory(
        organizer=event.organizer,
        discount_value=Decimal("12"),
        discount_max_value=Decimal("30"),
        max_usage=5,
        max_usage_per_event=2,
        max_tickets=10,
        allow_all_events=False,
        allowed_events=[event],
        allow_all_items=False,
        allowed_items=[item],
        tags=["spring"],
        reveal_allowed_items=True,
        can_be_combined=True,
        min_tickets_in_cart=1,
        max_tickets_in_cart=6,
    )
    coupon = CouponFactory(series=series, used_orders=2, used_tickets=3, customer_email="Ann@Example.com")
    CouponEventUsage.objects.create(coupon=coupon, event=event, orders=1, tickets=2)
    resolved = resolve_code(
        organizer=event.organizer,
        event=event,
        code=coupon.code.lower(),
        now=NOW,
        cart=cart(item.pk, count=2, email=" ann@example.com"),
        other_codes=["SOMEVOUCHER"],
    )
    assert resolved.kind == CodeKind.COUPON and resolved.series_id == series.pk
    assert (resolved.mode, resolved.value, resolved.discount_max_value) == (
        "percent",
        Decimal("12"),
        Decimal("30"),
    )
    assert resolved.uses_remaining == 1  # per event: 2 − 1, overall 5 − 2
    assert resolved.tickets_remaining == 7
    assert resolved.event_ids == {event.pk} and resolved.item_ids == {item.pk}
    assert resolved.tags == ("spring",) and resolved.unlocks_hidden_items
    assert resolved.customer_email == "Ann@Example.com"


def test_a_promo_code_resolves_as_its_own_kind(event):
    promo = PromoCodeFactory(
        series__organizer=event.organizer,
        series__discount_type="fix",
        series__discount_value=Decimal("5"),
        series__single_usage=True,
    )
    resolved = resolve_code(organizer=event.organizer, event=event, code=promo.code, now=NOW)
    assert (resolved.kind, resolved.mode, resolved.id) == (CodeKind.PROMO_CODE, "fix", promo.pk)
    assert resolved.deactivate_on_use and not resolved.can_be_combined
    assert resolved.scope == "event"


def test_without_an_event_only_organizer_wide_codes_match(event):
    voucher = VoucherFactory(event=event)
    coupon = CouponFactory(series__organizer=event.organizer)
    assert (
        resolve_code(organizer=event.organizer, event=None, code=coupon.code, now=NOW).kind == CodeKind.COUPON
    )
    with pytest.raises(CodeError) as info:
        resolve_code(organizer=event.organizer, event=None, code=voucher.code, now=NOW)
    assert info.value.code == "not_valid_for_event"


def test_another_organizers_code_is_unknown(event):
    coupon = CouponFactory()
    with pytest.raises(CodeError) as info:
        resolve_code(organizer=event.organizer, event=event, code=coupon.code, now=NOW)
    assert info.value.code == "invalid"


def test_combinable_codes_may_share_a_cart(event):
    first = CouponFactory(series__organizer=event.organizer, series__can_be_combined=True)
    second = CouponFactory(series__organizer=event.organizer, series__can_be_combined=True)
    voucher = VoucherFactory(event=event)
    resolved = resolve_code(
        organizer=event.organizer,
        event=event,
        code=first.code,
        now=NOW,
        other_codes=[second.code, voucher.code],
    )
    assert resolved.id == first.pk


def test_the_first_failing_check_wins(event):
    voucher = VoucherFactory(event=event, valid_until=NOW - HOUR, max_usages=1, redeemed=1)
    with pytest.raises(CodeError) as info:
        resolve_code(organizer=event.organizer, event=event, code=voucher.code, now=NOW)
    assert info.value.code == "expired"

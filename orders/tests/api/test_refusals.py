"""Every refusal of the checkout, with its stable code: a table of (setup, expected status and code).

Each setup gets the ``event``, the ``shop`` and the ``organizer`` and returns the
request: positions, codes and further body fields.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.tests.conftest import pos
from orders.tests.factories import OrderFactory, OrderPositionFactory
from ticketing.models import SalesChannel
from ticketing.tests.factories import (
    ItemAddOnFactory,
    ItemCategoryFactory,
    ItemFactory,
    ItemVariationFactory,
    QuotaFactory,
    SubEventFactory,
)
from vouchers.models import CouponEventUsage, PriceMode
from vouchers.tests.factories import CouponFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal
HOUR = timedelta(hours=1)


def in_quota(shop, item):
    shop.quota.items.add(item)
    return item


def addon_setup(event, shop, *, min_count=0, max_count=1, count=1):
    category = ItemCategoryFactory(event=event, addon=True)
    workshop = in_quota(shop, ItemFactory(event=event, category=category))
    ItemAddOnFactory(base_item=shop.ticket, addon_category=category, min_count=min_count, max_count=max_count)
    return [pos(shop.ticket)] + [pos(workshop, addon_to=0)] * count, []


def coupon(organizer, **series):
    return CouponFactory(series__organizer=organizer, **{f"series__{k}": v for k, v in series.items()})


def with_voucher(event, shop, **fields):
    return [pos(shop.ticket, voucher=VoucherFactory(event=event, **fields).code)], []


def deactivated(coupon_row) -> str:
    type(coupon_row).objects.filter(pk=coupon_row.pk).update(active=False)
    return coupon_row.code


def for_customer(coupon_row, email: str) -> str:
    type(coupon_row).objects.filter(pk=coupon_row.pk).update(customer_email=email)
    return coupon_row.code


def quota_full(event, shop):
    shop.quota.size = 1
    shop.quota.save()
    OrderPositionFactory(order=OrderFactory(event=event), item=shop.ticket)
    return [pos(shop.ticket)], []


def box_only(event, shop):
    box = SalesChannel.objects.create(organizer=event.organizer, identifier="box", label="Box office")
    shop.ticket.all_sales_channels = False
    shop.ticket.save()
    shop.ticket.limit_sales_channels.set([box])
    return [pos(shop.ticket)], []


def series_without_date(event, shop):
    event.has_subevents = True
    event.save()
    return [pos(shop.ticket)], []


def date_on_a_single_event(event, shop):
    return [pos(shop.ticket, subevent=SubEventFactory(event=event).pk)], []


def exhausted_per_event(event, organizer, shop):
    limited = coupon(organizer, max_usage_per_event=1)
    CouponEventUsage.objects.create(coupon=limited, event=event, orders=1)
    return [pos(shop.ticket)], [limited.code]


def uncombinable(event, organizer, shop):
    voucher = VoucherFactory(event=event)
    promo = PromoCodeFactory(series__organizer=organizer, series__can_be_combined=False)
    # Each is valid alone (the promo code has a ticket without the voucher): together they are not.
    return [pos(shop.ticket, voucher=voucher.code), pos(shop.ticket)], [promo.code]


REFUSALS = [
    # name, setup(event, organizer, shop) -> (positions, codes[, body]), status, code
    ("unknown item", lambda e, o, s: ([pos(999999)], []), 400, "item_not_found"),
    ("inactive item", lambda e, o, s: ([pos(ItemFactory(event=e, active=False))], []), 400, "item_inactive"),
    (
        "item no longer on sale",
        lambda e, o, s: ([pos(ItemFactory(event=e, available_until=timezone.now() - HOUR))], []),
        400, "item_not_on_sale",
    ),
    (
        "event presale not started",
        lambda e, o, s: (type(e).objects.filter(pk=e.pk).update(presale_start=timezone.now() + HOUR)
                         and [pos(s.ticket)], []),
        400, "item_not_on_sale",
    ),
    ("item not on this channel", lambda e, o, s: box_only(e, s), 400, "item_not_in_channel"),
    (
        "item with variations but none chosen",
        lambda e, o, s: ([pos(ItemVariationFactory(item=s.ticket).item)], []), 400, "variation_required",
    ),
    (
        "variation of another item",
        lambda e, o, s: ([pos(s.cheap, variation=ItemVariationFactory(item=s.ticket).pk)], []),
        400, "variation_not_found",
    ),
    (
        "inactive variation",
        lambda e, o, s: ([pos(s.ticket, variation=ItemVariationFactory(item=s.ticket, active=False).pk)], []),
        400, "variation_inactive",
    ),
    ("series without a date", lambda e, o, s: series_without_date(e, s), 400, "subevent_required"),
    ("a date on a single event", lambda e, o, s: date_on_a_single_event(e, s), 400, "subevent_not_allowed"),
    ("hidden item without a code", lambda e, o, s: ([pos(ItemFactory(event=e, hidden=True))], []), 400,
     "item_hidden"),
    (
        "add-on item on its own",
        lambda e, o, s: ([pos(ItemFactory(event=e, category=ItemCategoryFactory(event=e, addon=True)))], []),
        400, "item_only_addon",
    ),
    ("bundle-only item on its own", lambda e, o, s: ([pos(ItemFactory(event=e, require_bundling=True))], []),
     400, "item_only_bundled"),
    ("add-on the parent does not offer", lambda e, o, s: ([pos(s.ticket), pos(s.cheap, addon_to=0)], []),
     400, "addon_not_offered"),
    ("add-on pointing forward", lambda e, o, s: ([pos(s.ticket, addon_to=1), pos(s.cheap)], []), 400,
     "addon_parent_invalid"),
    ("too many add-ons", lambda e, o, s: addon_setup(e, s, max_count=1, count=2), 400, "addon_max_count"),
    ("too few add-ons", lambda e, o, s: addon_setup(e, s, min_count=1, count=0), 400, "addon_min_count"),
    (
        "more than max_per_order",
        lambda e, o, s: (type(s.ticket).objects.filter(pk=s.ticket.pk).update(max_per_order=1)
                         and [pos(s.ticket), pos(s.ticket)], []),
        400, "max_per_order",
    ),
    (
        "less than min_per_order",
        lambda e, o, s: (type(s.ticket).objects.filter(pk=s.ticket.pk).update(min_per_order=2)
                         and [pos(s.ticket)], []),
        400, "min_per_order",
    ),
    ("quota sold out", lambda e, o, s: quota_full(e, s), 409, "quota_exceeded"),
    ("item in no quota", lambda e, o, s: ([pos(ItemFactory(event=e))], []), 409, "no_quota"),
    ("unknown code", lambda e, o, s: ([pos(s.ticket)], ["NO-SUCH-CODE"]), 400, "invalid"),
    (
        "expired voucher",
        lambda e, o, s: with_voucher(e, s, valid_until=timezone.now() - HOUR),
        400, "expired",
    ),
    (
        "voucher not valid yet",
        lambda e, o, s: with_voucher(e, s, valid_from=timezone.now() + HOUR),
        400, "not_yet_valid",
    ),
    ("voucher used up", lambda e, o, s: with_voucher(e, s, used_up=True), 400, "exhausted"),
    (
        "more positions than max_usages left",
        lambda e, o, s: ([pos(s.ticket, voucher="TWOLEFT01")] * 3,
                         [VoucherFactory(event=e, code="TWOLEFT01", max_usages=2).code]),
        400, "exhausted",
    ),
    (
        "fewer positions than min_usages",
        lambda e, o, s: with_voucher(e, s, min_usages=2, max_usages=5),
        400, "cart_too_small",
    ),
    (
        "voucher budget used up",
        lambda e, o, s: with_voucher(e, s, price_mode=PriceMode.PERCENT, value=D("10"), budget=D("5"),
                                     budget_used=D("5")),
        400, "budget_exhausted",
    ),
    (
        "voucher for another item",
        lambda e, o, s: with_voucher(e, s, item=s.cheap),
        400, "not_valid_for_items",
    ),
    ("single-use coupon used", lambda e, o, s: ([pos(s.ticket)], [_used(coupon(o, single_usage=True))]), 400,
     "exhausted"),
    ("coupon max_usage reached", lambda e, o, s: ([pos(s.ticket)], [_used(coupon(o, max_usage=1))]), 400,
     "exhausted"),
    ("coupon max_usage_per_event reached", lambda e, o, s: exhausted_per_event(e, o, s), 400, "exhausted"),
    (
        "coupon ticket allowance used up",
        lambda e, o, s: ([pos(s.ticket)], [_used(coupon(o, max_tickets=1), tickets=1, orders=0)]),
        400, "exhausted",
    ),
    ("deactivated coupon", lambda e, o, s: ([pos(s.ticket)], [deactivated(coupon(o))]), 400, "inactive"),
    ("code that may not be combined", lambda e, o, s: uncombinable(e, o, s), 400, "not_combinable"),
    (
        "coupon of another customer",
        lambda e, o, s: ([pos(s.ticket)], [for_customer(coupon(o), "x@example.com")]),
        400, "customer_mismatch",
    ),
    (
        "cart below the coupon's minimum",
        lambda e, o, s: ([pos(s.ticket)], [coupon(o, min_tickets_in_cart=2).code]), 400, "cart_too_small",
    ),
    (
        "cart above the coupon's maximum",
        lambda e, o, s: ([pos(s.ticket)] * 3, [coupon(o, max_tickets_in_cart=2).code]), 400, "cart_too_large",
    ),
    (
        "coupon for other items only",
        lambda e, o, s: ([pos(s.ticket)], [coupon(o, allow_all_items=False, allowed_items=[s.cheap]).code]),
        400, "not_valid_for_items",
    ),
    ("expected total differs", lambda e, o, s: ([pos(s.ticket)], [], {"expected_total": "49.99"}), 409,
     "price_changed"),
]


def _used(coupon_row, *, orders: int = 1, tickets: int = 1) -> str:
    type(coupon_row).objects.filter(pk=coupon_row.pk).update(used_orders=orders, used_tickets=tickets)
    return coupon_row.code


@pytest.mark.parametrize(("setup", "status", "code"), [c[1:] for c in REFUSALS], ids=[c[0] for c in REFUSALS])
def test_refusal(buy, event, organizer, shop, setup, status, code):
    positions, codes, *rest = setup(event, organizer, shop)
    response = buy(positions, codes=codes, **(rest[0] if rest else {}))
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert "detail" in response.json()


def test_a_refused_checkout_changes_nothing(buy, event, organizer, shop):
    voucher = VoucherFactory(event=event, max_usages=5)
    response = buy([pos(shop.ticket, voucher=voucher.code)], expected_total="1.00")
    assert response.status_code == 409
    voucher.refresh_from_db()
    assert voucher.redeemed == 0
    assert not event.orders.exists()


def test_price_changed_says_the_new_total(buy, shop):
    body = buy([pos(shop.ticket)], expected_total="45.00").json()
    assert (body["code"], body["total"], body["expected_total"]) == ("price_changed", "50.00", "45.00")


def test_the_expected_total_when_right_is_accepted(buy, shop):
    assert buy([pos(shop.ticket)], expected_total="50.00").status_code == 201


def test_a_hidden_item_is_sold_with_a_voucher_that_unlocks_it(buy, event, shop):
    hidden = in_quota(shop, ItemFactory(event=event, hidden=True))
    voucher = VoucherFactory(event=event, item=hidden)
    assert buy([pos(hidden, voucher=voucher.code)]).status_code == 201


def test_a_hidden_item_is_sold_with_a_coupon_that_reveals_it(buy, event, organizer, shop):
    hidden = in_quota(shop, ItemFactory(event=event, hidden=True))
    revealing = coupon(organizer, reveal_allowed_items=True, allow_all_items=False, allowed_items=[hidden])
    assert buy([pos(hidden)], codes=[revealing.code]).status_code == 201


def test_a_voucher_that_blocks_quota_sells_into_a_full_quota(buy, event, shop):
    shop.quota.size = 1
    shop.quota.save()
    voucher = VoucherFactory(event=event, item=shop.ticket, block_quota=True, max_usages=1)
    assert buy([pos(shop.ticket)]).json()["code"] == "quota_exceeded"  # the voucher holds the last one
    assert buy([pos(shop.ticket, voucher=voucher.code)]).status_code == 201


def test_a_quota_of_a_variation_counts_that_variation(buy, event, shop):
    small = ItemVariationFactory(item=shop.ticket)
    QuotaFactory(event=event, size=0, items=[shop.ticket], variations=[small])
    shop.quota.variations.add(small)
    assert buy([pos(shop.ticket, variation=small.pk)]).json()["code"] == "quota_exceeded"


def test_validation_errors_name_the_field(buy, shop):
    assert "email" in buy([pos(shop.ticket)], email="nope").json()
    assert "positions" in buy([]).json()
    assert "item" in buy([{"item": "x"}]).json()["positions"]["0"]
    assert "sales_channel" in buy([pos(shop.ticket)], sales_channel="nowhere").json()
    assert "expected_total" in buy([pos(shop.ticket)], expected_total="1.001").json()


def test_an_unknown_item_with_a_code_is_refused_as_unknown(buy, event, shop):
    voucher = VoucherFactory(event=event)
    response = buy([pos(shop.ticket, voucher=voucher.code), pos(999999)], codes=[])
    assert (response.status_code, response.json()["code"], response.json()["position"]) == (
        400, "item_not_found", 1
    )  # fmt: skip

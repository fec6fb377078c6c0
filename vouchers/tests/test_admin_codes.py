"""What the code pages show: amounts with their currency, a "used / max" column (∞ without a limit) and a
state per code decided by the checkout's rules, for vouchers, coupons, coupon series, promo codes and
gift cards; and the coupon list's two active filters, told apart."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ticketing.tests.factories import EventFactory, OrganizerFactory
from vouchers.models import DiscountType, PriceMode
from vouchers.tests.factories import (
    CouponFactory,
    CouponSeriesFactory,
    GiftCardFactory,
    PromoCodeFactory,
    VoucherFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal
PAST = timezone.now() - timedelta(days=1)
LATER = timezone.now() + timedelta(days=1)


def page(client, model: str, view: str = "changelist", *args) -> str:
    response = client.get(reverse(f"admin:vouchers_{model}_{view}", args=args))
    assert response.status_code == 200
    return response.content.decode()


def cells(html: str, row_text: str, *fields: str) -> list[str]:
    """The columns ``fields`` of the list row that holds ``row_text``."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        if f">{row_text}<" in row:
            found = []
            for field in fields:
                match = re.search(rf'<td class="field-{field}[^"]*">(.*?)</td>', row, re.S)
                assert match, (field, row)
                found.append(match.group(1).strip())
            return found
    raise AssertionError(f"no row with {row_text}")


def readonly(html: str, field: str) -> str:
    match = re.search(rf'field-{field}">.*?<div class="readonly">(.*?)</div>', html, re.S)
    assert match, field
    return match.group(1).strip()


# --- money --------------------------------------------------------------------------------------------

CURRENCIES = [
    ("EUR", "5.00 EUR", "184.20 EUR"),
    ("JPY", "5 JPY", "184 JPY"),
    ("KWD", "5.000 KWD", "184.200 KWD"),
]


@pytest.mark.parametrize(("currency", "five", "budget"), CURRENCIES)
def test_voucher_amounts_have_the_event_currency(admin_client, organizer, currency, five, budget):
    event = EventFactory(organizer=organizer, currency=currency)
    amount = D("184") if currency == "JPY" else D("184.2")
    voucher = VoucherFactory(
        event=event, code="FIVE-OFF", price_mode=PriceMode.SUBTRACT, value=D("5"), budget=amount,
        budget_used=D("0"),
    )  # fmt: skip
    VoucherFactory(event=event, code="TEN-PCT", price_mode=PriceMode.PERCENT, value=D("10"))
    html = page(admin_client, "voucher")
    assert cells(html, "FIVE-OFF", "shown_value", "shown_budget", "budget_left") == [five, budget, budget]
    assert cells(html, "TEN-PCT", "shown_value", "shown_budget", "budget_left") == ["10 %", "-", "-"]
    change = page(admin_client, "voucher", "change", voucher.pk)
    assert readonly(change, "shown_budget_used") == five.replace("5", "0", 1)


def test_series_and_promo_amounts_have_the_currencies_of_their_events(admin_client):
    euro = OrganizerFactory()
    EventFactory(organizer=euro, currency="EUR")
    mixed = OrganizerFactory()
    tokyo = EventFactory(organizer=mixed, currency="JPY")
    kuwait = EventFactory(organizer=mixed, currency="KWD")
    empty = OrganizerFactory()
    CouponSeriesFactory(
        organizer=euro, name="Euro off", discount_type=DiscountType.FIX, discount_value=D("5")
    )
    CouponSeriesFactory(
        organizer=euro, name="Euro per ticket", discount_type=DiscountType.FIX_PER_ITEM, discount_value=D("2")
    )
    CouponSeriesFactory(
        organizer=euro, name="Capped", discount_type=DiscountType.PERCENT, discount_value=D("10.00"),
        discount_max_value=D("20"),
    )  # fmt: skip
    CouponSeriesFactory(organizer=mixed, name="Both", discount_type=DiscountType.FIX, discount_value=D("5"))
    CouponSeriesFactory(
        organizer=mixed, name="Tokyo only", discount_type=DiscountType.FIX, discount_value=D("500"),
        allow_all_events=False, allowed_events=[tokyo],
    )  # fmt: skip
    CouponSeriesFactory(
        organizer=mixed, name="Kuwait only", discount_type=DiscountType.FIX, discount_value=D("1.5"),
        allow_all_events=False, allowed_events=[kuwait],
    )  # fmt: skip
    CouponSeriesFactory(
        organizer=empty, name="No events", discount_type=DiscountType.FIX, discount_value=D("5")
    )

    html = page(admin_client, "couponseries")
    assert cells(html, "Euro off", "discount") == ["5.00 EUR"]
    assert cells(html, "Euro per ticket", "discount") == ["2.00 EUR per ticket"]
    assert cells(html, "Capped", "discount") == ["10 % (at most 20.00 EUR)"]
    assert cells(html, "Both", "discount") == ["5 JPY / 5.000 KWD"]
    assert cells(html, "Tokyo only", "discount") == ["500 JPY"]
    assert cells(html, "Kuwait only", "discount") == ["1.500 KWD"]
    assert cells(html, "No events", "discount") == ["5"]

    PromoCodeFactory(
        series__organizer=mixed, series__discount_type=DiscountType.FIX, series__discount_value=D("3"),
        series__allow_all_events=False, series__allowed_events=[kuwait], code="KW-PROMO",
    )  # fmt: skip
    PromoCodeFactory(series__organizer=euro, series__discount_value=D("15"), code="EU-PROMO")
    html = page(admin_client, "promocode")
    assert cells(html, "KW-PROMO", "discount") == ["3.000 KWD"]
    assert cells(html, "EU-PROMO", "discount") == ["15 %"]


BALANCES = [("EUR", "12.5", "12.50 EUR"), ("JPY", "1200", "1200 JPY"), ("KWD", "1.25", "1.250 KWD")]


@pytest.mark.parametrize(("currency", "value", "shown"), BALANCES)
def test_gift_card_balances_have_their_currency(admin_client, organizer, currency, value, shown):
    card = GiftCardFactory(organizer=organizer, code="THE-GIFT", currency=currency, value=D(value))
    assert cells(page(admin_client, "giftcard"), "THE-GIFT", "shown_balance") == [shown]
    change = page(admin_client, "giftcard", "change", card.pk)
    assert readonly(change, "shown_balance") == shown
    assert re.findall(r'<td class="field-shown_value">\s*<p>(.*?)</p>', change) == [shown]  # the ledger


# --- usage and state ----------------------------------------------------------------------------------


def test_vouchers_show_their_uses_and_state(admin_client, event):
    VoucherFactory(event=event, code="FRESH", max_usages=10, redeemed=3)
    VoucherFactory(event=event, code="USED-UP", max_usages=2, redeemed=2)
    VoucherFactory(event=event, code="OLD", max_usages=5, valid_until=PAST)
    VoucherFactory(event=event, code="SOON", valid_from=LATER)
    VoucherFactory(event=event, code="NO-BUDGET", max_usages=5, redeemed=1, price_mode=PriceMode.SUBTRACT,
                   value=D("5"), budget=D("10"), budget_used=D("10"))  # fmt: skip
    # Expired and used up: the checkout names the first failing check, the dates.
    VoucherFactory(event=event, code="BOTH", max_usages=1, redeemed=1, valid_until=PAST)
    html = page(admin_client, "voucher")
    expected = {
        "FRESH": ["3 / 10", "valid"], "USED-UP": ["2 / 2", "exhausted"], "OLD": ["0 / 5", "expired"],
        "SOON": ["0 / 1", "not yet valid"], "NO-BUDGET": ["1 / 5", "budget exhausted"],
        "BOTH": ["1 / 1", "expired"],
    }  # fmt: skip
    assert {code: cells(html, code, "usage", "state") for code in expected} == expected
    assert ">Used</" in html and ">State</" in html


def test_the_voucher_page_shows_uses_and_state(admin_client, event):
    voucher = VoucherFactory(event=event, code="FRESH", max_usages=10, redeemed=3)
    html = page(admin_client, "voucher", "change", voucher.pk)
    assert (readonly(html, "usage"), readonly(html, "state")) == ("3 / 10", "valid")
    assert 'class="readonly"' not in page(admin_client, "voucher", "add").split('id="voucher_form"')[1]


def test_coupons_show_their_uses_and_state(admin_client, organizer):
    unlimited = CouponSeriesFactory(organizer=organizer, name="Open")
    single = CouponSeriesFactory(organizer=organizer, name="Single", single_usage=True)
    capped = CouponSeriesFactory(organizer=organizer, name="Capped", max_usage=3, max_tickets=4)
    CouponFactory(series=unlimited, code="OPEN", used_orders=7, used_tickets=9)
    CouponFactory(series=single, code="SINGLE-FREE")
    CouponFactory(series=single, code="SINGLE-USED", used_orders=1, used_tickets=1)
    CouponFactory(series=capped, code="CAPPED", used_orders=2, used_tickets=4)  # the tickets are used up
    CouponFactory(series=unlimited, code="OFF", active=False)
    CouponFactory(series=CouponSeriesFactory(organizer=organizer, valid_until=PAST), code="GONE")
    CouponFactory(series=CouponSeriesFactory(organizer=organizer, active=False), code="SERIES-OFF")
    html = page(admin_client, "coupon")
    expected = {
        "OPEN": ["7 / ∞", "9 / ∞", "valid"], "SINGLE-FREE": ["0 / 1", "0 / ∞", "valid"],
        "SINGLE-USED": ["1 / 1", "1 / ∞", "exhausted"], "CAPPED": ["2 / 3", "4 / 4", "exhausted"],
        "OFF": ["0 / ∞", "0 / ∞", "inactive"], "GONE": ["0 / ∞", "0 / ∞", "expired"],
        "SERIES-OFF": ["0 / ∞", "0 / ∞", "inactive"],
    }  # fmt: skip
    assert {code: cells(html, code, "usage", "tickets_used", "state") for code in expected} == expected


def test_coupon_series_show_the_uses_of_all_their_coupons_and_a_state(admin_client, organizer):
    single = CouponSeriesFactory(organizer=organizer, name="Single", single_usage=True)
    CouponFactory(series=single, used_orders=1)
    CouponFactory(series=single)
    used_up = CouponSeriesFactory(organizer=organizer, name="Used up", max_usage=2)
    CouponFactory(series=used_up, used_orders=2)
    CouponFactory(series=used_up, used_orders=2)
    open_series = CouponSeriesFactory(organizer=organizer, name="Open")
    CouponFactory(series=open_series, used_orders=3)
    CouponSeriesFactory(organizer=organizer, name="Empty")
    off = CouponSeriesFactory(organizer=organizer, name="Off", active=False)
    CouponFactory(series=off)
    late = CouponSeriesFactory(organizer=organizer, name="Late", valid_from=LATER)
    CouponFactory(series=late)
    over = CouponSeriesFactory(organizer=organizer, name="Over", valid_until=PAST)
    CouponFactory(series=over)
    switched_off = CouponSeriesFactory(organizer=organizer, name="Coupons off")
    CouponFactory(series=switched_off, active=False)
    html = page(admin_client, "couponseries")
    expected = {
        "Single": ["1 / 2", "valid"], "Used up": ["4 / 4", "exhausted"], "Open": ["3 / ∞", "valid"],
        "Empty": ["0 / ∞", "no coupons"], "Off": ["0 / ∞", "inactive"], "Late": ["0 / ∞", "not yet valid"],
        "Over": ["0 / ∞", "expired"], "Coupons off": ["0 / ∞", "exhausted"],
    }  # fmt: skip
    assert {name: cells(html, name, "usage", "state") for name in expected} == expected
    change = page(admin_client, "couponseries", "change", single.pk)
    assert [readonly(change, f) for f in ("usage", "state", "coupons")] == ["1 / 2", "valid", "2"]


def test_promo_codes_show_their_uses_and_state(admin_client, organizer):
    PromoCodeFactory(series__organizer=organizer, code="ONCE", series__single_usage=True)
    PromoCodeFactory(
        series__organizer=organizer, code="USED-ONCE", series__single_usage=True, used_orders=1, active=False
    )  # fmt: skip  (its one use deactivated it)
    many = PromoCodeFactory(series__organizer=organizer, code="MANY", used_orders=12)
    PromoCodeFactory(series__organizer=organizer, code="TEN", series__max_usage=10, used_orders=10)
    PromoCodeFactory(series__organizer=organizer, code="ENDED", series__valid_until=PAST)
    PromoCodeFactory(series__organizer=organizer, code="UPCOMING", series__valid_from=LATER)
    html = page(admin_client, "promocode")
    expected = {
        "ONCE": ["0 / 1", "valid"], "USED-ONCE": ["1 / 1", "inactive"], "MANY": ["12 / ∞", "valid"],
        "TEN": ["10 / 10", "exhausted"], "ENDED": ["0 / ∞", "expired"],
        "UPCOMING": ["0 / ∞", "not yet valid"],
    }  # fmt: skip
    assert {code: cells(html, code, "usage", "state") for code in expected} == expected
    change = page(admin_client, "promocode", "change", many.pk)
    assert (readonly(change, "usage"), readonly(change, "state")) == ("12 / ∞", "valid")


def test_gift_cards_show_their_state(admin_client, organizer):
    GiftCardFactory(organizer=organizer, code="FULL", value=D("10"))
    GiftCardFactory(organizer=organizer, code="SPENT", value=D("0"))
    lapsed = GiftCardFactory(organizer=organizer, code="LAPSED", value=D("10"), expires=PAST)
    html = page(admin_client, "giftcard")
    expected = {"FULL": ["valid"], "SPENT": ["empty"], "LAPSED": ["expired"]}
    assert {code: cells(html, code, "state") for code in expected} == expected
    assert readonly(page(admin_client, "giftcard", "change", lapsed.pk), "state") == "expired"


def test_the_coupon_lists_active_filters_have_distinct_titles(admin_client):
    response = admin_client.get(reverse("admin:vouchers_coupon_changelist"))
    titles = [str(spec.title) for spec in response.context["cl"].filter_specs]
    assert titles[:2] == ["coupon active", "series active"]
    assert len(titles) == len(set(titles))
    html = response.content.decode()
    assert "By coupon active" in html and "By series active" in html and "By active" not in html


# --- queries --------------------------------------------------------------------------------------------


def list_queries(client, model: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client, model)
    return len(queries)


def add_codes(organizer, event, count: int) -> None:
    for _ in range(count):
        series = CouponSeriesFactory(
            organizer=organizer, discount_type=DiscountType.FIX, discount_value=D("5")
        )
        CouponFactory(series=series)
        PromoCodeFactory(series__organizer=organizer, series__discount_type=DiscountType.FIX,
                         series__discount_value=D("2"))  # fmt: skip
        VoucherFactory(event=event)
        GiftCardFactory(organizer=organizer)


@pytest.mark.parametrize("model", ["couponseries", "promocode", "giftcard", "coupon", "voucher"])
def test_code_lists_take_as_many_queries_for_many_rows_as_for_one(admin_client, organizer, event, model):
    """With codes valid for every event and item (a limited scope costs its rows' scope lookups)."""
    add_codes(organizer, event, 1)
    one = list_queries(admin_client, model)
    add_codes(organizer, event, 6)
    assert list_queries(admin_client, model) == one

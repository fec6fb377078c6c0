"""What the ticketing back office shows in figures: item prices with their currency, and each quota's
use (sold, pending, in carts, blocked by vouchers, left) from the API's availability selector."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discounts.tests.factories import DiscountFactory
from orders.tests.factories import CartFactory, CartPositionFactory, OrderFactory, OrderPositionFactory
from ticketing.tests.factories import (
    EventFactory,
    ItemFactory,
    ItemVariationFactory,
    QuotaFactory,
    SubEventFactory,
)
from vouchers.tests.factories import CouponSeriesFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal


def cell(html: str, field: str, row_text: str) -> str:
    """The column ``field`` of the list row that contains ``row_text``."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        if row_text in row:
            match = re.search(rf'<td class="field-{field}[^"]*">(.*?)</td>', row, re.S)
            assert match, (field, row)
            return match.group(1).strip()
    raise AssertionError(f"no row with {row_text}")


def readonly(html: str, field: str) -> str:
    match = re.search(rf'field-{field}">.*?<div class="readonly">(.*?)</div>', html, re.S)
    assert match, field
    return match.group(1).strip()


@pytest.mark.parametrize(
    ("currency", "price", "shown"),
    [("EUR", "184.2", "184.20 EUR"), ("JPY", "1200", "1200 JPY"), ("KWD", "1.25", "1.250 KWD")],
)
def test_the_item_list_shows_the_default_price_in_the_event_currency(
    admin_client, organizer, currency, price, shown
):
    event = EventFactory(organizer=organizer, currency=currency)
    item = ItemFactory(event=event, name="Day ticket", default_price=D(price))
    html = admin_client.get(reverse("admin:ticketing_item_changelist")).content.decode()
    assert cell(html, "shown_default_price", "Day ticket") == shown
    page = admin_client.get(reverse("admin:ticketing_item_change", args=[item.pk])).content.decode()
    assert f"Default price ({currency}):" in page


def used_quota(event, *, size):
    """A quota of ``size`` with, by hand: 2 positions of a paid order, 1 of a pending one, 1 canceled,
    1 in an unexpired cart, 1 in an expired cart, and a blocking voucher with 3 uses of which 1 is used."""
    item = ItemFactory(event=event)
    quota = QuotaFactory(event=event, size=size, items=[item], name=f"Quota of {size}")
    paid = OrderFactory(event=event, paid=True)
    OrderPositionFactory(order=paid, item=item)
    OrderPositionFactory(order=paid, item=item)
    OrderPositionFactory(order=OrderFactory(event=event), item=item)
    OrderPositionFactory(order=OrderFactory(event=event, canceled=True), item=item)
    CartPositionFactory(cart=CartFactory(event=event), item=item)
    CartPositionFactory(cart=CartFactory(event=event, expired=True), item=item)
    VoucherFactory(event=event, item=item, block_quota=True, max_usages=3, redeemed=1)
    return quota


def test_the_quota_list_shows_what_uses_each_quota_up(admin_client, event):
    used_quota(event, size=10)
    used_quota(event, size=None)
    QuotaFactory(event=event, size=5, name="Quota nobody uses")
    html = admin_client.get(reverse("admin:ticketing_quota_changelist")).content.decode()

    columns = ("size", "sold", "pending", "in_carts", "blocked", "left")
    # 10 − 2 paid − 1 pending − 1 in a cart − 2 uses the voucher still blocks = 4
    assert [cell(html, name, "Quota of 10") for name in columns] == ["10", "2", "1", "1", "2", "4"]
    assert [cell(html, name, "Quota of None") for name in columns] == ["-", "2", "1", "1", "2", "∞"]
    assert [cell(html, name, "Quota nobody uses") for name in columns] == ["5", "0", "0", "0", "0", "5"]
    for title in ("Sold (paid)", "Pending", "In carts", "Blocked by vouchers", "Left"):
        assert f">{title}</a>" in html or f">{title}</span>" in html, title


def test_an_overbooked_quota_has_none_left(admin_client, event):
    used_quota(event, size=3)
    html = admin_client.get(reverse("admin:ticketing_quota_changelist")).content.decode()
    assert cell(html, "left", "Quota of 3") == "0"


def test_the_quota_page_shows_the_same_figures(admin_client, event):
    quota = used_quota(event, size=10)
    page = admin_client.get(reverse("admin:ticketing_quota_change", args=[quota.pk])).content.decode()
    assert readonly(page, "availability") == (
        "sold (paid) 2, pending 1, in carts 1, blocked by vouchers 2, left 4"
    )


def list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:ticketing_quota_changelist"))
    assert response.status_code == 200
    return len(queries)


def test_the_quota_list_takes_as_many_queries_for_many_quotas_as_for_one(
    admin_client, organizer, django_assert_max_num_queries
):
    used_quota(EventFactory(organizer=organizer), size=10)
    one = list_queries(admin_client)
    for _ in range(5):
        used_quota(EventFactory(organizer=organizer), size=10)
    assert list_queries(admin_client) == one
    with django_assert_max_num_queries(11):
        admin_client.get(reverse("admin:ticketing_quota_changelist"))


def test_price_inputs_name_the_event_currency(admin_client, organizer):
    event = EventFactory(organizer=organizer, currency="JPY", has_subevents=True)
    item = ItemFactory(event=event)
    day = SubEventFactory(event=event)
    page = admin_client.get(reverse("admin:ticketing_item_change", args=[item.pk])).content.decode()
    headers = re.findall(r'<th class="column-(\w+)[^"]*">\s*([^<]*?)\s*<', page)
    assert ("default_price", "Default price (JPY)") in headers  # the variations
    assert ("designated_price", "Designated price (JPY)") in headers  # the bundles
    page = admin_client.get(reverse("admin:ticketing_subevent_change", args=[day.pk])).content.decode()
    headers = re.findall(r'<th class="column-(\w+)[^"]*">\s*([^<]*?)\s*<', page)
    assert headers.count(("price", "Price (JPY)")) == 2  # item and variation prices on this date
    add = admin_client.get(reverse("admin:ticketing_item_add")).content.decode()
    assert "(JPY)" not in add  # no event yet


def input_value(html: str, name: str) -> str:
    """The value an ``<input name=…>`` shows."""
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert match, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    assert value, match.group(0)
    return value.group(1)


@pytest.mark.parametrize(
    ("currency", "stored", "shown"),
    [
        ("EUR", "184.2", "184.20"),
        ("JPY", "1200", "1200"),
        ("KWD", "1.25", "1.250"),
        ("EUR", "9.995", "9.995"),
    ],
)
def test_price_inputs_show_the_currency_places_and_never_round(
    admin_client, organizer, currency, stored, shown
):
    """Amounts are stored with 3 places; an input shows the event currency's ("184.20", not "184.200"),
    except a stored amount with more places than the currency has, which is shown whole (saving the
    form unchanged must not round it)."""
    event = EventFactory(organizer=organizer, currency=currency)
    item = ItemFactory(event=event, default_price=D(stored))
    ItemVariationFactory(item=item, value="Large", default_price=D(stored))
    page = admin_client.get(reverse("admin:ticketing_item_change", args=[item.pk])).content.decode()
    assert input_value(page, "default_price") == shown
    assert input_value(page, "variations-0-default_price") == shown


def test_a_voucher_shows_its_amounts_in_the_event_currency_and_a_percentage_as_a_number(
    admin_client, organizer
):
    event = EventFactory(organizer=organizer, currency="JPY")
    amount = VoucherFactory(event=event, price_mode="set", value=D("1500"), budget=D("30000"))
    page = admin_client.get(reverse("admin:vouchers_voucher_change", args=[amount.pk])).content.decode()
    assert (input_value(page, "value"), input_value(page, "budget")) == ("1500", "30000")
    percent = VoucherFactory(event=event, price_mode="percent", value=D("12.5"))
    page = admin_client.get(reverse("admin:vouchers_voucher_change", args=[percent.pk])).content.decode()
    assert input_value(page, "value") == "12.50"  # a percentage: not rounded to yen


def test_organizer_wide_amounts_drop_the_zeros_past_two_places(admin_client, organizer):
    series = CouponSeriesFactory(
        organizer=organizer, discount_type="fixed", discount_value=D("10"), discount_max_value=D("2.125")
    )
    page = admin_client.get(reverse("admin:vouchers_couponseries_change", args=[series.pk])).content.decode()
    assert (input_value(page, "discount_value"), input_value(page, "discount_max_value")) == (
        "10.00",
        "2.125",
    )
    promo = PromoCodeFactory(
        organizer=organizer, series__organizer=organizer, series__discount_value=D("7.5")
    )
    page = admin_client.get(reverse("admin:vouchers_promocode_change", args=[promo.pk])).content.decode()
    assert input_value(page, "value") == "7.50"


def test_a_discount_rule_names_and_formats_its_minimum_value(admin_client, organizer):
    rule = DiscountFactory(
        event=EventFactory(organizer=organizer, currency="EUR"),
        condition_min_count=0,
        condition_min_value=D("50"),
    )
    page = admin_client.get(reverse("admin:discounts_discount_change", args=[rule.pk])).content.decode()
    assert "Minimum value of matching products (EUR)" in page
    assert input_value(page, "condition_min_value") == "50.00"

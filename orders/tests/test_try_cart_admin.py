"""The "try a cart" page of an event in the back office: the cart priced through the price preview's path,
each change in words, refusals as messages, nothing stored, and only the own organizers' events."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from discounts.tests.factories import DiscountFactory
from ticketing.models import SalesChannel
from ticketing.tests.factories import (
    EventFactory,
    ItemAddOnFactory,
    ItemBundleFactory,
    ItemCategoryFactory,
    ItemFactory,
    ItemVariationFactory,
    QuotaFactory,
    SubEventFactory,
    TeamFactory,
    UserFactory,
)
from vouchers.models import Coupon, PriceMode
from vouchers.tests.factories import CouponFactory, GiftCardFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal


def try_url(event) -> str:
    return reverse("admin:orders_cart_try", args=[event.pk])


def body(event, rows, codes="", gift_cards="", email="") -> dict:
    """The form's POST data: ``rows`` are ``(product, quantity)``, or ``(product, quantity, extra)`` with
    ``extra`` the other fields of the row (``{"subevent": date, "addon_to": 1}``)."""
    data = {
        "lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "sales_channel": str(SalesChannel.objects.get(organizer=event.organizer, identifier="web").pk),
        "codes": codes, "gift_cards": gift_cards, "email": email,
    }  # fmt: skip
    for index, (product, quantity, *extra) in enumerate(rows):
        data[f"lines-{index}-product"] = product
        data[f"lines-{index}-quantity"] = str(quantity)
        for name, value in (extra[0] if extra else {}).items():
            data[f"lines-{index}-{name}"] = str(getattr(value, "pk", value))
    return data


def stored_state() -> dict:
    """Row counts of every table of the orders and vouchers apps, and what coupons were used."""
    counts = {
        model._meta.label: model.objects.count()
        for label in ("orders", "vouchers")
        for model in apps.get_app_config(label).get_models()
    }
    counts["coupon uses"] = Coupon.objects.aggregate(used=Sum("used_orders"))["used"]
    return counts


def text_of(response) -> str:
    """The page as text: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def rows_of(response, table: str) -> list[str]:
    html = response.content.decode()
    found = re.search(rf'<table id="{table}">(.*?)</table>', html, re.S)
    assert found, f"no table {table}"
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S):
        cells = re.findall(r"<t[hd]>(.*?)</t[hd]>", row, re.S)
        rows.append(" | ".join(html_text(cell) for cell in cells))
    return rows


def html_text(fragment: str) -> str:
    return unescape(
        re.sub(r"\s+", " ", re.sub(r"<br>", "; ", re.sub(r"<(?!br>)[^>]+>", " ", fragment))).strip()
    )


@pytest.fixture
def ticket(event):
    item = ItemFactory(event=event, name="Ticket", default_price=D("10.00"))
    QuotaFactory(event=event, size=100, items=[item])
    return item


def test_the_event_page_links_to_the_page(admin_client, event):
    page = admin_client.get(reverse("admin:ticketing_event_change", args=[event.pk])).content.decode()
    assert f'href="{try_url(event)}"' in page and "Try a cart" in page


def test_the_empty_page_offers_the_items(admin_client, event, ticket):
    response = admin_client.get(try_url(event))
    assert response.status_code == 200
    assert f'<option value="{ticket.pk}">Ticket</option>' in response.content.decode()
    assert "The cart priced" not in text_of(response)


def test_a_rule_and_a_code_explained_and_nothing_stored(admin_client, event, ticket):
    DiscountFactory(event=event, three_for_two=True)  # "3 for 2": the cheapest of 3 is free
    CouponFactory(series__organizer=event.organizer, code="TEN-PCT")  # 10 % off
    GiftCardFactory(organizer=event.organizer, code="GIFT-A", value=D("15.00"))
    before = stored_state()
    response = admin_client.post(
        try_url(event), body(event, [(str(ticket.pk), 3)], codes="ten-pct", gift_cards="GIFT-A")
    )
    assert response.status_code == 200
    # 3 × 10.00; the coupon takes 10 % off each (1.00), then the rule takes the cheapest's 9.00.
    lines = rows_of(response, "try-cart-lines")[1:]
    counted = (
        'Ticket | 10.00 | TEN-PCT took 1.00 off; counted by rule "3 for 2", which took nothing off this '
        "position | 9.00"
    )
    freed = 'Ticket | 10.00 | TEN-PCT took 1.00 off; rule "3 for 2" took 9.00 off | 0.00'
    assert [line.split(" | ", 1)[0] for line in lines] == ["1", "2", "3"]
    assert sorted(line.split(" | ", 1)[1] for line in lines) == sorted([counted, counted, freed])
    assert rows_of(response, "try-cart-totals") == [
        "List total | 30.00", "Codes took off | 3.00", "Rules took off | 9.00", "Total | 18.00"
    ]  # fmt: skip
    page = text_of(response)
    assert rows_of(response, "try-cart-lines")[0] == "# | Position | List price | What changed it | Price"
    # Without the coupon the rule alone gives 20.00: the coupon saves 2.00 on the total.
    assert "TEN-PCT (coupon) took 3.00 off on the positions; it saves the customer 2.00 on the total" in page
    assert "GIFT-A would pay 15.00 (it holds 15.00)" in page
    assert "Due: 3.00" in page
    assert f'<option value="{ticket.pk}" selected>Ticket</option>' in response.content.decode()  # kept
    assert stored_state() == before


def test_a_code_set_aside_and_a_code_partly_applied_are_explained(admin_client, event, ticket):
    # The rule does not count positions a code changed: with ONE-PCT it would not apply.
    DiscountFactory(event=event, three_for_two=True, condition_ignore_voucher_discounted=True)
    CouponFactory(series__organizer=event.organizer, series__discount_value=D("1.00"), code="ONE-PCT")
    response = admin_client.post(try_url(event), body(event, [(str(ticket.pk), 3)], codes="ONE-PCT"))
    page = text_of(response)
    # With it: 3 × 9.90 = 29.70 and no rule; without it the rule makes 20.00.
    assert "ONE-PCT set aside: with it the total would have been 29.70" in page
    assert "Total | 20.00" in rows_of(response, "try-cart-totals")

    CouponFactory(series__organizer=event.organizer, series__max_tickets=1, code="ONE-TICKET")
    response = admin_client.post(try_url(event), body(event, [(str(ticket.pk), 2)], codes="ONE-TICKET"))
    page = text_of(response)
    assert "ONE-TICKET applied to 1 of 2 eligible positions (no tickets left for the others)" in page
    assert (
        "ONE-TICKET (coupon) took 1.00 off on the positions; it saves the customer 1.00 on the total" in page
    )
    assert rows_of(response, "try-cart-totals") == [
        "List total | 20.00", "Codes took off | 1.00", "Rules took off | 0.00", "Total | 19.00"
    ]  # fmt: skip


def test_a_voucher_for_every_position_is_not_redeemed(admin_client, event, ticket):
    voucher = VoucherFactory(
        event=event, code="MINUS-2", price_mode=PriceMode.SUBTRACT, value=D("2.00"), max_usages=2
    )
    response = admin_client.post(try_url(event), body(event, [(str(ticket.pk), 2)], codes="minus-2"))
    assert rows_of(response, "try-cart-lines")[1:] == [
        "1 | Ticket | 10.00 | MINUS-2 took 2.00 off | 8.00",
        "2 | Ticket | 10.00 | MINUS-2 took 2.00 off | 8.00",
    ]
    assert "MINUS-2 (voucher) took 4.00 off on the positions" in text_of(response)
    assert "Due: 16.00" in text_of(response)
    voucher.refresh_from_db()
    assert voucher.redeemed == 0


def test_a_variation_on_a_date(admin_client, organizer):
    series = EventFactory(organizer=organizer, slug="tour", name="Tour", has_subevents=True)
    shirt = ItemFactory(event=series, name="Shirt", default_price=D("20.00"))
    large = ItemVariationFactory(item=shirt, value="Large", default_price=D("25.00"))
    day = SubEventFactory(event=series, name="Day 1", active=True)
    QuotaFactory(event=series, subevent=day, size=10, items=[shirt], variations=[large])
    response = admin_client.post(
        try_url(series), body(series, [(f"{shirt.pk}:{large.pk}", 2, {"subevent": day})])
    )
    assert rows_of(response, "try-cart-lines")[1:] == [
        f"1 | Shirt – Large, {day} | 25.00 | no code or rule changed it | 25.00",
        f"2 | Shirt – Large, {day} | 25.00 | no code or rule changed it | 25.00",
    ]
    assert "Total | 50.00" in rows_of(response, "try-cart-totals")


def test_add_ons_and_bundles(admin_client, event, ticket):
    extras = ItemCategoryFactory(event=event, name="Extras", addon=True)
    parking = ItemFactory(event=event, name="Parking", category=extras, default_price=D("5.00"))
    ItemAddOnFactory(base_item=ticket, addon_category=extras, max_count=2)
    combo = ItemFactory(event=event, name="Combo", default_price=D("20.00"))
    drink = ItemFactory(event=event, name="Drink", require_bundling=True, default_price=D("4.00"))
    ItemBundleFactory(base_item=combo, bundled_item=drink, designated_price=D("3.00"))
    QuotaFactory(event=event, size=10, items=[parking, combo, drink])
    rows = [(str(ticket.pk), 2), ("", 1), (str(parking.pk), 1, {"addon_to": 1}), (str(combo.pk), 1)]
    response = admin_client.post(try_url(event), body(event, rows))
    assert rows_of(response, "try-cart-lines")[1:] == [
        "1 | Ticket | 10.00 | no code or rule changed it | 10.00",
        "2 | Ticket | 10.00 | no code or rule changed it | 10.00",
        "3 | Combo | 20.00 | no code or rule changed it | 20.00",
        "4 | Drink, bundled with #3 | 3.00 | no code or rule changed it | 3.00",
        "5 | Parking, add-on to #1 | 5.00 | no code or rule changed it | 5.00",
        "6 | Parking, add-on to #2 | 5.00 | no code or rule changed it | 5.00",
    ]
    assert "Total | 53.00" in rows_of(response, "try-cart-totals")
    page = response.content.decode()  # the rows stay in place: the add-on still names row 1
    assert 'name="lines-2-addon_to" value="1"' in page and 'name="lines-1-product"' in page


@pytest.mark.parametrize("parent", [2, 3, 9])  # itself, an empty row, no such row
def test_an_add_on_names_a_row_with_an_item(admin_client, event, ticket, parent):
    rows = [(str(ticket.pk), 1), (str(ticket.pk), 1, {"addon_to": parent}), ("", 1)]
    response = admin_client.post(try_url(event), body(event, rows))
    assert f"Row {parent} has no item, or is an add-on itself." in text_of(response)
    assert "The cart priced" not in text_of(response)


def test_a_series_needs_the_date(admin_client, organizer):
    series = EventFactory(organizer=organizer, slug="tour", has_subevents=True)
    item = ItemFactory(event=series, name="Pass")
    response = admin_client.post(try_url(series), body(series, [(str(item.pk), 1)]))
    assert "Choose the date: the event is a series." in text_of(response)
    assert "The cart priced" not in text_of(response)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unknown code", "Refused (invalid): This code is not known. Code: NO-SUCH-CODE."),
        ("quota", "Refused (quota_exceeded): Quota 'Scarce' has not enough left for this order."),
        ("not on sale", "Refused (item_not_on_sale): This item is not on sale now. Row 1."),
        ("inactive", "Refused (item_inactive): This item is not sold. Row 2."),
        (
            "unknown gift card",
            "Refused (gift_card_invalid): This gift card is not known. Gift card: NO-SUCH-CARD.",
        ),
    ],
)
def test_each_refusal_is_a_message_naming_the_problem(admin_client, event, ticket, case, message):
    rows, codes, gift_cards = [(str(ticket.pk), 1)], "", ""
    if case == "unknown code":
        codes = "NO-SUCH-CODE"
    elif case == "quota":
        scarce = ItemFactory(event=event, name="Backstage")
        QuotaFactory(event=event, name="Scarce", size=2, items=[scarce])
        rows = [(str(scarce.pk), 3)]
    elif case == "not on sale":
        late = ItemFactory(event=event, name="Early bird", available_until=timezone.now() - timedelta(days=1))
        QuotaFactory(event=event, size=10, items=[late])
        rows = [(str(late.pk), 1)]
    elif case == "inactive":
        off = ItemFactory(event=event, name="Old", active=False)
        QuotaFactory(event=event, size=10, items=[off])
        rows = [(str(ticket.pk), 1), (str(off.pk), 1)]
    else:
        gift_cards = "NO-SUCH-CARD"
    before = stored_state()
    response = admin_client.post(try_url(event), body(event, rows, codes=codes, gift_cards=gift_cards))
    assert response.status_code == 200
    page = text_of(response)
    assert message in unescape(page)
    assert "The cart priced" not in page
    assert stored_state() == before


def test_at_most_20_codes_and_10_gift_cards_as_in_the_api(admin_client, event, ticket):
    many = " ".join(f"CODE-{n}" for n in range(21))
    response = admin_client.post(try_url(event), body(event, [(str(ticket.pk), 1)], codes=many))
    assert "At most 20 codes." in text_of(response)
    cards = ",".join(f"CARD-{n}" for n in range(11))
    response = admin_client.post(try_url(event), body(event, [(str(ticket.pk), 1)], gift_cards=cards))
    assert "At most 10 gift cards." in text_of(response)
    assert "The cart priced" not in text_of(response)


def test_an_empty_cart_asks_for_an_item(admin_client, event, ticket):
    response = admin_client.post(try_url(event), body(event, [("", 1)]))
    assert "Choose at least one item." in text_of(response)


def staff_of(organizer, *, permissions=True):
    user = UserFactory(username="staff", is_staff=True)
    if permissions:
        user.user_permissions.set(
            Permission.objects.filter(content_type__app_label__in=["ticketing", "orders"])
        )
    TeamFactory(organizer=organizer, members=[user])
    return user


def test_a_staff_member_reaches_the_own_organizers_events_only(client, event, ticket):
    other = EventFactory(slug="elsewhere")
    client.force_login(staff_of(event.organizer))
    assert client.get(try_url(event)).status_code == 200
    assert client.post(try_url(event), body(event, [(str(ticket.pk), 1)])).status_code == 200
    assert client.get(try_url(other)).status_code == 404
    assert client.post(try_url(other), body(other, [])).status_code == 404
    missing = EventFactory(organizer=event.organizer, slug="gone")
    missing_url = try_url(missing)
    missing.delete()
    assert client.get(missing_url).status_code == 404


def test_without_the_permission_to_view_events_the_page_is_refused(client, event):
    client.force_login(staff_of(event.organizer, permissions=False))
    assert client.get(try_url(event)).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, event):
    response = client.get(try_url(event))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]

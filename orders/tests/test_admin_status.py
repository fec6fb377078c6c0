"""The order back office: amounts with their currency, and marking orders paid or canceled through a
confirmation page that says what will happen, then the services (refusals become messages)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orders.checkout.draft import PositionSpec
from orders.models import CartCode, GiftCardIssue, Order, OrderStatus
from orders.services.checkout import order_place
from orders.services.orders import order_mark_paid
from orders.tests.factories import (
    CartFactory,
    CartPositionFactory,
    OrderFactory,
    OrderPositionFactory,
    web_channel,
)
from ticketing.tests.factories import (
    EventFactory,
    ItemFactory,
    OrganizerFactory,
    QuotaFactory,
    TeamFactory,
    UserFactory,
)
from vouchers.selectors import gift_card_balance
from vouchers.tests.factories import GiftCardFactory, PromoCodeFactory

pytestmark = pytest.mark.django_db
D = Decimal
LIST = reverse("admin:orders_order_changelist")


def change_url(order) -> str:
    return reverse("admin:orders_order_change", args=[order.pk])


def messages_of(response) -> list[str]:
    """The messages the page after the redirect shows (each request's own: shown messages are gone)."""
    return [str(message) for message in response.context["messages"]]


def readonly(html: str, field: str) -> str:
    match = re.search(rf'field-{field}">.*?<div class="readonly">(.*?)</div>', html, re.S)
    assert match, field
    return match.group(1).strip()


def inline_cells(html: str, field: str) -> list[str]:
    return re.findall(rf'<td class="field-{field}">\s*<p>(.*?)</p>', html, re.S)


def list_cell(html: str, field: str, code: str) -> str:
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        if f">{code}<" in row:
            match = re.search(rf'<td class="field-{field}[^"]*">(.*?)</td>', row, re.S)
            assert match, (field, row)
            return match.group(1).strip()
    raise AssertionError(code)


# --- money ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "amounts", "shown"),
    [
        ("EUR", ("184.2", "10", "0", "174.2"), ("184.20 EUR", "10.00 EUR", "0.00 EUR", "174.20 EUR")),
        ("JPY", ("1200", "200", "0", "1000"), ("1200 JPY", "200 JPY", "0 JPY", "1000 JPY")),
        ("KWD", ("1.25", "0.125", "0", "1.125"), ("1.250 KWD", "0.125 KWD", "0.000 KWD", "1.125 KWD")),
    ],
)
def test_order_amounts_have_the_event_currency(admin_client, organizer, currency, amounts, shown):
    event = EventFactory(organizer=organizer, currency=currency)
    list_total, discount, rule, total = (D(a) for a in amounts)
    order = OrderFactory(
        event=event, code="MONEYORDER", list_total=list_total, code_discount_total=discount,
        rule_discount_total=rule, total=total,
    )  # fmt: skip
    OrderPositionFactory(order=order, list_price=list_total, code_discount=discount, price=total)

    assert list_cell(admin_client.get(LIST).content.decode(), "shown_total", "MONEYORDER") == shown[3]
    html = admin_client.get(change_url(order)).content.decode()
    fields = ("shown_list_total", "shown_code_discount_total", "shown_rule_discount_total", "shown_total")
    assert [readonly(html, field) for field in fields] == list(shown)
    columns = ("shown_list_price", "shown_code_discount", "shown_rule_discount", "shown_price")
    assert [inline_cells(html, column) for column in columns] == [
        [shown[0]],
        [shown[1]],
        [shown[2]],
        [shown[3]],
    ]


# --- confirmation pages ----------------------------------------------------------------------------------


@pytest.fixture
def shop(event):
    ticket = ItemFactory(event=event, name="Ticket", default_price=D("40.00"))
    gift = ItemFactory(event=event, name="Gift voucher", default_price=D("25.00"), issues_gift_card=True,
                       admission=False)  # fmt: skip
    QuotaFactory(event=event, size=100, items=[ticket, gift])
    return ticket, gift


def place(event, items, *, gift_cards=(), codes=()):
    return order_place(
        event=event, sales_channel=web_channel(event), positions=[PositionSpec(item=i.pk) for i in items],
        email="a@example.com", now=timezone.now(), gift_cards=gift_cards, codes=list(codes),
    )  # fmt: skip


def action(client, name: str, orders, **extra):
    data = {"action": name, "_selected_action": [o.pk for o in orders], **extra}
    return client.post(LIST, data, follow="post" in extra)


def status_of(order) -> str:
    order.refresh_from_db()
    return order.status


def outcome_row(html: str, order) -> dict[str, str]:
    match = re.search(rf'<tr class="order-{order.code}">(.*?)</tr>', html, re.S)
    assert match, order.code
    cells = dict(re.findall(r'<td class="order-(\w+)">(.*?)</td>', match.group(1), re.S))
    return {key: value.strip() for key, value in cells.items()}


def test_mark_paid_first_shows_what_will_happen_and_changes_nothing(admin_client, event, shop):
    ticket, gift = shop
    order = place(event, [ticket, gift])

    response = action(admin_client, "mark_paid", [order])

    assert response.status_code == 200
    html = response.content.decode()
    assert outcome_row(html, order) == {
        "code": order.code, "status": "Pending", "total": "65.00 EUR", "due": "65.00 EUR",
        "effects": "Becomes paid; 65.00 EUR to collect.<br>"
                   "Issues a gift card worth 25.00 EUR for Gift voucher (position 2).",
    }  # fmt: skip
    assert 'value="Yes, mark them paid"' in html
    assert f'<input type="hidden" name="_selected_action" value="{order.pk}">' in html
    assert f'href="{LIST}" class="button cancel-link">No, take me back</a>' in html
    assert status_of(order) == OrderStatus.PENDING
    assert not GiftCardIssue.objects.filter(order=order).exists()


def test_mark_paid_confirmed_goes_through_the_service(admin_client, event, shop):
    ticket, gift = shop
    order = place(event, [ticket, gift])

    response = action(admin_client, "mark_paid", [order], post="yes")

    assert response.redirect_chain == [(LIST, 302)]
    order.refresh_from_db()
    assert (order.status, order.paid_at is not None) == (OrderStatus.PAID, True)
    [issue] = GiftCardIssue.objects.filter(order=order)
    assert gift_card_balance(issue.gift_card) == D("25.00")  # the service issued the card
    assert messages_of(response) == [f"1 order(s) marked paid: {order.code}."]


def test_going_back_from_the_confirmation_changes_nothing(admin_client, event, shop):
    ticket, _ = shop
    order = place(event, [ticket])
    html = action(admin_client, "mark_canceled", [order]).content.decode()
    back = re.search(r'<a href="([^"]+)" class="button cancel-link">', html).group(1)
    assert admin_client.get(back).status_code == 200
    # A post without the confirmation (a stale or forged form) only shows the page again.
    assert action(admin_client, "mark_canceled", [order], post="no").status_code == 200
    assert status_of(order) == OrderStatus.PENDING


def test_cancel_shows_the_gift_card_refunds_and_codes_given_back(admin_client, organizer, event, shop):
    ticket, _ = shop
    card = GiftCardFactory(organizer=organizer, code="PAYCARD", value=D("15.00"))
    PromoCodeFactory(series__organizer=organizer, series__discount_value=D("10"), code="TEN-PCT")
    order = place(event, [ticket], gift_cards=[card.code], codes=["TEN-PCT"])  # 36.00, 15.00 by card

    html = action(admin_client, "mark_canceled", [order]).content.decode()

    assert outcome_row(html, order) == {
        "code": order.code, "status": "Pending", "total": "36.00 EUR", "due": "21.00 EUR",
        "effects": "Becomes canceled; its tickets go back to the quotas.<br>"
                   "Gives 15.00 EUR back to gift card PAYCARD.<br>Gives the use of code TEN-PCT back.",
    }  # fmt: skip
    assert gift_card_balance(card) == D("0")
    assert status_of(order) == OrderStatus.PENDING

    response = action(admin_client, "mark_canceled", [order], post="yes")
    assert status_of(order) == OrderStatus.CANCELED
    assert gift_card_balance(card) == D("15.00")
    assert messages_of(response) == [f"1 order(s) canceled: {order.code}."]


def test_cancel_names_the_cards_it_voids_and_a_refusal_is_a_message(admin_client, organizer, event, shop):
    ticket, gift = shop
    bought = order_mark_paid(order=place(event, [gift]), now=timezone.now())
    card = GiftCardIssue.objects.get(order=bought).gift_card
    spender = place(event, [ticket], gift_cards=[card.code])

    html = action(admin_client, "mark_canceled", [bought]).content.decode()
    assert outcome_row(html, bought)["effects"] == (
        "Becomes canceled; its tickets go back to the quotas.<br>"
        f"Voids gift card {card.code} (25.00 EUR) — refused if the card has already paid for something."
    )

    response = action(admin_client, "mark_canceled", [bought, spender], post="yes")

    assert response.redirect_chain == [(LIST, 302)]
    assert messages_of(response) == [
        f"{bought.code}: A gift card this order issued has already paid for something: the order cannot be "
        "canceled.",
        f"1 order(s) canceled: {spender.code}.",
    ]
    assert (status_of(bought), status_of(spender)) == (OrderStatus.PAID, OrderStatus.CANCELED)


def test_an_order_in_the_wrong_state_is_refused_by_name(admin_client, event, shop):
    ticket, _ = shop
    pending, paid = place(event, [ticket]), order_mark_paid(order=place(event, [ticket]), now=timezone.now())
    canceled = OrderFactory(event=event, canceled=True)

    html = action(admin_client, "mark_paid", [pending, paid, canceled]).content.decode()
    assert outcome_row(html, paid)["effects"] == "Nothing: the order is paid, it will be refused."
    assert outcome_row(html, canceled)["effects"] == "Nothing: the order is canceled, it will be refused."
    assert outcome_row(html, pending)["effects"] == "Becomes paid; 40.00 EUR to collect."
    html = action(admin_client, "mark_canceled", [paid, canceled]).content.decode()
    assert outcome_row(html, paid)["effects"] == "Becomes canceled; its tickets go back to the quotas."
    assert outcome_row(html, canceled)["effects"] == "Nothing: the order is canceled, it will be refused."

    response = action(admin_client, "mark_paid", [pending, paid, canceled], post="yes")
    assert messages_of(response) == [
        f"{paid.code}: The order is paid, not pending.",
        f"{canceled.code}: The order is canceled, not pending.",
        f"1 order(s) marked paid: {pending.code}.",
    ]
    assert status_of(pending) == OrderStatus.PAID

    response = action(admin_client, "mark_canceled", [canceled], post="yes")
    assert messages_of(response) == [f"{canceled.code}: The order is already canceled."]


def test_the_order_page_has_buttons_to_the_confirmation(admin_client, event, shop):
    ticket, _ = shop
    order = place(event, [ticket])
    paid_url = reverse("admin:orders_order_mark_paid", args=[order.pk])
    cancel_url = reverse("admin:orders_order_mark_canceled", args=[order.pk])
    html = admin_client.get(change_url(order)).content.decode()
    assert (
        f'<a href="{paid_url}">Mark as paid</a>' in html
        and f'<a href="{cancel_url}">Cancel order</a>' in html
    )

    page = admin_client.get(paid_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert outcome_row(html, order)["total"] == "40.00 EUR"
    assert f'href="{change_url(order)}" class="button cancel-link">' in html
    assert 'name="action"' not in html
    assert status_of(order) == OrderStatus.PENDING

    response = admin_client.post(paid_url, {"post": "yes"}, follow=True)
    assert response.redirect_chain == [(change_url(order), 302)]
    assert status_of(order) == OrderStatus.PAID
    html = admin_client.get(change_url(order)).content.decode()
    assert "Mark as paid</a>" not in html and "Cancel order</a>" in html

    admin_client.post(cancel_url, {"post": "yes"})
    assert status_of(order) == OrderStatus.CANCELED
    html = admin_client.get(change_url(order)).content.decode()
    assert "Mark as paid</a>" not in html and "Cancel order</a>" not in html
    response = admin_client.post(cancel_url, {"post": "yes"}, follow=True)  # again: refused, by name
    assert messages_of(response) == [f"{order.code}: The order is already canceled."]


def test_another_organizers_order_has_no_confirmation_page(organizer, event, shop):
    staff = UserFactory(is_staff=True, password=None)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="orders"))
    TeamFactory(organizer=OrganizerFactory(), all_permissions=True, members=[staff])
    client = Client()
    client.force_login(staff)
    order = place(event, [shop[0]])
    for name in ("mark_paid", "mark_canceled"):
        page_url = reverse(f"admin:orders_order_{name}", args=[order.pk])
        for response in (client.get(page_url), client.post(page_url, {"post": "yes"})):
            assert (response.status_code, response.url) == (302, reverse("admin:index"))
        for extra in ({}, {"post": "yes"}):  # the list action: the order is not among the selectable ones
            data = {"action": name, "_selected_action": [order.pk], **extra}
            response = client.post(LIST, data, follow=True)
            assert response.redirect_chain == [(LIST, 302)]
            assert "None of the selected orders can be changed here." in messages_of(response)
            assert not [text for text in messages_of(response) if order.code in text or "order(s)" in text]
    assert status_of(order) == OrderStatus.PENDING
    assert Order.objects.count() == 1


# --- carts -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "price", "lines"),
    [
        ("EUR", "40", ["80.00 EUR", "0.00 EUR", "0.00 EUR", "80.00 EUR", "80.00 EUR"]),
        ("JPY", "1200", ["2400 JPY", "0 JPY", "0 JPY", "2400 JPY", "2400 JPY"]),
        ("KWD", "1.25", ["2.500 KWD", "0.000 KWD", "0.000 KWD", "2.500 KWD", "2.500 KWD"]),
    ],
)
def test_the_cart_page_shows_what_the_cart_costs_now(admin_client, organizer, currency, price, lines):
    event = EventFactory(organizer=organizer, currency=currency)
    item = ItemFactory(event=event, default_price=D(price))
    QuotaFactory(event=event, size=10, items=[item])
    cart = CartFactory(event=event)
    CartPositionFactory(cart=cart, item=item, positionid=1)
    CartPositionFactory(cart=cart, item=item, positionid=2)
    html = admin_client.get(reverse("admin:orders_cart_change", args=[cart.pk])).content.decode()
    labels = ["list total", "code discounts", "rule discounts", "total", "due"]
    expected = "<br>".join(f"{label} {line}" for label, line in zip(labels, lines, strict=True))
    assert readonly(html, "price_now") == expected


def test_the_cart_page_names_a_code_that_no_longer_applies(admin_client, organizer, event):
    item = ItemFactory(event=event, default_price=D("40"))
    QuotaFactory(event=event, size=10, items=[item])
    promo = PromoCodeFactory(series__organizer=organizer, code="SWITCHED-OFF", active=False)
    cart = CartFactory(event=event)
    CartPositionFactory(cart=cart, item=item)
    CartCode.objects.create(cart=cart, code=promo.code, coupon=promo)
    html = admin_client.get(reverse("admin:orders_cart_change", args=[cart.pk])).content.decode()
    assert readonly(html, "price_now").endswith(
        "total 40.00 EUR<br>due 40.00 EUR<br>SWITCHED-OFF no longer applies: This code has been deactivated."
    )


def test_who_may_only_view_orders_gets_no_buttons_and_no_confirmation(organizer, event, shop):
    viewer = UserFactory(is_staff=True, password=None)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_order"))
    TeamFactory(organizer=organizer, can_view_orders=True, members=[viewer])
    client = Client()
    client.force_login(viewer)
    order = place(event, [shop[0]])
    html = client.get(change_url(order)).content.decode()
    assert order.code in html and "Mark as paid</a>" not in html and "Cancel order</a>" not in html
    paid_url = reverse("admin:orders_order_mark_paid", args=[order.pk])
    assert client.get(paid_url).status_code == 403
    assert client.post(paid_url, {"post": "yes"}).status_code == 403
    assert "mark_paid" not in client.get(LIST).content.decode()  # nor the list actions
    assert status_of(order) == OrderStatus.PENDING

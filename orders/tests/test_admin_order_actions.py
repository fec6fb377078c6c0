"""The order page's life-cycle forms (orders.admin_views.order_actions): record a payment, new deadline,
refund, cancel keeping a fee, expire now; and the timeline of what happened."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orders.checkout.draft import PositionSpec
from orders.models import Order, OrderRefund, OrderStatus
from orders.services.checkout import order_place
from orders.services.orders import order_mark_paid
from orders.tests.factories import web_channel
from ticketing.tests.factories import ItemFactory, OrganizerFactory, QuotaFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def order(event):
    item = ItemFactory(event=event, default_price=D("40.00"))
    QuotaFactory(event=event, size=5, items=[item])
    return order_place(
        event=event, sales_channel=web_channel(event), positions=[PositionSpec(item=item.pk)],
        email="a@example.com", now=timezone.now(),
    )  # fmt: skip


def url(action: str, order) -> str:
    return reverse(f"admin:orders_order_{action}", args=[order.pk])


def errors(response) -> str:
    return " ".join(re.findall(r'<ul class="errorlist[^"]*">(.*?)</ul>', response.content.decode(), re.S))


def fresh(order) -> Order:
    return Order.objects.get(pk=order.pk)


def test_the_order_page_offers_the_life_cycle_buttons(admin_client, order):
    html = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    for action in ("record_payment", "extend", "cancel_with_fee", "expire", "modify"):
        assert f'href="{url(action, order)}"' in html
    assert f'href="{url("refund", order)}"' not in html  # nothing paid yet


def test_record_a_partial_then_the_rest(admin_client, order):
    admin_client.post(url("record_payment", order), {"amount": "15.00", "provider": "cash"})
    assert (fresh(order).status, list(order.payments.values_list("amount", flat=True))) == (
        "pending",
        [D("15")],
    )
    response = admin_client.post(
        url("record_payment", order), {"amount": "", "provider": "manual"}, follow=True
    )
    assert fresh(order).status == OrderStatus.PAID
    assert "The payment was recorded." in response.content.decode()


def test_a_refused_action_shows_the_reason_and_changes_nothing(admin_client, order):
    order_mark_paid(order=order, now=timezone.now())
    response = admin_client.post(url("record_payment", order), {"amount": "1.00", "provider": "manual"})
    assert response.status_code == 200
    assert "The order is paid, not pending." in errors(response)
    assert order.payments.count() == 1


def test_a_bad_value_is_a_form_error(admin_client, order):
    response = admin_client.post(url("record_payment", order), {"amount": "-1", "provider": "Bad Name"})
    assert response.status_code == 200 and "amount" in response.content.decode()
    assert not order.payments.exists()


def test_expire_then_a_new_deadline_revives_it(admin_client, order):
    admin_client.post(url("expire", order), {})
    assert fresh(order).status == OrderStatus.EXPIRED
    deadline = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    admin_client.post(url("extend", order), {"expires": deadline})
    assert fresh(order).status == OrderStatus.PENDING
    past = admin_client.post(url("extend", order), {"expires": "2001-01-01 00:00:00"})
    assert "must be in the future" in errors(past)


def test_refund_and_cancel_keeping_a_fee(admin_client, order):
    order_mark_paid(order=order, now=timezone.now())
    admin_client.post(url("cancel_with_fee", order), {"cancellation_fee": "5.00", "comment": "late"})
    canceled = fresh(order)
    assert (canceled.status, canceled.total) == (OrderStatus.PAID, D("5.00"))
    payment = order.payments.get()
    too_much = admin_client.post(
        url("refund", order), {"payment": payment.pk, "amount": "40.01", "done": "on"}
    )
    assert "left to refund" in errors(too_much)
    admin_client.post(url("refund", order), {"payment": payment.pk, "amount": "35.00", "done": "on"})
    assert list(OrderRefund.objects.values_list("amount", "state")) == [(D("35.00"), "done")]


def test_the_timeline_says_what_happened(admin_client, order):
    admin_client.post(url("record_payment", order), {"amount": "40.00", "provider": "cash"})
    html = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    timeline = html[html.index("field-timeline") :]
    assert timeline.index("Placed (pending, total 40.00)") < timeline.index(
        "Payment #1 of 40.00 by cash confirmed."
    ) < timeline.index("Paid (total 40.00).")  # fmt: skip


def test_who_may_only_view_orders_cannot_use_the_forms(organizer, order):
    viewer = UserFactory(is_staff=True, password=None)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_order"))
    TeamFactory(organizer=organizer, can_view_orders=True, members=[viewer])
    client = Client()
    client.force_login(viewer)
    assert client.get(url("record_payment", order)).status_code == 403
    assert client.post(url("expire", order), {}).status_code == 403
    assert fresh(order).status == OrderStatus.PENDING


def test_another_organizers_staff_do_not_reach_the_order(order):
    stranger = UserFactory(is_staff=True, password=None)
    stranger.user_permissions.set(Permission.objects.filter(codename__in=["view_order", "change_order"]))
    TeamFactory(organizer=OrganizerFactory(), all_permissions=True, members=[stranger])
    client = Client()
    client.force_login(stranger)
    response = client.post(url("expire", order), {})
    assert response.status_code == 302 and fresh(order).status == OrderStatus.PENDING


def test_change_adds_cancels_and_patches_through_the_change_service(admin_client, order, event):
    other = ItemFactory(event=event, default_price=D("25.00"))
    QuotaFactory(event=event, size=5, items=[other])
    admin_client.post(url("modify", order), {"add_item": other.pk})
    assert list(order.positions.filter(canceled=False).values_list("positionid", "price")) == [
        (1, D("40.00")), (2, D("25.00")),
    ]  # fmt: skip
    assert fresh(order).total == D("65.00")
    admin_client.post(url("modify", order), {"cancel_position": 1})
    admin_client.post(
        url("modify", order), {"patch_position": 2, "patch_item": order.positions.get(positionid=1).item_id}
    )
    live = list(order.positions.filter(canceled=False).values_list("positionid", "price"))
    assert live == [(2, D("40.00"))] and fresh(order).total == D("40.00")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "Choose what to change."),
        ({"patch_position": 1}, "choose both the position and the item"),
        ({"cancel_position": 1}, "cancel"),  # the only position: cancel the order instead
    ],
)
def test_a_change_that_cannot_be_made_is_a_form_error(admin_client, order, body, error):
    response = admin_client.post(url("modify", order), body)
    assert response.status_code == 200 and error in errors(response)
    assert fresh(order).total == D("40.00")

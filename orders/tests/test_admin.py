"""Admin pages of orders, redemptions and carts render, and status actions use the services."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from orders.models import OrderStatus, Redemption
from orders.tests.factories import CartFactory, CartPositionFactory, OrderFactory, OrderPositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client


def test_order_pages_show_the_breakdown(admin_client, event):
    order = OrderFactory(event=event)
    OrderPositionFactory(order=order, positionid=1, code="SPRING", code_discount=5)
    Redemption.objects.create(order=order, kind="voucher", code="SPRING")
    assert admin_client.get("/admin/orders/order/").status_code == 200
    page = admin_client.get(f"/admin/orders/order/{order.pk}/change/")
    assert page.status_code == 200
    assert b"SPRING" in page.content and b"code_discount" in page.content


def test_redemptions_are_listed_per_code(admin_client, event):
    order = OrderFactory(event=event)
    Redemption.objects.create(order=order, kind="voucher", code="SPRING")
    Redemption.objects.create(order=order, kind="coupon", code="OTHER")
    page = admin_client.get("/admin/orders/redemption/", {"q": "SPRING"})
    assert page.status_code == 200
    assert b"SPRING" in page.content and b"OTHER" not in page.content


def test_cart_pages_render(admin_client, event):
    cart = CartFactory(event=event)
    CartPositionFactory(cart=cart)
    assert admin_client.get(f"/admin/orders/cart/{cart.pk}/change/").status_code == 200


def test_actions_mark_paid_and_cancel(admin_client, event):
    order = OrderFactory(event=event)
    admin_client.post("/admin/orders/order/", {"action": "mark_paid", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    admin_client.post("/admin/orders/order/", {"action": "mark_canceled", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELED

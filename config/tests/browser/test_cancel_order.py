"""Canceling an order in the back office, and finding the cancellation on the order's History page."""

from __future__ import annotations

import pytest

from orders.models import Order, OrderStatus

pytestmark = pytest.mark.browser


def test_cancel_an_order_and_see_it_in_the_history(staff_browser, world):
    order = Order.objects.get(code="ALPHA1")
    browser = staff_browser
    browser.open("/admin/orders/order/")
    assert browser.column("status") == ["Pending"]
    browser.run_action("Cancel selected orders (gives quota and code usage back)", "ALPHA1")

    assert browser.messages() == ["1 order(s) canceled."]
    assert browser.column("status") == ["Canceled"]
    browser.shot("order-canceled")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELED
    assert order.canceled_at is not None

    browser.open(f"/admin/orders/order/{order.pk}/change/")
    browser.submit(browser.link("HISTORY"))
    assert browser.heading() == "History: ALPHA1"
    canceled_at = order.canceled_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    newest, created = browser.rows("#change-history")  # newest first
    assert newest[1:] == [
        "alpha-staff",
        "Admin",
        "Changed",
        f"canceled_at: — → {canceled_at}\nstatus: pending → canceled",
    ]
    assert created[1:4] == ["system", "System", "Created"]
    browser.shot("order-history")

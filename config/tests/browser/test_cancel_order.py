"""Canceling an order in the back office (its page's button, then the confirmation page), and finding
the cancellation on the order's History page."""

from __future__ import annotations

import pytest

from orders.models import Order, OrderStatus

pytestmark = pytest.mark.browser


def test_cancel_an_order_and_see_it_in_the_history(staff_browser, world):
    order = Order.objects.get(code="ALPHA1")
    browser = staff_browser
    browser.open(f"/admin/orders/order/{order.pk}/change/")
    browser.submit(browser.link("CANCEL ORDER"))
    assert browser.heading() == "Cancel orders"
    assert browser.rows("table.confirm-status-change") == [
        ["ALPHA1", "Alpha conference", "Pending", "23.00 EUR", "23.00 EUR",
         "Becomes canceled; its tickets go back to the quotas."],
    ]  # fmt: skip
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING  # the confirmation page changes nothing
    browser.shot("cancel-order-confirmation")

    browser.submit(browser.button("Yes, cancel them"))
    assert browser.messages() == ["1 order(s) canceled: ALPHA1."]
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

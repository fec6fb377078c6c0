"""Logging in to the back office, and a staff member of Alpha Org seeing nothing of Bravo Org."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from orders.models import Order

pytestmark = pytest.mark.browser


def test_staff_member_logs_in_with_the_login_form(browser, world):
    browser.open("/admin/")
    assert browser.path == "/admin/login/?next=/admin/"

    browser.fill("username", "alpha-staff")
    browser.fill("password", "not-the-password")
    browser.submit(browser.button("Log in"))
    assert browser.errors() == [
        "Please enter the correct username and password for a staff account. "
        "Note that both fields may be case-sensitive."
    ]
    browser.shot("login-wrong-password")

    browser.fill("password", world.staff_password)
    browser.submit(browser.button("Log in"))
    assert browser.path == "/admin/"
    assert browser.heading() == "Back office"
    assert browser.text("#site-name") == "ticketshop back office"
    assert "WELCOME, ALPHA-STAFF." in browser.text("#user-tools").upper()
    browser.shot("logged-in")


def test_staff_member_sees_nothing_of_another_organizer(staff_browser, world, superuser):
    browser = staff_browser
    browser.open("/admin/ticketing/event/")
    assert browser.column("name") == ["Alpha conference"]
    assert "Bravo" not in browser.text()
    browser.shot("events-of-own-organizer")

    browser.open("/admin/orders/order/")
    assert browser.column("code") == ["ALPHA1"]
    assert "BRAVO" not in browser.text().upper()
    browser.shot("orders-of-own-organizer")

    bravo_order = Order.objects.get(code="BRAVO1")
    browser.open(f"/admin/orders/order/{bravo_order.pk}/change/")
    assert browser.path == "/admin/"  # as for an order that does not exist
    assert browser.messages() == [f"Order with ID “{bravo_order.pk}” doesn’t exist. Perhaps it was deleted?"]
    browser.shot("other-organizers-order-answers-missing")

    # The superuser sees both organizers' orders.
    browser.driver.delete_all_cookies()
    browser.log_in_as(superuser)
    browser.open("/admin/orders/order/")
    assert sorted(browser.column("code")) == ["ALPHA1", "BRAVO1"]
    assert browser.driver.find_element(By.LINK_TEXT, "BRAVO1").is_displayed()
    browser.shot("superuser-sees-both-organizers")

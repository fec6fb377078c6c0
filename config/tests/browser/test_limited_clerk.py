"""A clerk whose team is limited to one event, with view rights only: they see that event's orders and
vouchers, cannot change them, and the audit log shows them no gift card code (issue 23, point 4)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By

from config.tests.browser.conftest import staff_member
from orders.models import Order, OrderStatus
from orders.tests.factories import OrderFactory
from ticketing.tests.factories import EventFactory, TeamFactory
from vouchers.tests.factories import GiftCardFactory, VoucherFactory

pytestmark = pytest.mark.browser

GIFT_CODE = "ALPHA-GIFT-SECRET-7XQ2"


@pytest.fixture
def clerk_browser(browser, world):
    """Alpha Org has a second event, its orders and vouchers, and a gift card; the clerk's team sees the
    conference only, and may only view its orders and vouchers."""
    festival = EventFactory(organizer=world.alpha, slug="alpha-fest", name="Alpha festival")
    OrderFactory(event=festival, code="ALPHA2", email="fest@example.com", total=Decimal("40.00"))
    VoucherFactory(event=world.alpha_conf, code="CONF-VOUCHER")
    VoucherFactory(event=festival, code="FEST-VOUCHER")
    GiftCardFactory(organizer=world.alpha, code=GIFT_CODE)
    clerk = staff_member("alpha-clerk", "alpha-clerk-password")
    TeamFactory(
        organizer=world.alpha, name="Conference clerks", all_events=False, limit_events=[world.alpha_conf],
        can_view_orders=True, can_view_vouchers=True, members=[clerk],
    )  # fmt: skip
    browser.log_in_as(clerk)
    return browser


def test_a_clerk_limited_to_one_event_sees_only_its_orders_and_vouchers(clerk_browser, world):
    browser = clerk_browser
    browser.open("/admin/orders/order/")
    assert browser.column("code") == ["ALPHA1"]
    assert "ALPHA2" not in browser.text()
    # View rights: no action to run on the list.
    assert not browser.driver.find_elements(By.CSS_SELECTOR, "#changelist-form select[name=action]")
    browser.shot("clerk-orders-of-their-event")

    browser.open("/admin/vouchers/voucher/")
    assert browser.column("code") == ["CONF-VOUCHER"]
    assert "FEST-VOUCHER" not in browser.text()
    browser.shot("clerk-vouchers-of-their-event")

    browser.open("/admin/vouchers/giftcard/")
    assert "403" in browser.text() or "Forbidden" in browser.text()  # gift cards need all events
    assert GIFT_CODE not in browser.text()


def test_the_clerk_reads_their_events_order_without_changing_it(clerk_browser, world):
    browser = clerk_browser
    order = Order.objects.get(code="ALPHA1")
    browser.open(f"/admin/orders/order/{order.pk}/change/")
    assert browser.heading() == "View order"
    assert "ALPHA1" in browser.text()
    assert not browser.driver.find_elements(By.CSS_SELECTOR, "input[name=_save]")
    assert not browser.driver.find_elements(By.LINK_TEXT, "Mark as paid")
    browser.shot("clerk-order-read-only")

    browser.open(f"/admin/orders/order/{order.pk}/mark-paid/")
    assert "403" in browser.text() or "Forbidden" in browser.text()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING

    other = Order.objects.get(code="ALPHA2")
    browser.open(f"/admin/orders/order/{other.pk}/change/")
    assert browser.path == "/admin/"  # as for an order that does not exist
    assert browser.messages() == [f"Order with ID “{other.pk}” doesn’t exist. Perhaps it was deleted?"]


def test_the_audit_log_shows_the_clerk_no_gift_card_code(clerk_browser, world):
    browser = clerk_browser
    browser.open("/admin/audit/auditentry/?all=")
    shown = browser.column("object")
    assert "ALPHA1" in shown and "CONF-VOUCHER" in shown
    assert "ALPHA2" not in shown and "FEST-VOUCHER" not in shown
    assert GIFT_CODE not in browser.text() and "7XQ2" not in browser.text()
    assert "Bravo" not in browser.text()
    browser.shot("clerk-audit-log-without-gift-cards")

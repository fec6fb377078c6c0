"""Headless Chromium (Debian's ``chromium`` and ``chromium-driver``) on pytest-django's ``live_server``,
and the data of the back office tests: two organizers, a staff member of one of them, a superuser.

Every test here is marked ``browser``; the normal run deselects them (``addopts`` in pyproject.toml) and
``./scripts/test -m browser`` runs them. Asked for on a machine without Chromium or its driver, they
fail, saying what to install: they are never skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from config.tests.browser.pages import SCREENSHOT_DIR, Browser, Screenshots
from discounts.tests.factories import DiscountFactory
from orders.tests.factories import OrderFactory, OrderPositionFactory
from ticketing.models import Event, Item, Organizer
from ticketing.tests.factories import (
    EventFactory,
    ItemFactory,
    OrganizerFactory,
    QuotaFactory,
    TeamFactory,
    UserFactory,
)
from vouchers.models import CouponSeries
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
WINDOW = "1600,1000"
PROJECT_APPS = ("ticketing", "discounts", "vouchers", "orders")
STAFF_PASSWORD = "alpha-staff-password"


#: The modules in the order of the issue's steps, so that the screenshots' numbers read as the story.
STEPS = ("test_login_and_scoping", "test_discount_rule", "test_coupons", "test_try_cart", "test_cancel_order")


def pytest_collection_modifyitems(items):
    def place(numbered) -> tuple[int, int]:
        index, item = numbered
        module = item.module.__name__.rpartition(".")[2] if item.module else ""
        here = item.module is not None and item.module.__name__.startswith(__package__ or "")
        return (STEPS.index(module) if here and module in STEPS else len(STEPS), index)

    items[:] = [item for _, item in sorted(enumerate(items), key=place)]


@pytest.fixture(scope="session")
def chromium():
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        pytest.fail(
            f"The browser tests need Chromium and its driver; missing: {', '.join(missing)}. "
            "Install them with: apt-get install chromium chromium-driver",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={WINDOW}"):
        options.add_argument(argument)
    # The driver's path given: Selenium Manager downloads nothing.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def screenshots() -> Screenshots:
    folder = Screenshots(Path(os.environ.get("SCREENSHOT_DIR") or SCREENSHOT_DIR))
    folder.clear()
    return folder


@pytest.fixture
def browser(chromium, live_server, screenshots) -> Browser:
    """The browser on the live server, logged out (no cookie of an earlier test)."""
    chromium.delete_all_cookies()
    return Browser(driver=chromium, base_url=live_server.url, screenshots=screenshots)


@dataclass
class World:
    """Alpha Org (the staff member's, through a team) and Bravo Org (not theirs): every name in Bravo's
    world contains "Bravo"."""

    staff: object
    staff_password: str
    alpha: Organizer
    alpha_conf: Event
    alpha_ticket: Item
    alpha_series: CouponSeries
    bravo: Organizer
    bravo_conf: Event


def staff_member(username: str, password: str):
    """A staff user with the project apps' model permissions; what they see is their teams' organizers."""
    user = UserFactory(username=username, is_staff=True, password=password)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=PROJECT_APPS))
    return user


@pytest.fixture
def world(transactional_db) -> World:
    staff = staff_member("alpha-staff", STAFF_PASSWORD)
    alpha = OrganizerFactory(slug="alpha", name="Alpha Org")
    TeamFactory(organizer=alpha, name="Alpha team", all_permissions=True, members=[staff])
    alpha_conf = EventFactory(organizer=alpha, slug="alpha-conf", name="Alpha conference")
    alpha_ticket = ItemFactory(event=alpha_conf, name="Alpha ticket", default_price=Decimal("23.00"))
    QuotaFactory(event=alpha_conf, name="Alpha tickets", size=100, items=[alpha_ticket])
    alpha_series = CouponSeriesFactory(organizer=alpha, name="Alpha series")
    CouponFactory(series=alpha_series, code="ALPHA-FIRST")
    alpha_order = OrderFactory(
        event=alpha_conf,
        code="ALPHA1",
        email="ada@example.com",
        list_total=Decimal("23.00"),
        total=Decimal("23.00"),
    )
    OrderPositionFactory(order=alpha_order, item=alpha_ticket)

    bravo = OrganizerFactory(slug="bravo", name="Bravo Org")
    TeamFactory(organizer=bravo, name="Bravo team", all_permissions=True,
                members=[UserFactory(username="bravo-member")])  # fmt: skip
    bravo_conf = EventFactory(organizer=bravo, slug="bravo-conf", name="Bravo conference")
    bravo_ticket = ItemFactory(event=bravo_conf, name="Bravo ticket")
    DiscountFactory(event=bravo_conf, internal_name="Bravo rule")
    CouponFactory(series=CouponSeriesFactory(organizer=bravo, name="Bravo series"), code="BRAVO-FIRST")
    bravo_order = OrderFactory(event=bravo_conf, code="BRAVO1", email="bravo@example.com")
    OrderPositionFactory(order=bravo_order, item=bravo_ticket)
    return World(
        staff=staff, staff_password=STAFF_PASSWORD, alpha=alpha, alpha_conf=alpha_conf,
        alpha_ticket=alpha_ticket, alpha_series=alpha_series, bravo=bravo, bravo_conf=bravo_conf,
    )  # fmt: skip


@pytest.fixture
def superuser(world):
    return get_user_model().objects.create_superuser("root", "root@example.com", "root-password")


@pytest.fixture
def staff_browser(browser, world) -> Browser:
    """The browser logged in as Alpha Org's staff member."""
    browser.log_in_as(world.staff)
    return browser

"""Pricing a cart on the event's "try a cart" page: the positions, what changed each price, the totals;
nothing is stored."""

from __future__ import annotations

import pytest

from discounts.tests.factories import DiscountFactory
from orders.models import Cart, Order

pytestmark = pytest.mark.browser


def test_try_a_cart_prices_it_with_the_events_rules(staff_browser, world):
    DiscountFactory(event=world.alpha_conf, three_for_two=True)
    browser = staff_browser
    browser.open(f"/admin/ticketing/event/{world.alpha_conf.pk}/change/")
    browser.submit(browser.link("TRY A CART"))
    assert browser.heading() == "Try a cart: Alpha conference"
    assert browser.options("lines-0-product") == ["---------", "Alpha ticket"]  # the event's items only

    browser.choose("lines-0-product", "Alpha ticket")
    browser.fill("lines-0-quantity", "3")
    browser.shot("try-cart-form")
    browser.submit(browser.button("Price this cart"))

    assert browser.messages() == []
    assert browser.rows("#try-cart-lines") == [
        [
            "1",
            "Alpha ticket",
            "23.00",
            'counted by rule "3 for 2", which took nothing off this position',
            "23.00",
        ],
        [
            "2",
            "Alpha ticket",
            "23.00",
            'counted by rule "3 for 2", which took nothing off this position',
            "23.00",
        ],
        ["3", "Alpha ticket", "23.00", 'rule "3 for 2" took 23.00 off', "0.00"],
    ]
    assert browser.rows("#try-cart-totals") == [
        ["List total", "69.00"], ["Codes took off", "0.00"], ["Rules took off", "23.00"], ["Total", "46.00"],
    ]  # fmt: skip
    assert browser.text("#try-cart-due") == "Due: 46.00"
    browser.shot("try-cart-priced", at="#try-cart-lines")
    assert (Cart.objects.count(), Order.objects.filter(event=world.alpha_conf).count()) == (0, 1)

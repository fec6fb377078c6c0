"""Creating an automatic discount rule: an invalid one shows the error and saves nothing, a valid one is
listed with its condition and benefit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from discounts.models import Discount

pytestmark = pytest.mark.browser


def test_invalid_rule_shows_the_error_then_a_valid_one_is_saved(staff_browser, world):
    browser = staff_browser
    browser.open("/admin/discounts/discount/")
    browser.submit(browser.link("ADD DISCOUNT"))
    assert browser.heading() == "Add discount"
    assert browser.options("event") == ["---------", "Alpha conference"]  # not Bravo's events

    browser.choose("event", "Alpha conference")
    browser.fill("internal_name", "Ten off from two")
    browser.fill("benefit_discount_matching_percent", "10")
    browser.shot("discount-rule-form")  # no minimum count nor value: the rule would never apply
    browser.submit(browser.button("Save"))
    assert browser.errors() == [
        "Please correct the error below.",
        "Set either a minimum number of matching products (condition_min_count) "
        "or a minimum value (condition_min_value).",
    ]
    assert Discount.objects.filter(event=world.alpha_conf).count() == 0
    browser.shot("discount-rule-invalid", at=".field-condition_min_count")

    browser.fill("condition_min_count", "2")
    browser.submit(browser.button("Save"))
    assert browser.path == "/admin/discounts/discount/"
    assert browser.messages() == ["The discount “Ten off from two” was added successfully."]
    # Position and active are fields of the list (blank as text): read as the form shows them.
    assert browser.rows() == [
        ["", "Ten off from two", "Alpha conference", "", "", "Dates can be mixed without limitation",
         "at least 2 of all products", "10.00% off"],
    ]  # fmt: skip
    assert browser.value("form-0-position") == "0"
    assert browser.checked("form-0-active") is True
    browser.shot("discount-rule-saved")

    rule = Discount.objects.get(event=world.alpha_conf)
    assert (rule.internal_name, rule.condition_min_count, rule.condition_min_value) == (
        "Ten off from two", 2, Decimal("0"),
    )  # fmt: skip
    assert rule.benefit_discount_matching_percent == Decimal("10.00")

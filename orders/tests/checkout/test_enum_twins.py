"""The engine imports the standard library only, so it has its own words for two of the domain's choices:
``DateGrouping`` for a rule's ``SubeventMode``, ``CodeScope`` for what a ``CodeKind`` changes. The adapter
maps one onto the other; every domain value must have its engine value, or a rule or code would reach the
engine as something it does not know."""

from __future__ import annotations

from discounts.models import SubeventMode
from orders.checkout.adapter import GROUPINGS, SCOPES
from orders.pricing import CodeScope, DateGrouping
from vouchers.choices import CodeKind


def test_every_subevent_mode_of_a_rule_maps_to_the_date_grouping_of_the_same_value():
    assert {mode.value: grouping.value for mode, grouping in GROUPINGS.items()} == {
        "mixed": "mixed", "same": "same", "distinct": "distinct"
    }  # fmt: skip
    assert set(GROUPINGS) == set(SubeventMode)
    assert set(GROUPINGS.values()) == set(DateGrouping)


def test_a_voucher_changes_its_positions_and_coupons_and_promo_codes_the_order():
    assert {kind.value: scope.value for kind, scope in SCOPES.items()} == {
        "voucher": "position", "coupon": "order", "promo_code": "order"
    }  # fmt: skip
    assert set(SCOPES) == set(CodeKind)
    assert set(SCOPES.values()) == set(CodeScope)

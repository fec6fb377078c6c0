"""ensure_demo_discounts: the demo conference's rules, created once."""

from __future__ import annotations

from decimal import Decimal

from discounts.demo import ensure_demo_discounts
from discounts.models import Discount


def test_creates_three_for_two_and_ten_percent_from_100(event):
    three_for_two, ten_percent = ensure_demo_discounts(event)
    assert three_for_two.internal_name == "3 for 2"
    assert three_for_two.condition_min_count == 3
    assert three_for_two.benefit_only_apply_to_cheapest_n_matches == 1
    assert three_for_two.benefit_discount_matching_percent == Decimal("100.00")
    assert ten_percent.condition_min_count == 0
    assert ten_percent.condition_min_value == Decimal("100.00")
    assert ten_percent.benefit_discount_matching_percent == Decimal("10.00")
    assert three_for_two.active and ten_percent.active
    assert (three_for_two.position, ten_percent.position) == (1, 2)


def test_is_idempotent_and_keeps_edits(event):
    first = ensure_demo_discounts(event)
    Discount.objects.filter(pk=first[0].pk).update(active=False)
    again = ensure_demo_discounts(event)
    assert [r.pk for r in again] == [r.pk for r in first]
    assert Discount.objects.filter(event=event).count() == 2
    assert again[0].active is False

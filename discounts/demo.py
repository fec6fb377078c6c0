"""Demo discount rules for the demo conference (wired into the demo data command)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from discounts.models import Discount
from ticketing.models import Event

THREE_FOR_TWO = "3 for 2"
TEN_PERCENT_FROM_100 = "10% off from 100.00"

DEMO_RULES: dict[str, dict[str, Any]] = {
    THREE_FOR_TWO: {
        "position": 1,
        "condition_min_count": 3,
        "benefit_only_apply_to_cheapest_n_matches": 1,
        "benefit_discount_matching_percent": Decimal("100.00"),
    },
    TEN_PERCENT_FROM_100: {
        "position": 2,
        "condition_min_value": Decimal("100.00"),
        "benefit_discount_matching_percent": Decimal("10.00"),
    },
}


@transaction.atomic
def ensure_demo_discounts(event: Event) -> list[Discount]:
    """Create the demo rules on the event unless rules of those names exist; return them in order.

    Existing rules are left as they are, so running the demo command again keeps an
    organizer's edits.
    """
    rules = []
    for name, values in DEMO_RULES.items():
        rule = Discount.objects.filter(event=event, internal_name=name).order_by("id").first()
        if rule is None:
            rule = Discount(event=event, internal_name=name, **values)
            rule.full_clean()
            rule.save()
        rules.append(rule)
    return rules

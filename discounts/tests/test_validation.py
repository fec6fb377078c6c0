"""validate_discount and Discount.clean(): the valid configurations of docs/pricing.md, section 2."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from discounts.models import Discount, SubeventMode, validate_discount
from discounts.tests.factories import DiscountFactory
from ticketing.tests.factories import EventFactory, ItemFactory, OrganizerFactory, SalesChannelFactory

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

VALID = {"condition_min_count": 3, "benefit_discount_matching_percent": Decimal("10.00")}


def errors_of(**values) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        validate_discount(**values)
    return caught.value.message_dict


@pytest.mark.parametrize(
    "values",
    [
        pytest.param(VALID, id="min count"),
        pytest.param({"condition_min_value": Decimal("100.00")}, id="min value"),
        pytest.param({**VALID, "benefit_only_apply_to_cheapest_n_matches": 1}, id="3 for 2"),
        pytest.param({**VALID, "subevent_mode": "distinct"}, id="distinct with count and same products"),
        pytest.param({**VALID, "subevent_mode": "same"}, id="same dates"),
        pytest.param({"condition_min_value": Decimal("1"), "subevent_mode": "same"}, id="same, min value"),
        pytest.param({**VALID, "benefit_discount_matching_percent": Decimal("0")}, id="0 percent"),
        pytest.param({**VALID, "benefit_discount_matching_percent": Decimal("100")}, id="100 percent"),
        pytest.param({**VALID, "available_from": T0, "available_until": T0}, id="one-instant window"),
        pytest.param({**VALID, "available_from": T0}, id="open end"),
        pytest.param({**VALID, "subevent_date_from": T0, "subevent_date_until": T0 + timedelta(1)}, id="d"),
    ],
)
def test_valid_configurations_pass(values):
    validate_discount(**values)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        pytest.param({"condition_min_count": 3, "condition_min_value": Decimal("1")}, "condition_min_value",
                     id="both minimums"),
        pytest.param({"condition_min_count": 0, "condition_min_value": Decimal("0")}, "condition_min_count",
                     id="neither minimum"),
        pytest.param({"condition_min_count": 0}, "condition_min_count", id="neither (value left default)"),
        pytest.param({"condition_min_value": Decimal("50"), "benefit_only_apply_to_cheapest_n_matches": 1},
                     "benefit_only_apply_to_cheapest_n_matches", id="cheapest n with a minimum value"),
        pytest.param({**VALID, "benefit_only_apply_to_cheapest_n_matches": 0},
                     "benefit_only_apply_to_cheapest_n_matches", id="cheapest 0"),
        pytest.param({"condition_min_value": Decimal("50"), "subevent_mode": "distinct"}, "subevent_mode",
                     id="distinct with a minimum value"),
        pytest.param({**VALID, "subevent_mode": "distinct", "benefit_same_products": False},
                     "benefit_same_products", id="distinct with other benefit products"),
        pytest.param({**VALID, "benefit_discount_matching_percent": Decimal("100.01")},
                     "benefit_discount_matching_percent", id="over 100 percent"),
        pytest.param({**VALID, "benefit_discount_matching_percent": Decimal("-1")},
                     "benefit_discount_matching_percent", id="negative percent"),
        pytest.param({**VALID, "available_from": T0, "available_until": T0 - timedelta(seconds=1)},
                     "available_until", id="availability ends before it starts"),
        pytest.param({**VALID, "subevent_date_from": T0, "subevent_date_until": T0 - timedelta(days=1)},
                     "subevent_date_until", id="date window ends before it starts"),
    ],
)
def test_invalid_configurations_name_the_field(values, field):
    assert field in errors_of(**values)


def test_all_problems_are_reported_together():
    errors = errors_of(
        condition_min_count=2, condition_min_value=Decimal("5"),
        benefit_discount_matching_percent=Decimal("150"),
        available_from=T0, available_until=T0 - timedelta(hours=1),
    )
    assert set(errors) == {"condition_min_value", "benefit_discount_matching_percent", "available_until"}


def test_lists_alone_do_not_trigger_the_other_checks(db):
    # The admin form checks the many-to-many lists on their own (Model.clean() does the rest).
    event = EventFactory()
    own = ItemFactory(event=event)
    validate_discount(event=event, condition_limit_products=[own], benefit_limit_products=[])


def test_products_of_another_event_are_refused(db):
    event, other = EventFactory(), EventFactory()
    foreign = ItemFactory(event=other)
    errors = errors_of(
        **VALID, event=event, condition_limit_products=[ItemFactory(event=event), foreign],
        benefit_limit_products=[foreign],
    )
    assert errors["condition_limit_products"] == [f"Product {foreign.pk} belongs to another event."]
    assert "benefit_limit_products" in errors


def test_sales_channels_of_another_organizer_are_refused(db):
    event = EventFactory()
    foreign = SalesChannelFactory(organizer=OrganizerFactory(), identifier="box")
    own = SalesChannelFactory(organizer=event.organizer, identifier="box")
    validate_discount(**VALID, event=event, limit_sales_channels=[own])
    assert "limit_sales_channels" in errors_of(**VALID, event=event, limit_sales_channels=[foreign])


def test_non_series_event_accepts_every_subevent_mode(db):
    # pretix accepts it too; the engine treats an event that is not a series as one group.
    validate_discount(**VALID, event=EventFactory(has_subevents=False), subevent_mode=SubeventMode.SAME)


def test_model_clean_uses_the_same_validation(db):
    rule = Discount(event=EventFactory(), internal_name="broken", condition_min_count=0)
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "condition_min_count" in caught.value.message_dict
    DiscountFactory.build(event=rule.event).full_clean()


def test_model_defaults_are_pretix_defaults(db):
    rule = Discount(event=EventFactory(), internal_name="x")
    assert rule.active is True
    assert rule.position == 0
    assert rule.all_sales_channels is True
    assert rule.subevent_mode == SubeventMode.MIXED
    assert (rule.condition_all_products, rule.condition_apply_to_addons) == (True, True)
    assert rule.condition_ignore_voucher_discounted is False
    assert (rule.condition_min_count, rule.condition_min_value) == (0, Decimal("0.00"))
    assert (rule.benefit_same_products, rule.benefit_apply_to_addons) == (True, True)
    assert rule.benefit_ignore_voucher_discounted is False
    assert rule.benefit_discount_matching_percent == Decimal("0.00")
    assert rule.benefit_only_apply_to_cheapest_n_matches is None


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"benefit_discount_matching_percent": Decimal("100.50")}, id="percent over 100"),
        pytest.param({"benefit_discount_matching_percent": Decimal("-0.01")}, id="negative percent"),
        pytest.param({"condition_min_count": 2, "condition_min_value": Decimal("1")}, id="both minimums"),
        pytest.param({"condition_min_count": 0}, id="neither minimum"),
        pytest.param({"benefit_only_apply_to_cheapest_n_matches": 0}, id="cheapest 0"),
        pytest.param({"available_from": T0, "available_until": T0 - timedelta(days=1)}, id="window"),
    ],
)
def test_database_refuses_what_validation_refuses(db, change):
    rule = DiscountFactory()
    for name, value in change.items():
        setattr(rule, name, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        rule.save()

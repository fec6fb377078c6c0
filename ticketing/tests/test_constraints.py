"""The database refuses what validation refuses: check constraints of events, dates, items and quotas.

Each row is written directly (``QuerySet.update``, no validation): a value past the limit raises
``IntegrityError`` naming the constraint, the value at the limit is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.tests.constraints import assert_refused_past_limit
from ticketing.models import SubEventItem, SubEventItemVariation
from ticketing.tests.factories import (
    EventFactory,
    ItemBundleFactory,
    ItemFactory,
    ItemVariationFactory,
    QuotaFactory,
    SubEventFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
EARLIER = T0 - timedelta(seconds=1)


def item_override():
    subevent = SubEventFactory()
    return SubEventItem.objects.create(
        subevent=subevent, item=ItemFactory(event=subevent.event), price=D("10.00")
    )


def variation_override():
    subevent = SubEventFactory()
    variation = ItemVariationFactory(item__event=subevent.event)
    return SubEventItemVariation.objects.create(subevent=subevent, variation=variation, price=D("10.00"))


def event_at_t0():
    return EventFactory(date_from=T0)


def subevent_at_t0():
    return SubEventFactory(date_from=T0)


CASES = [
    # (make the row, constraint, refused values, allowed values at the limit)
    (event_at_t0, "event_date_window", {"date_to": EARLIER}, {"date_to": T0}),
    (
        EventFactory,
        "event_presale_window",
        {"presale_start": T0, "presale_end": EARLIER},
        {"presale_start": T0, "presale_end": T0},
    ),
    (subevent_at_t0, "subevent_date_window", {"date_to": EARLIER}, {"date_to": T0}),
    (
        SubEventFactory,
        "subevent_presale_window",
        {"presale_start": T0, "presale_end": EARLIER},
        {"presale_start": T0, "presale_end": T0},
    ),
    (item_override, "subevent_item_price_ge_0", {"price": D("-0.01")}, {"price": D("0")}),
    (variation_override, "subevent_variation_price_ge_0", {"price": D("-0.01")}, {"price": D("0")}),
    (ItemFactory, "item_price_ge_0", {"default_price": D("-0.001")}, {"default_price": D("0")}),
    (
        ItemFactory,
        "item_min_le_max_per_order",
        {"min_per_order": 3, "max_per_order": 2},
        {"min_per_order": 2, "max_per_order": 2},
    ),
    (
        ItemFactory,
        "item_available_window",
        {"available_from": T0, "available_until": EARLIER},
        {"available_from": T0, "available_until": T0},
    ),
    (ItemVariationFactory, "variation_price_ge_0", {"default_price": D("-0.01")}, {"default_price": D("0")}),
    (
        ItemBundleFactory,
        "bundle_designated_price_ge_0",
        {"designated_price": D("-0.01")},
        {"designated_price": 0},
    ),
]


@pytest.mark.parametrize(("make", "constraint", "bad", "limit"), CASES, ids=[c[1] for c in CASES])
def test_the_database_refuses_a_value_past_the_limit_and_stores_the_limit(make, constraint, bad, limit):
    assert_refused_past_limit(make(), constraint, bad, limit)


@pytest.mark.parametrize(
    ("make", "open_ended"),
    [
        (EventFactory, {"date_to": None, "presale_start": T0, "presale_end": None}),
        (SubEventFactory, {"date_to": None, "presale_start": None, "presale_end": T0}),
        (ItemFactory, {"min_per_order": 5, "max_per_order": None, "available_from": None}),
        (ItemVariationFactory, {"default_price": None}),
    ],
    ids=["event", "subevent", "item", "variation"],
)
def test_an_empty_end_leaves_the_range_open(make, open_ended):
    row = make()
    type(row).objects.filter(pk=row.pk).update(**open_ended)


@pytest.mark.parametrize(
    ("make", "field"),
    [(QuotaFactory, "size"), (ItemFactory, "max_per_order"), (ItemBundleFactory, "count")],
    ids=["quota size", "item max_per_order", "bundle count"],
)
def test_counts_are_never_negative(make, field):
    """Positive integer fields carry their own column check (``>= 0``) on both databases."""
    row = make()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(**{field: -1})


def test_a_quota_of_size_zero_or_unlimited_is_stored():
    quota = QuotaFactory()
    for size in (0, None):
        type(quota).objects.filter(pk=quota.pk).update(size=size)
        quota.refresh_from_db()
        assert quota.size == size


@pytest.mark.parametrize("make", [item_override, variation_override], ids=["item", "variation"])
def test_model_validation_reports_a_negative_date_price_as_a_form_error(make):
    """A price override has no validation function of its own: the admin's form shows the constraint's
    message (``Model.full_clean`` validates constraints) instead of failing on save."""
    override = make()
    override.price = D("-1")
    with pytest.raises(ValidationError) as info:
        override.full_clean()
    assert info.value.messages == ["The price cannot be negative."]

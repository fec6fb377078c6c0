"""The one table of currencies: ISO 4217 as published on 2026-01-01 (the ``iso4217`` package)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from ticketing.checks import events_in_withdrawn_currencies
from ticketing.currency import ISO_4217, ISO_4217_PUBLISHED, currency_exponent, currency_places
from ticketing.tests.factories import EventFactory


@pytest.mark.parametrize(
    ("code", "places"),
    [
        ("EUR", 2), ("USD", 2), ("GBP", 2), ("CHF", 2),
        ("JPY", 0), ("KRW", 0), ("ISK", 0), ("XOF", 0), ("VND", 0),
        ("KWD", 3), ("BHD", 3), ("IQD", 3), ("JOD", 3), ("OMR", 3), ("TND", 3), ("LYD", 3),
        ("CLF", 4), ("UYW", 4),
        # new in the standard: the Zimbabwe Gold (2024) and the Caribbean guilder (2025)
        ("ZWG", 2), ("XCG", 2),
        ("SLE", 2), ("VES", 2), ("VED", 2),
    ],
)  # fmt: skip
def test_minor_units_of_the_standard(code, places):
    assert currency_places(code) == places
    assert currency_exponent(code) == Decimal(1).scaleb(-places)


@pytest.mark.parametrize(
    "code",
    [
        "ZWL", "ANG",  # withdrawn: replaced by ZWG and XCG
        "SLL", "HRK",  # withdrawn: replaced by SLE, and the euro
        "XAU", "XXX", "XDR",  # in ISO 4217 but not money with minor units
        "XYZ", "eur",
    ],
)  # fmt: skip
def test_codes_that_are_not_a_currency_an_event_can_use(code):
    assert code not in ISO_4217
    with pytest.raises(KeyError):
        currency_places(code)


def test_the_table_is_the_current_publication():
    assert str(ISO_4217_PUBLISHED) >= "2026-01-01"
    assert 150 < len(ISO_4217) < 200


@pytest.mark.django_db
def test_migrate_warns_about_events_whose_currency_left_the_standard():
    EventFactory(currency="EUR")
    assert events_in_withdrawn_currencies(databases=["default"]) == []
    EventFactory(currency="ANG")  # stored before ANG was withdrawn (the ORM does not validate)
    EventFactory(currency="ZWL")
    [warning] = events_in_withdrawn_currencies(databases=["default"])
    assert warning.id == "ticketing.W001"
    assert warning.msg == "Events use currencies that are no longer in ISO 4217: ANG, ZWL."
    assert "ANG -> XCG" in warning.hint
    assert events_in_withdrawn_currencies(databases=None) == []  # a plain `check` runs no query

    out = io.StringIO()
    call_command("check", "--database", "default", stdout=out, stderr=out)
    assert "ticketing.W001" in out.getvalue()

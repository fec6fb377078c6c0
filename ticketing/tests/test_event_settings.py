"""An event's settings (payment terms) below the API: the selector, the update service, the shared
validation and the database constraints. The API's tests are in api/test_event_settings.py."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from core.tests.constraints import assert_refused_past_limit
from ticketing.models import EventSettings
from ticketing.payment_terms import LastPaymentDate, PaymentTermMode, PaymentTerms
from ticketing.selectors import event_payment_terms, event_settings_of
from ticketing.services import event_settings_update
from ticketing.tests.factories import EventFactory, EventSettingsFactory

pytestmark = pytest.mark.django_db


def test_an_event_without_settings_has_pretixs_defaults_in_one_query(event, django_assert_num_queries):
    with django_assert_num_queries(1):
        terms = event_payment_terms(event)
    assert terms == PaymentTerms(
        mode=PaymentTermMode.DAYS, days=14, weekdays=True, minutes=30, last=None,
        expire_automatically=True, accept_late=True,
    )  # fmt: skip
    assert not EventSettings.objects.exists()


def test_the_terms_of_an_event_are_its_own_in_one_query(event, django_assert_num_queries):
    EventSettingsFactory(event=EventFactory(organizer=event.organizer, slug="other"), payment_term_days=2)
    EventSettingsFactory(
        event=event, payment_term_mode="minutes", payment_term_minutes=20, payment_term_weekdays=False,
        payment_term_last_days_before=2, payment_term_expire_automatically=False,
        payment_term_accept_late=False,
    )  # fmt: skip
    with django_assert_num_queries(1):
        terms = event_payment_terms(event)
    assert terms == PaymentTerms(
        mode=PaymentTermMode.MINUTES, days=14, weekdays=False, minutes=20,
        last=LastPaymentDate(days_before=2), expire_automatically=False, accept_late=False,
    )  # fmt: skip


def test_the_first_change_makes_the_row_and_keeps_the_other_defaults(event):
    settings = event_settings_update(event=event, changes={"payment_term_days": 3})
    stored = EventSettings.objects.get(event=event)
    assert settings.pk == stored.pk == event.pk
    assert (stored.payment_term_days, stored.payment_term_mode) == (3, "days")
    assert stored.payment_term_minutes == 30
    assert stored.payment_term_weekdays is True
    assert stored.payment_term_last is None


def test_a_later_change_changes_only_what_it_names(event):
    EventSettingsFactory(event=event, payment_term_days=3, payment_term_weekdays=False)
    event_settings_update(event=event, changes={"payment_term_mode": "minutes", "payment_term_minutes": 15})
    stored = EventSettings.objects.get(event=event)
    assert (stored.payment_term_mode, stored.payment_term_minutes) == ("minutes", 15)
    assert (stored.payment_term_days, stored.payment_term_weekdays) == (3, False)
    assert EventSettings.objects.count() == 1


def test_the_last_date_is_one_value_of_two_columns(event):
    last = LastPaymentDate(absolute=date(2030, 5, 1))
    event_settings_update(event=event, changes={"payment_term_last": last})
    stored = EventSettings.objects.get(event=event)
    assert (stored.payment_term_last_date, stored.payment_term_last_days_before) == (date(2030, 5, 1), None)
    event_settings_update(event=event, changes={"payment_term_last": LastPaymentDate(days_before=4)})
    stored.refresh_from_db()
    assert (stored.payment_term_last_date, stored.payment_term_last_days_before) == (None, 4)
    event_settings_update(event=event, changes={"payment_term_last": None})
    stored.refresh_from_db()
    assert (stored.payment_term_last_date, stored.payment_term_last_days_before) == (None, None)


def test_no_change_makes_no_row(event):
    settings = event_settings_update(event=event, changes={})
    assert settings.payment_term_days == 14
    assert not EventSettings.objects.exists()


def test_a_key_that_is_not_a_setting_is_a_programming_error(event):
    with pytest.raises(ValueError, match="Not an event setting: invoice_address_asked, timezone."):
        event_settings_update(event=event, changes={"timezone": "UTC", "invoice_address_asked": True})
    assert not EventSettings.objects.exists()


REFUSED = [
    ({"payment_term_mode": "weeks"}, "payment_term_mode",
     "'weeks' is not a payment term mode (days or minutes)."),
    ({"payment_term_days": -1}, "payment_term_days", "Must be between 0 and 3650."),
    ({"payment_term_days": 3651}, "payment_term_days", "Must be between 0 and 3650."),
    ({"payment_term_minutes": -1}, "payment_term_minutes", "Must be between 0 and 1440."),
    ({"payment_term_minutes": 1441}, "payment_term_minutes", "Must be between 0 and 1440."),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "field", "message"), REFUSED)
def test_the_service_refuses_what_validation_refuses_and_writes_nothing(event, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        event_settings_update(event=event, changes=changes)
    assert refused.value.message_dict == {field: [message]}
    assert not EventSettings.objects.exists()


def test_a_refused_change_leaves_the_stored_settings_as_they_were(event):
    EventSettingsFactory(event=event, payment_term_days=3)
    with pytest.raises(ValidationError):
        event_settings_update(event=event, changes={"payment_term_minutes": 5, "payment_term_days": 9999})
    stored = EventSettings.objects.get(event=event)
    assert (stored.payment_term_days, stored.payment_term_minutes) == (3, 30)


def test_the_model_runs_the_same_validation(event):
    settings = EventSettings(
        event=event, payment_term_days=4000, payment_term_last_date=date(2030, 1, 1),
        payment_term_last_days_before=3,
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        settings.full_clean()
    assert refused.value.message_dict == {
        "payment_term_days": ["Must be between 0 and 3650."],
        "payment_term_last_days_before": [
            "The last date of payments is either a date or a number of days before the start, not both."
        ],
    }


def test_the_selector_gives_an_unsaved_row_of_defaults_for_the_api(event):
    settings = event_settings_of(event)
    assert settings._state.adding and settings.event is event
    assert settings.payment_terms() == PaymentTerms()


def test_changes_are_in_the_audit_log_as_the_events_settings(event):
    event_settings_update(event=event, changes={"payment_term_days": 3})
    event_settings_update(event=event, changes={"payment_term_days": 5, "payment_term_weekdays": True})
    created, changed = AuditEntry.objects.filter(object_type="event_settings").order_by("id")
    assert (created.action, created.object_id, created.event_id) == ("created", str(event.pk), event.pk)
    assert created.organizer_id == event.organizer_id
    assert created.changes["payment_term_days"] == [None, 3]
    assert (changed.action, changed.changes) == ("changed", {"payment_term_days": [3, 5]})


CONSTRAINTS = [
    ("event_settings_payment_term_mode", {"payment_term_mode": "weeks"}, {"payment_term_mode": "minutes"}),
    ("event_settings_payment_term_days", {"payment_term_days": 3651}, {"payment_term_days": 3650}),
    ("event_settings_payment_term_minutes", {"payment_term_minutes": 1441}, {"payment_term_minutes": 1440}),
    ("event_settings_payment_term_last_days", {"payment_term_last_days_before": 3651},
     {"payment_term_last_days_before": 3650}),
    ("event_settings_one_last_date",
     {"payment_term_last_date": date(2030, 1, 1), "payment_term_last_days_before": 1},
     {"payment_term_last_date": date(2030, 1, 1), "payment_term_last_days_before": None}),
]  # fmt: skip


@pytest.mark.parametrize(("constraint", "bad", "limit"), CONSTRAINTS, ids=[c[0] for c in CONSTRAINTS])
def test_the_database_refuses_what_validation_refuses(event, constraint, bad, limit):
    assert_refused_past_limit(EventSettingsFactory(event=event), constraint, bad, limit)


def test_settings_go_with_their_event(event):
    EventSettingsFactory(event=event)
    event.delete()
    assert not EventSettings.objects.exists()

"""The event's page in the back office edits its payment terms (an inline), with the API's validation."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from ticketing.models import Event, EventSettings
from ticketing.tests.factories import EventFactory, EventSettingsFactory, OrganizerFactory, TeamFactory
from ticketing.tests.test_admin_rights import logged_in, staff

pytestmark = pytest.mark.django_db

TERMS = {
    "payment_term_mode": "days", "payment_term_days": 14, "payment_term_weekdays": "on",
    "payment_term_minutes": 30, "payment_term_last_date": "", "payment_term_last_days_before": "",
    "payment_term_expire_automatically": "on", "payment_term_accept_late": "on",
}  # fmt: skip


@pytest.fixture
def conf(db) -> Event:
    organizer = OrganizerFactory(slug="acme")
    return EventFactory(organizer=organizer, slug="conf", name="Conference", timezone="UTC")


def page(event: Event) -> str:
    return reverse("admin:ticketing_event_change", args=[event.pk])


def post(client, event: Event, terms: dict | None, *, initial: int = 0):
    """The event's page as it was shown, with the payment terms' form as given (None: left out)."""
    data = {
        "name": event.name, "currency": event.currency, "live": "on", "timezone": event.timezone,
        "date_from_0": event.date_from.strftime("%Y-%m-%d"),
        "date_from_1": event.date_from.strftime("%H:%M:%S"),
        "quotas-TOTAL_FORMS": 0, "quotas-INITIAL_FORMS": 0, "quotas-MIN_NUM_FORMS": 0,
        "quotas-MAX_NUM_FORMS": 1000,
        "settings-TOTAL_FORMS": 1, "settings-INITIAL_FORMS": initial, "settings-MIN_NUM_FORMS": 0,
        "settings-MAX_NUM_FORMS": 1, "settings-0-event": event.pk,
    }  # fmt: skip
    data |= {f"settings-0-{name}": value for name, value in (terms or TERMS).items()}
    return client.post(page(event), data)


def inline_errors(response) -> list:
    [settings] = [f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "settings"]
    return settings.formset.errors


def test_the_page_shows_the_defaults_of_an_event_never_changed(admin_client, conf):
    response = admin_client.get(page(conf))
    assert response.status_code == 200
    [settings] = [f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "settings"]
    form = settings.formset.forms[0]
    assert (form["payment_term_days"].value(), form["payment_term_mode"].value()) == (14, "days")


def test_saving_the_page_unchanged_makes_no_row(admin_client, conf):
    assert post(admin_client, conf, TERMS).status_code == 302
    assert not EventSettings.objects.exists()


def test_staff_change_the_payment_terms_on_the_events_page(admin_client, conf):
    terms = {
        **TERMS, "payment_term_days": 5, "payment_term_last_days_before": 2, "payment_term_accept_late": "",
    }  # fmt: skip
    assert post(admin_client, conf, terms).status_code == 302
    row = EventSettings.objects.get(event=conf)
    assert (row.payment_term_days, row.payment_term_last_days_before, row.payment_term_accept_late) == (
        5, 2, False,
    )  # fmt: skip
    assert AuditEntry.objects.filter(object_type="event_settings", source="admin").count() == 1


def test_a_stored_row_is_changed_in_place(admin_client, conf):
    EventSettingsFactory(event=conf, payment_term_days=5)
    terms = {**TERMS, "payment_term_days": 7, "payment_term_last_date": "2030-05-01"}
    assert post(admin_client, conf, terms, initial=1).status_code == 302
    row = EventSettings.objects.get(event=conf)
    assert (row.payment_term_days, row.payment_term_last_date) == (7, date(2030, 5, 1))


REFUSED = [
    ({"payment_term_days": 3651}, {"payment_term_days": ["Must be between 0 and 3650."]}),
    ({"payment_term_minutes": 1441}, {"payment_term_minutes": ["Must be between 0 and 1440."]}),
    ({"payment_term_days": -1}, {"payment_term_days": ["Ensure this value is greater than or equal to 0."]}),
    ({"payment_term_mode": "weeks"},
     {"payment_term_mode": ["Select a valid choice. weeks is not one of the available choices."]}),
    ({"payment_term_last_date": "2030-05-01", "payment_term_last_days_before": 3},
     {"payment_term_last_days_before": [
         "The last date of payments is either a date or a number of days before the start, not both."]}),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "errors"), REFUSED, ids=[next(iter(c)) for c, _ in REFUSED])
def test_the_page_refuses_what_the_api_refuses(admin_client, conf, changes, errors):
    response = post(admin_client, conf, {**TERMS, **changes})
    assert response.status_code == 200
    assert inline_errors(response) == [errors]
    assert not EventSettings.objects.exists()


def test_a_team_without_the_event_settings_right_sees_them_read_only(conf):
    user = staff("clerk")
    TeamFactory(organizer=conf.organizer, all_events=True, can_change_items=True, members=[user])
    client = logged_in(user)
    response = client.get(page(conf))
    assert response.status_code == 200
    [settings] = [f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "settings"]
    assert not settings.has_change_permission and not settings.has_add_permission

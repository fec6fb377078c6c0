"""Event settings API: /api/v1/organizers/<o>/events/<e>/settings/ (pretix's payment terms)."""

from __future__ import annotations

from datetime import date

import pytest

from audit.models import AuditEntry
from ticketing.api.scoping import EVENT_FORBIDDEN
from ticketing.models import EventSettings
from ticketing.tests.api.helpers import (
    assert_foreign_organizer_is_like_a_missing_one,
    assert_hidden_event_is_like_a_missing_one,
)
from ticketing.tests.factories import EventFactory, EventSettingsFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/organizers/demo-org/events/conf/settings/"
DEFAULTS = {
    "payment_term_mode": "days",
    "payment_term_days": 14,
    "payment_term_weekdays": True,
    "payment_term_minutes": 30,
    "payment_term_last": None,
    "payment_term_expire_automatically": True,
    "payment_term_accept_late": True,
}
SUPPORTED = (
    "This setting is not supported; the supported ones are payment_term_mode, payment_term_days, "
    "payment_term_weekdays, payment_term_minutes, payment_term_last, payment_term_expire_automatically, "
    "payment_term_accept_late."
)


def stored(event) -> EventSettings:
    return EventSettings.objects.get(event=event)


def test_an_event_never_changed_reads_pretixs_defaults(api, event):
    response = api.get(URL)
    assert response.status_code == 200
    assert response.json() == DEFAULTS
    assert not EventSettings.objects.exists()


def test_stored_settings_are_read_back(api, event):
    EventSettingsFactory(event=event, payment_term_days=3, payment_term_last_date=date(2030, 5, 1))
    assert api.get(URL).json() == {**DEFAULTS, "payment_term_days": 3, "payment_term_last": "2030-05-01"}


def test_patch_changes_only_the_keys_sent(api, event):
    EventSettingsFactory(event=event, payment_term_days=3, payment_term_accept_late=False)
    response = api.patch(URL, {"payment_term_mode": "minutes", "payment_term_minutes": 20}, format="json")
    assert response.status_code == 200
    expected = {
        **DEFAULTS, "payment_term_mode": "minutes", "payment_term_minutes": 20, "payment_term_days": 3,
        "payment_term_accept_late": False,
    }  # fmt: skip
    assert response.json() == expected
    assert api.get(URL).json() == expected
    assert (stored(event).payment_term_mode, stored(event).payment_term_days) == ("minutes", 3)


def test_the_first_patch_makes_the_events_row(api, event):
    response = api.patch(URL, {"payment_term_weekdays": False}, format="json")
    assert response.status_code == 200
    assert response.json() == {**DEFAULTS, "payment_term_weekdays": False}
    assert EventSettings.objects.count() == 1
    assert stored(event).payment_term_weekdays is False


def test_an_empty_patch_changes_nothing_and_makes_no_row(api, event):
    response = api.patch(URL, {}, format="json")
    assert response.status_code == 200
    assert response.json() == DEFAULTS
    assert not EventSettings.objects.exists()


LAST_DATES = [
    ("2030-05-01", "2030-05-01", date(2030, 5, 1), None),
    ("RELDATE/3/-/event__date_from/", "RELDATE/3/-/event__date_from/", None, 3),
    ("RELDATE/7/-/date_from/", "RELDATE/7/-/event__date_from/", None, 7),
]


@pytest.mark.parametrize(("sent", "read", "column_date", "column_days"), LAST_DATES)
def test_the_last_date_of_payments_in_pretixs_spelling(api, event, sent, read, column_date, column_days):
    response = api.patch(URL, {"payment_term_last": sent}, format="json")
    assert response.status_code == 200
    assert response.json()["payment_term_last"] == read
    row = stored(event)
    assert (row.payment_term_last_date, row.payment_term_last_days_before) == (column_date, column_days)


def test_null_sets_a_key_back_to_its_default(api, event):
    EventSettingsFactory(
        event=event, payment_term_days=3, payment_term_weekdays=False, payment_term_last_days_before=2
    )
    body = {"payment_term_days": None, "payment_term_weekdays": None, "payment_term_last": None}
    response = api.patch(URL, body, format="json")
    assert response.status_code == 200
    assert response.json() == DEFAULTS
    row = stored(event)
    assert (row.payment_term_days, row.payment_term_weekdays, row.payment_term_last) == (14, True, None)


REFUSED = [
    ({"payment_term_mode": "weeks"}, {"payment_term_mode": ['"weeks" is not a valid choice.']}),
    ({"payment_term_days": -1}, {"payment_term_days": ["Ensure this value is greater than or equal to 0."]}),
    ({"payment_term_days": 3651},
     {"payment_term_days": ["Ensure this value is less than or equal to 3650."]}),
    ({"payment_term_minutes": 1441},
     {"payment_term_minutes": ["Ensure this value is less than or equal to 1440."]}),
    ({"payment_term_days": "3 days"},
     {"payment_term_days": ["A number in plain digits is required, like 1000 or 10.50."]}),
    ({"payment_term_weekdays": "yes"}, {"payment_term_weekdays": ["Must be true or false."]}),
    ({"payment_term_last": "2030-02-30"}, {"payment_term_last": ["'2030-02-30' is not a valid date."]}),
    ({"payment_term_last": "in a week"},
     {"payment_term_last": ["'in a week' is neither a date (2025-06-30) nor a number of days before the "
                            "start (RELDATE/3/-/event__date_from/)."]}),
    ({"payment_term_last": "RELDATE/3/-/event__date_to/"},
     {"payment_term_last": ["Relative to 'event__date_to' is not supported: only days before the start "
                            "(event__date_from)."]}),
    ({"payment_term_last": "RELDATE/3/10:00:00/event__date_from/"},
     {"payment_term_last": ["A time of day is not supported: the last date ends at 23:59:59."]}),
    ({"payment_term_last": "RELDATE/3/-/event__date_from/after"},
     {"payment_term_last": ["Only days before the start are supported, not after."]}),
    ({"payment_term_last": "RELDATE/5000/-/event__date_from/"},
     {"payment_term_last": ["At most 3650 days before the start."]}),
    ({"payment_term_last": 20300501}, {"payment_term_last": ["A string is required."]}),
    ({"invoice_address_asked": True}, {"invoice_address_asked": [SUPPORTED]}),
    ({"payment_term_expire_delay_days": 2, "payment_term_days": -5},
     {"payment_term_expire_delay_days": [SUPPORTED],
      "payment_term_days": ["Ensure this value is greater than or equal to 0."]}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "errors"), REFUSED, ids=[f"{i}-{next(iter(body))}" for i, (body, _) in enumerate(REFUSED)]
)
def test_a_bad_value_or_an_unsupported_key_is_a_400_naming_it(api, event, body, errors):
    EventSettingsFactory(event=event, payment_term_days=3)
    response = api.patch(URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert api.get(URL).json() == {**DEFAULTS, "payment_term_days": 3}  # nothing changed


def test_a_refused_first_patch_makes_no_row(api, event):
    response = api.patch(URL, {"payment_term_minutes": 5, "payment_term_mode": "hours"}, format="json")
    assert response.status_code == 400
    assert not EventSettings.objects.exists()


def test_a_body_that_is_not_an_object_is_a_400(api, event):
    response = api.patch(URL, [{"payment_term_days": 3}], format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}


@pytest.mark.parametrize("method", ["put", "post", "delete"])
def test_there_is_no_put_post_or_delete(api, event, method):
    response = getattr(api, method)(URL, {}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_reading_needs_only_to_see_the_event(api_for, event):
    client = api_for(all_events=False, limit_events=[event])
    assert client.get(URL).status_code == 200


def test_changing_needs_can_change_event_settings_on_the_event(api_for, event):
    client = api_for(all_events=True, can_change_items=True, can_change_orders=True)
    response = client.patch(URL, {"payment_term_days": 3}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "Your team lacks the permission 'can_change_event_settings' for this event.",
    }
    assert not EventSettings.objects.exists()


def test_the_permission_counts_on_the_teams_own_events(api_for, organizer, event):
    other = EventFactory(organizer=organizer, slug="other")
    api_for(all_events=False, limit_events=[other], can_change_event_settings=True)  # another team's
    client = api_for(all_events=False, limit_events=[event], can_change_event_settings=True)
    assert client.patch(URL, {"payment_term_days": 3}, format="json").status_code == 200
    response = client.patch(URL.replace("/conf/", "/other/"), {"payment_term_days": 3}, format="json")
    assert response.status_code == 403
    assert response.json() == {"code": "permission_denied", "detail": EVENT_FORBIDDEN}
    assert list(EventSettings.objects.values_list("event__slug", flat=True)) == ["conf"]


def test_an_event_the_caller_may_not_see_is_like_a_missing_one(api_for, organizer, event):
    EventFactory(organizer=organizer, slug="hidden")
    client = api_for(all_events=False, limit_events=[event], can_change_event_settings=True)
    assert_hidden_event_is_like_a_missing_one(client, "demo-org", "settings/")


def test_another_organizers_event_is_like_a_missing_one(api, event):
    assert_foreign_organizer_is_like_a_missing_one(api, "settings/")


def test_without_credentials_it_is_a_401(anon, event):
    assert anon.get(URL).status_code == 401
    assert anon.patch(URL, {"payment_term_days": 3}, format="json").status_code == 401


def test_a_change_is_in_the_audit_log_with_its_caller(api, event):
    api.patch(URL, {"payment_term_days": 3}, format="json")
    api.patch(URL, {"payment_term_days": 3}, format="json")  # the same again changes nothing
    api.patch(URL, {"payment_term_last": "2030-05-01"}, format="json")
    entries = list(AuditEntry.objects.filter(object_type="event_settings").order_by("id"))
    assert [(e.action, e.source, e.object_id) for e in entries] == [
        ("created", "api", str(event.pk)), ("changed", "api", str(event.pk)),
    ]  # fmt: skip
    assert entries[0].changes["payment_term_days"] == [None, 3]
    assert entries[1].changes == {"payment_term_last_date": [None, "2030-05-01"]}
    logs = api.get("/api/v1/organizers/demo-org/logs/", {"object_type": "event_settings"}).json()
    assert logs["count"] == 2


def test_reading_takes_three_queries_the_token_the_event_and_its_settings(
    api, event, django_assert_num_queries
):
    EventSettingsFactory(event=event)
    with django_assert_num_queries(3):
        assert api.get(URL).status_code == 200

"""Two first changes of an event's settings at the same moment, in two processes: both are kept.

The event has no settings row yet, so neither request finds one to lock; both insert it, the second
insert waits for the first and fails on the primary key, and ``event_settings_update`` then locks the row
the first one made and applies its own change to it — a 200 for both, never a 500, and neither change
lost. Five tries, each on an event of its own. PostgreSQL only: SQLite serialises writers.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.tests.processes import at_the_same_moment
from ticketing.models import EventSettings
from ticketing.tests.factories import EventFactory, TeamFactory, make_token

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]

TRIES = 5
TOKEN: list[str] = []


def patch(body: dict):
    def request(attempt: int) -> tuple[int, object]:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {TOKEN[0]}")
        response = api.patch(
            f"/api/v1/organizers/demo-org/events/race{attempt}/settings/", body, format="json"
        )
        return response.status_code, response.json()

    return request


def test_two_first_changes_at_the_same_moment_are_both_kept(organizer):
    TOKEN[:] = [make_token(TeamFactory(organizer=organizer, all_permissions=True, all_events=True))]
    events = [EventFactory(organizer=organizer, slug=f"race{attempt}") for attempt in range(TRIES)]
    answers = at_the_same_moment(
        [patch({"payment_term_days": 3}), patch({"payment_term_minutes": 20})], TRIES
    )
    assert [[status for status, _ in pair] for pair in answers] == [[200, 200]] * TRIES
    for event in events:
        row = EventSettings.objects.get(event=event)
        assert (row.payment_term_days, row.payment_term_minutes) == (3, 20)

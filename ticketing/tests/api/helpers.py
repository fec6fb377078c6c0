"""Assertions every event-resource test module makes the same way."""

from __future__ import annotations

from rest_framework.test import APIClient

from ticketing.api.scoping import EVENT_FORBIDDEN, ORGANIZER_FORBIDDEN
from ticketing.tests.factories import EventFactory, OrganizerFactory


def assert_foreign_organizer_is_like_a_missing_one(
    client: APIClient, resource: str, body: dict | None = None, event_slug: str = "conf"
) -> None:
    """Another organizer's path answers the very 403 of a nonexistent organizer, for reads and writes.

    ``resource`` is the part after ``events/<event>/``, e.g. ``"items/"`` or ``"items/12/variations/"``.
    """
    rival = OrganizerFactory(slug="rival")
    EventFactory(organizer=rival, slug=event_slug)
    for method, data in (("get", None), ("post", body or {})):
        foreign = getattr(client, method)(f"/api/v1/organizers/rival/events/{event_slug}/{resource}", data)
        missing = getattr(client, method)(f"/api/v1/organizers/nope/events/{event_slug}/{resource}", data)
        assert foreign.status_code == missing.status_code == 403, (method, foreign.content)
        assert (
            foreign.json() == missing.json() == {"code": "permission_denied", "detail": ORGANIZER_FORBIDDEN}
        )


def assert_hidden_event_is_like_a_missing_one(client: APIClient, organizer_slug: str, resource: str) -> None:
    """An event of the caller's organizer that the caller may not see answers like one that does not exist."""
    hidden = client.get(f"/api/v1/organizers/{organizer_slug}/events/hidden/{resource}")
    missing = client.get(f"/api/v1/organizers/{organizer_slug}/events/no-such-event/{resource}")
    assert hidden.status_code == missing.status_code == 403
    assert hidden.json() == missing.json() == {"code": "permission_denied", "detail": EVENT_FORBIDDEN}

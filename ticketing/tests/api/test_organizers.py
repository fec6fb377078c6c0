"""Organizers API: /api/v1/organizers/"""

from __future__ import annotations

from ticketing.api.scoping import ORGANIZER_FORBIDDEN
from ticketing.tests.factories import OrganizerFactory, TeamFactory, UserFactory


def test_token_sees_only_its_organizer(api, organizer):
    OrganizerFactory(slug="rival")
    body = api.get("/api/v1/organizers/").json()
    assert body["count"] == 1
    assert body["results"] == [{"slug": "demo-org", "name": "Demo Org"}]
    assert api.get("/api/v1/organizers/demo-org/").json() == {"slug": "demo-org", "name": "Demo Org"}


def test_foreign_and_missing_organizer_answer_the_same_403(api, organizer):
    OrganizerFactory(slug="rival")
    foreign, missing = api.get("/api/v1/organizers/rival/"), api.get("/api/v1/organizers/nope/")
    assert foreign.status_code == missing.status_code == 403
    assert foreign.json() == missing.json() == {"code": "permission_denied", "detail": ORGANIZER_FORBIDDEN}


def test_session_user_sees_the_organizers_of_their_teams(client, organizer):
    user = UserFactory()
    TeamFactory(organizer=organizer, members=[user])
    TeamFactory(organizer=OrganizerFactory(slug="second"), members=[user])
    OrganizerFactory(slug="unrelated")
    client.force_login(user)
    slugs = [o["slug"] for o in client.get("/api/v1/organizers/").json()["results"]]
    assert slugs == ["demo-org", "second"]


def test_anonymous_is_401(anon, organizer):
    assert anon.get("/api/v1/organizers/").status_code == 401


def test_organizers_are_read_only(api, organizer):
    assert api.post("/api/v1/organizers/", {"slug": "x", "name": "X"}, format="json").status_code == 405
    assert api.delete("/api/v1/organizers/demo-org/").status_code == 405

"""Composable fixtures shared by every app's tests.

- ``organizer``, ``event``: a plain organizer and a single-date event in EUR.
- ``team``: a team of the organizer with access to all events and every permission.
- ``api``: an API client authenticated with that team's token.
- ``api_for(**team_kwargs)``: a client whose token belongs to a team configured as given.
- ``anon``: an unauthenticated client.
"""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from ticketing.tests.factories import EventFactory, OrganizerFactory, TeamFactory, make_token


@pytest.fixture
def organizer(db):
    return OrganizerFactory(slug="demo-org", name="Demo Org")


@pytest.fixture
def event(organizer):
    return EventFactory(organizer=organizer, slug="conf", name="Conference")


@pytest.fixture
def team(organizer):
    return TeamFactory(organizer=organizer, all_permissions=True, all_events=True)


def token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def api(team) -> APIClient:
    return token_client(make_token(team))


@pytest.fixture
def api_for(organizer):
    def factory(**team_kwargs) -> APIClient:
        team_kwargs.setdefault("organizer", organizer)
        return token_client(make_token(TeamFactory(**team_kwargs)))

    return factory


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgresql_only`` (concurrency with real row locks) only make sense on PostgreSQL.

    On SQLite they are deselected, and the summary says so, rather than skipped:
    .ci/run's PostgreSQL pass runs every one of them.
    """
    if connection.vendor == "postgresql":
        return
    kept, left_out = [], []
    for item in items:
        (left_out if item.get_closest_marker("postgresql_only") else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
        config._postgresql_only_left_out = len(left_out)


def pytest_terminal_summary(terminalreporter, config):
    left_out = getattr(config, "_postgresql_only_left_out", 0)
    if left_out:
        terminalreporter.write_line(
            f"{left_out} PostgreSQL-only tests (concurrency) left out on {connection.vendor}: "
            "run them with DATABASE_URL=postgres://... (CI does)."
        )

"""``manage.py create_token``: prints a token that authenticates as the team."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient


def test_prints_a_working_token(team, event):
    out = io.StringIO()
    call_command("create_token", team.organizer.slug, team.name, "--name", "ci", stdout=out)
    raw = out.getvalue().strip().removeprefix("API token: ")
    assert team.tokens.get(name="ci").prefix == raw[:8]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get(f"/api/v1/organizers/{team.organizer.slug}/events/").json()["count"] == 1


def test_unknown_team_is_an_error(organizer):
    with pytest.raises(CommandError, match="No team 'Nobody' in organizer 'demo-org'"):
        call_command("create_token", organizer.slug, "Nobody")

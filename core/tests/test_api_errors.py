"""Errors raised around DRF's views answer JSON under /api/, with DEBUG on or off."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_url_is_a_json_404(debug):
    with override_settings(DEBUG=debug):
        response = Client().get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "There is no such resource."}


def test_a_missing_trailing_slash_still_redirects(organizer):
    response = Client().get("/api/v1/organizers/demo-org")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/organizers/demo-org/"


def test_a_body_over_the_upload_limit_is_a_json_413(api, event, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"email": "a@example.com", "positions": [{"item": 1}] * 200})
    response = api.post(
        "/api/v1/organizers/demo-org/events/conf/orders/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_pages_outside_the_api_keep_django_s_answers():
    response = Client().get("/not-the-api/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("debug", [False, True])
def test_an_error_nobody_caught_is_a_json_500_that_says_nothing_was_changed(
    organizer, team, monkeypatch, debug
):
    from ticketing.api.views import OrganizerViewSet
    from ticketing.tests.factories import make_token

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(OrganizerViewSet, "retrieve", broken)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {make_token(team)}")
    with override_settings(DEBUG=debug):
        response = client.get("/api/v1/organizers/demo-org/")
    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "detail": "Something went wrong on our side; nothing was changed.",
    }


def test_drf_s_own_errors_carry_a_code_too(anon, api, event):
    unauthenticated = anon.get("/api/v1/organizers/demo-org/")
    assert unauthenticated.status_code == 401 and unauthenticated.json()["code"] == "not_authenticated"
    wrong_method = api.delete("/api/v1/organizers/demo-org/")
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"code": "method_not_allowed", "detail": 'Method "DELETE" not allowed.'}
    bad_json = api.post(
        "/api/v1/organizers/demo-org/events/conf/orders/", "{", content_type="application/json"
    )
    assert (bad_json.status_code, bad_json.json()["code"]) == (400, "parse_error")

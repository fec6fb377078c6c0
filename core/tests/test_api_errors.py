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


LENGTH_REQUIRED = {
    "code": "length_required",
    "detail": "Send the body with a Content-Length header; a chunked body is not read.",
}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_chunked_body_without_a_length_is_a_411_before_anything_reads_it(api, event, method):
    """Under WSGI a chunked body comes without CONTENT_LENGTH, and Django reads it as empty: answered
    as such it was a 400 "This field is required." for a body that had the field."""
    from vouchers.models import Voucher
    from vouchers.tests.factories import VoucherFactory

    voucher = VoucherFactory(event=event)
    url = "/api/v1/organizers/demo-org/events/conf/vouchers/" + ("" if method == "POST" else f"{voucher.pk}/")
    response = api.generic(method, url, HTTP_TRANSFER_ENCODING="chunked", content_type="application/json")
    assert (response.status_code, response.json()) == (411, LENGTH_REQUIRED)
    assert Voucher.objects.count() == 1


def test_a_body_with_its_length_is_read_whatever_transfer_encoding_says(api, event):
    """A server that de-chunks a body and gives its length (the proxy does) is served as usual."""
    body = json.dumps({"code": "CHUNKED-1", "max_usages": 3})
    response = api.generic(
        "POST", "/api/v1/organizers/demo-org/events/conf/vouchers/", body,
        content_type="application/json", HTTP_TRANSFER_ENCODING="chunked",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert (response.json()["code"], response.json()["max_usages"]) == ("CHUNKED-1", 3)


def test_a_chunked_body_outside_the_api_is_a_plain_411():
    response = Client().generic("POST", "/admin/login/", HTTP_TRANSFER_ENCODING="chunked")
    assert (response.status_code, response["Content-Type"]) == (411, "text/plain; charset=utf-8")
    assert response.content == LENGTH_REQUIRED["detail"].encode()


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

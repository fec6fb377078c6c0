"""What gunicorn itself hands the app, through ``scripts/entrypoint web``: a chunked body comes without a
length (a 411, not a body read as empty), and a foreign ``Host`` is one WARNING line in the log.

No database is needed: both answers come before anything looks at one. nginx in front of the same
server: ``test_proxy.py``.
"""

from __future__ import annotations

import json

import pytest

from config.tests.serving import chunked, exchange, gunicorn, request

PREVIEW = "/api/v1/organizers/demo/events/conference/price-preview/"
BODY = (b'{"positions": [{"item": 1}], ', b'"codes": []}')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with gunicorn(tmp_path_factory.mktemp("served"), LOG_FORMAT="json", LOG_LEVEL="WARNING") as served:
        yield served


def log_lines(server) -> list[dict]:
    return [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]


def test_a_chunked_body_is_a_411_from_gunicorn_not_a_body_read_as_empty(server):
    headers = {"Host": "localhost", "Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    answer = exchange(server.port, request("POST", PREVIEW, headers, chunked(*BODY)))
    assert (answer.status, answer.headers["content-type"], json.loads(answer.body)) == (
        411,
        "application/json",
        {
            "code": "length_required",
            "detail": "Send the body with a Content-Length header; a chunked body is not read.",
        },
    )


def test_a_foreign_host_is_a_400_and_one_warning_line(server):
    headers = {"Host": "evil.example", "X-Request-ID": "scan-served-1"}
    answer = exchange(server.port, request("GET", "/api/v1/organizers/", headers))
    assert (answer.status, json.loads(answer.body)) == (400, {"code": "bad_request", "detail": "Bad Request"})
    lines = [line for line in log_lines(server) if line["request_id"] == "scan-served-1"]
    assert [{k: v for k, v in line.items() if k != "time"} for line in lines] == [
        {
            "level": "WARNING",
            "logger": "django.security.DisallowedHost",
            "message": "Invalid HTTP_HOST header: 'evil.example'. "
            "You may need to add 'evil.example' to ALLOWED_HOSTS.",
            "request_id": "scan-served-1",
            "status_code": 400,
        }
    ]
    assert "Traceback" not in server.output()

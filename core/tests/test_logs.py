"""Request ids (``X-Request-ID`` in and out) and the log lines: one JSON object a line carrying the id,
an access line per request, and the ``text`` format for people."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client

from core.logs import JsonFormatter, TextFormatter
from core.requestid import bound_request_id

ROOT = Path(__file__).resolve().parents[2]
HEX32 = re.compile(r"^[0-9a-f]{32}$")


class Lines:
    """What a handler with a formatter wrote, line by line."""

    def __init__(self, formatter: logging.Formatter) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(formatter)

    def text(self) -> list[str]:
        return self.stream.getvalue().splitlines()

    def json(self) -> list[dict]:
        return [json.loads(line) for line in self.text()]


@pytest.fixture
def captured():
    """Every record from INFO up, formatted by ``JsonFormatter``, as the root's handler would."""
    lines = Lines(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(lines.handler)
    root.setLevel(logging.INFO)
    yield lines
    root.removeHandler(lines.handler)
    root.setLevel(level)


def one_line(lines: Lines, logger: logging.Logger, *args, **kwargs) -> dict:
    logger.addHandler(lines.handler)
    try:
        logger.warning(*args, **kwargs)
    finally:
        logger.removeHandler(lines.handler)
    (line,) = lines.json()
    return line


def test_a_json_line_has_the_fields_and_the_bound_request_id():
    lines = Lines(JsonFormatter())
    logger = logging.getLogger("ticketshop.test.json")
    with bound_request_id("req-42"):
        line = one_line(lines, logger, "sold %s of %s", 3, "ticket", extra={"event": "conf", "quantity": 3})
    assert set(line) == {"time", "level", "logger", "message", "request_id", "event", "quantity"}
    assert line["level"] == "WARNING"
    assert line["logger"] == "ticketshop.test.json"
    assert line["message"] == "sold 3 of ticket"
    assert line["request_id"] == "req-42"
    assert (line["event"], line["quantity"]) == ("conf", 3)
    logged = datetime.fromisoformat(line["time"])
    assert logged.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - logged).total_seconds()) < 60


def test_outside_a_request_the_request_id_is_null():
    line = one_line(Lines(JsonFormatter()), logging.getLogger("ticketshop.test.null"), "idle")
    assert line["request_id"] is None
    assert line["message"] == "idle"


def test_an_exception_is_in_the_line_and_the_line_stays_one_line():
    lines = Lines(JsonFormatter())
    logger = logging.getLogger("ticketshop.test.exc")
    logger.addHandler(lines.handler)
    try:
        try:
            raise ValueError("bad\nvalue")
        except ValueError:
            logger.exception("failed\non two lines", extra={"thing": object()})
    finally:
        logger.removeHandler(lines.handler)
    (text,) = lines.text()
    line = json.loads(text)
    assert line["level"] == "ERROR"
    assert line["message"] == "failed\non two lines"
    assert line["exc_info"].startswith("Traceback (most recent call last):")
    assert "ValueError: bad\nvalue" in line["exc_info"]
    assert line["thing"].startswith("<object object at ")  # not JSON: written as its str()


def test_the_text_format_shows_the_request_id_or_a_dash():
    lines = Lines(TextFormatter())
    logger = logging.getLogger("ticketshop.test.text")
    logger.addHandler(lines.handler)
    try:
        with bound_request_id("req-7"):
            logger.warning("inside")
        logger.warning("outside")
    finally:
        logger.removeHandler(lines.handler)
    inside, outside = lines.text()
    assert re.match(
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 WARNING ticketshop\.test\.text \[req-7\] inside$",
        inside,
    )
    assert outside.endswith(" WARNING ticketshop.test.text [-] outside")


# A foreign Host header: the client's mistake, one WARNING line

FOREIGN_HOST_MESSAGE = (
    "Invalid HTTP_HOST header: 'evil.example'. You may need to add 'evil.example' to ALLOWED_HOSTS."
)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/healthz", "text/html; charset=utf-8"), ("/api/v1/organizers/", "application/json")],
)
def test_a_foreign_host_is_a_400_logged_as_one_warning_without_traceback(caplog, path, content_type):
    with caplog.at_level(logging.INFO):
        response = Client(headers={"Host": "evil.example"}).get(path)
    assert (response.status_code, response["Content-Type"]) == (400, content_type)
    (record,) = [r for r in caplog.records if r.levelno >= logging.WARNING]  # no second "Bad Request" line
    assert (record.name, record.levelname) == ("django.security.DisallowedHost", "WARNING")
    assert record.getMessage() == FOREIGN_HOST_MESSAGE
    assert (record.exc_info, record.exc_text, record.stack_info) == (None, None, None)


def test_a_foreign_host_writes_one_json_line(captured):
    response = Client(headers={"Host": "evil.example"}).get("/healthz", headers={"X-Request-ID": "scan-1"})
    assert response.status_code == 400
    (line,) = [line for line in captured.json() if line["logger"] == "django.security.DisallowedHost"]
    assert line == {
        "time": line["time"],
        "level": "WARNING",
        "logger": "django.security.DisallowedHost",
        "message": FOREIGN_HOST_MESSAGE,
        "request_id": "scan-1",
        "status_code": 400,
    }
    assert len(captured.text()) == len(captured.json())  # each line is one JSON object


# X-Request-ID


def test_a_sent_request_id_is_echoed():
    response = Client().get("/healthz", headers={"X-Request-ID": "lb-1234.abc"})
    assert response["X-Request-ID"] == "lb-1234.abc"


@pytest.mark.parametrize("sent", [None, "", "has space", "x" * 129, "<script>"])
def test_a_missing_or_malformed_request_id_is_replaced_by_a_new_one(sent):
    headers = {} if sent is None else {"X-Request-ID": sent}
    first = Client().get("/healthz", headers=headers)["X-Request-ID"]
    second = Client().get("/healthz", headers=headers)["X-Request-ID"]
    assert HEX32.match(first) and HEX32.match(second)
    assert first != second


@pytest.mark.django_db
def test_the_request_id_is_on_an_api_404_made_by_the_middleware(anon):
    response = anon.get("/api/v1/no-such-thing/", headers={"X-Request-ID": "r-404"})
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "There is no such resource."}
    assert response["X-Request-ID"] == "r-404"


@pytest.mark.django_db
def test_the_request_id_is_on_a_400_of_the_nul_middleware_and_of_a_view(api, event):
    nul = api.get("/api/v1/organizers/demo-org/events/?search=a%00b", headers={"X-Request-ID": "r-nul"})
    assert nul.status_code == 400
    assert nul["X-Request-ID"] == "r-nul"
    invalid = api.post(
        "/api/v1/organizers/demo-org/events/conf/orders/",
        {"email": "not an address", "positions": []},
        format="json",
        headers={"X-Request-ID": "r-400"},
    )
    assert invalid.status_code == 400
    assert "email" in invalid.json()
    assert invalid["X-Request-ID"] == "r-400"


@pytest.mark.django_db
def test_the_request_id_is_on_a_500_made_by_the_middleware(api):
    client = api
    client.raise_request_exception = False
    with mock.patch(
        "core.pagination.PageNumberPagination.paginate_queryset", side_effect=RuntimeError("boom")
    ):
        response = client.get("/api/v1/organizers/", headers={"X-Request-ID": "r-500"})
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert response["X-Request-ID"] == "r-500"


# The access log and the lines logged while serving


def test_each_request_writes_an_access_line_with_its_id_and_route(captured):
    Client().get("/healthz/", headers={"X-Request-ID": "acc-1"})
    (line,) = [line for line in captured.json() if line["logger"] == "ticketshop.request"]
    assert line["level"] == "INFO"
    assert line["request_id"] == "acc-1"
    assert (line["method"], line["path"], line["route"], line["status"]) == (
        "GET",
        "/healthz/",
        "healthz",
        200,
    )
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["message"] == f"GET /healthz/ 200 {line['duration_ms']:.1f}ms"


@pytest.mark.django_db
def test_lines_logged_while_serving_carry_the_request_id(captured, anon, organizer):
    response = anon.get("/api/v1/organizers/demo-org/events/nope/items/", headers={"X-Request-ID": "warn-9"})
    assert response.status_code in (401, 403, 404)
    lines = captured.json()
    assert {line["request_id"] for line in lines} == {"warn-9"}
    django_line = next(line for line in lines if line["logger"] == "django.request")
    assert django_line["level"] == "WARNING"
    access = next(line for line in lines if line["logger"] == "ticketshop.request")
    assert access["route"] == "api/v1/organizers/<organizer_slug>/events/<event_slug>/items/"
    assert access["status"] == response.status_code


def test_a_path_with_a_line_break_stays_on_one_text_line():
    lines = Lines(TextFormatter())
    access = logging.getLogger("ticketshop.request")
    level = access.level
    access.setLevel(logging.INFO)
    access.addHandler(lines.handler)
    try:
        Client().get("/nothing%0Aforged WARNING line")
    finally:
        access.removeHandler(lines.handler)
        access.setLevel(level)
    (line,) = lines.text()
    assert "/nothing\\nforged WARNING line 404" in line


# LOG_FORMAT, through the settings as a deployment sets it

#: Django's start (``django.setup()``), or only what it does with the settings' LOGGING (much faster).
DJANGO_START = "import django; django.setup()"
SETTINGS_ONLY = (
    "import logging.config, runpy; logging.config.dictConfig(runpy.run_path('config/settings.py')['LOGGING'])"
)


def log_from_a_process(start: str = SETTINGS_ONLY, **env: str) -> subprocess.CompletedProcess:
    code = f"{start}; import logging; logging.getLogger('tp').warning('hi %s', 'you')"
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LOG_", "DJANGO_SETTINGS"))}
    environment.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_log_lines_are_json_by_default():
    done = log_from_a_process(DJANGO_START)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(x["logger"], x["level"], x["message"], x["request_id"]) for x in lines] == [
        ("tp", "WARNING", "hi you", None)
    ]


def test_log_format_text_writes_lines_for_people():
    done = log_from_a_process(LOG_FORMAT="text")
    assert done.returncode == 0, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.endswith(" WARNING tp [-] hi you")


def test_log_level_still_filters():
    done = log_from_a_process(LOG_LEVEL="ERROR")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_an_unknown_log_format_is_refused():
    done = log_from_a_process(LOG_FORMAT="xml")
    assert done.returncode != 0
    assert "LOG_FORMAT must be 'json' or 'text', not 'xml'" in done.stderr


FOREIGN_HOST_IN_A_PROCESS = (
    "import logging; from django.core.exceptions import DisallowedHost\n"
    "try:\n    raise DisallowedHost('Invalid HTTP_HOST header: x')\n"
    "except DisallowedHost as exc:\n"
    "    logging.getLogger('django.security.DisallowedHost').error(str(exc), exc_info=exc)"
)


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_the_settings_log_a_foreign_host_as_one_warning_line_in_both_formats(log_format):
    code = f"{SETTINGS_ONLY}\n{FOREIGN_HOST_IN_A_PROCESS}"
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LOG_", "DJANGO_SETTINGS"))}
    environment.update({"DEBUG": "1", "LOG_FORMAT": log_format})
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    (line,) = done.stderr.splitlines()
    if log_format == "json":
        assert {k: v for k, v in json.loads(line).items() if k != "time"} == {
            "level": "WARNING",
            "logger": "django.security.DisallowedHost",
            "message": "Invalid HTTP_HOST header: x",
            "request_id": None,
        }
    else:
        assert line.endswith(" WARNING django.security.DisallowedHost [-] Invalid HTTP_HOST header: x")


def test_at_log_level_error_a_foreign_host_is_not_logged():
    code = f"{SETTINGS_ONLY}\n{FOREIGN_HOST_IN_A_PROCESS}"
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LOG_", "DJANGO_SETTINGS"))}
    environment.update({"DEBUG": "1", "LOG_LEVEL": "ERROR"})
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr) == (0, "")

"""nginx with the shipped ``deploy/nginx.conf.template`` in front of ``scripts/entrypoint web`` (gunicorn,
2 sync workers) on the demo data, as docker-compose.yml runs them: slow clients do not starve the workers,
chunked bodies are read, and nginx's own refusals keep the API's error shape.

Marked ``proxy``: it needs nginx (Debian's ``nginx-light``), so the normal run deselects it and
``./scripts/test -m proxy`` runs it (.ci/run does, after installing nginx). Without nginx it fails,
saying what to install; it is never skipped. The figures go to the terminal.
"""

from __future__ import annotations

import json

import pytest

from config.tests.serving import (
    PREVIEW_PATH,
    SlowClients,
    chunked,
    exchange,
    free_port,
    gunicorn,
    nginx,
    poll_healthz,
    prepare_demo,
    request,
)

pytestmark = pytest.mark.proxy

#: The slow clients: 4 that send a body a byte a second (the issue's case), 2 that send their headers so.
SLOW_BODIES, SLOW_HEADERS = 4, 2
#: Seconds /healthz is polled while they send, every 0.1 s; a poll is good when it is a 200 within BOUND.
POLL_SECONDS, BOUND = 3.0, 1.0
PREVIEW = {"positions": [{"item": 1}, {"item": 1}], "codes": []}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    directory = tmp_path_factory.mktemp("proxy")
    prepare_demo(directory)
    with gunicorn(directory, workers=2) as app, nginx(app.port) as proxy:
        yield app, proxy


@pytest.fixture
def figures(capsys):
    """Writes a line of figures to the terminal, whatever pytest captures."""

    def write(line: str) -> None:
        with capsys.disabled():
            print(f"\n[slow clients] {line}")

    return write


def test_slow_clients_stall_gunicorn_alone(stack, figures):
    """Why gunicorn is never published: with its two sync workers each reading one slow body, nothing
    else is served, /healthz included."""
    app, _ = stack
    with SlowClients(app.port, SLOW_BODIES, SLOW_HEADERS):
        polls = poll_healthz(app.port, POLL_SECONDS, bound=BOUND)
    figures(f"gunicorn alone, {SLOW_BODIES} slow bodies + {SLOW_HEADERS} slow headers: {polls.figures()}")
    assert polls.good == 0
    assert len(polls.statuses) >= POLL_SECONDS / BOUND - 1
    assert poll_healthz(app.port, 0.1, bound=10).good == 1  # the slow clients gone, it serves again


def test_behind_the_proxy_slow_clients_do_not_stall_healthz(stack, figures):
    _, proxy = stack
    with SlowClients(proxy.port, SLOW_BODIES, SLOW_HEADERS) as slow:
        polls = poll_healthz(proxy.port, POLL_SECONDS, bound=BOUND)
        sent = slow.bytes_sent
    figures(f"through nginx, {SLOW_BODIES} slow bodies + {SLOW_HEADERS} slow headers: {polls.figures()}")
    assert polls.statuses == [200] * len(polls.statuses)
    assert len(polls.statuses) >= POLL_SECONDS / 0.1 / 2  # polled all along, not once
    assert sent >= (SLOW_BODIES + SLOW_HEADERS) * POLL_SECONDS  # they kept sending meanwhile


def preview_request(headers: dict[str, str], body: bytes) -> bytes:
    return request(
        "POST", PREVIEW_PATH, {"Host": "localhost", "Content-Type": "application/json", **headers}, body
    )


def test_a_chunked_body_is_read_through_the_proxy_and_a_411_without_it(stack):
    app, proxy = stack
    body = json.dumps(PREVIEW).encode()
    whole = exchange(proxy.port, preview_request({"Content-Length": str(len(body))}, body))
    assert whole.status == 200, whole.body
    pieces = chunked(body[:10], body[10:])
    through_proxy = exchange(proxy.port, preview_request({"Transfer-Encoding": "chunked"}, pieces))
    assert (through_proxy.status, json.loads(through_proxy.body)) == (200, json.loads(whole.body))
    assert [p["item"] for p in json.loads(through_proxy.body)["positions"]] == [1, 1]
    direct = exchange(app.port, preview_request({"Transfer-Encoding": "chunked"}, pieces))
    assert (direct.status, json.loads(direct.body)["code"]) == (411, "length_required")


def test_a_body_over_the_proxy_s_limit_is_a_json_413(stack):
    _, proxy = stack
    answer = exchange(proxy.port, preview_request({"Content-Length": str(22 * 1024 * 1024)}, b"{"))
    assert (answer.status, answer.headers["content-type"], json.loads(answer.body)) == (
        413,
        "application/json",
        {"code": "too_large", "detail": "The request body is too large."},
    )


def test_an_app_server_that_does_not_answer_is_a_json_503_from_the_proxy():
    with nginx(free_port()) as proxy:  # nothing listens there
        answer = exchange(proxy.port, request("GET", "/api/v1/organizers/", {"Host": "localhost"}))
    assert (answer.status, answer.headers["retry-after"], json.loads(answer.body)) == (
        503,
        "5",
        {"code": "unavailable", "detail": "The service did not answer; please retry."},
    )

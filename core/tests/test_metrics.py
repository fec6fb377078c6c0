"""``/metrics``: its token, and what the scraper reads after requests, checkouts, refusals, lock waits
and jobs. Metrics are process-wide, so each test compares a sample before and after."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, transaction
from django.test import Client, override_settings
from prometheus_client.parser import text_string_to_metric_families

from core.locks import Busy, locking_transaction
from core.metrics import lock_statement_timer, observe_job, route_label
from ticketing.models import Organizer
from ticketing.tests.factories import ItemFactory, QuotaFactory

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "s3cret-scrape-token"
BASE = "/api/v1/organizers/demo-org/events/conf/"


def scrape() -> dict[tuple[str, frozenset], float]:
    with override_settings(METRICS_TOKEN=TOKEN):
        response = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


# The token


def test_without_a_token_setting_metrics_is_404():
    with override_settings(METRICS_TOKEN=""):
        response = Client().get("/metrics", headers={"Authorization": "Bearer "})
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "There is no such resource."}


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong", f"Token {TOKEN}", f"Bearer {TOKEN}x", "Bearer", f"Basic {TOKEN}"]
)
def test_a_missing_or_wrong_token_is_401(authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = Client().get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "detail": "A valid bearer token is required."}
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"# HELP" not in response.content


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize("path", ["/metrics", "/metrics/"])
def test_the_right_token_reads_the_metrics_in_prometheus_text(path):
    response = Client().get(path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    text = response.content.decode()
    for name in (
        "ticketshop_http_request_duration_seconds",
        "ticketshop_checkouts_total",
        "ticketshop_api_refusals_total",
        "ticketshop_lock_wait_seconds",
        "ticketshop_busy_total",
        "ticketshop_job_duration_seconds",
    ):
        assert f"# HELP {name} " in text, name


# Requests by route


@pytest.mark.django_db
def test_a_request_is_counted_under_its_url_pattern_not_its_path(api, event):
    before = scrape()
    assert api.get(BASE + "items/").status_code == 200
    after = scrape()
    labels = {"route": "api/v1/organizers/<organizer_slug>/events/<event_slug>/items/", "method": "GET"}
    name = "ticketshop_http_request_duration_seconds_count"
    assert value(after, name, **labels, status="200") == value(before, name, **labels, status="200") + 1
    routes = {dict(labels)["route"] for (n, labels) in after if n == name}
    assert [r for r in routes if "demo-org" in r or "conf" in r.split("/")] == []


@pytest.mark.django_db
def test_an_unknown_path_is_counted_as_unmatched_and_as_a_not_found_refusal(anon):
    before = scrape()
    assert anon.get("/api/v1/organizers/x/no-such-thing/12345/").status_code == 404
    after = scrape()
    count = "ticketshop_http_request_duration_seconds_count"
    labels = {"route": "unmatched", "method": "GET", "status": "404"}
    assert value(after, count, **labels) == value(before, count, **labels) + 1
    refusals = "ticketshop_api_refusals_total"
    assert value(after, refusals, code="not_found") == value(before, refusals, code="not_found") + 1
    assert not [labels for (n, labels) in after if "12345" in str(labels)]


@pytest.mark.django_db
def test_a_404_of_a_view_is_one_not_found_refusal(api, event):
    before = scrape()
    response = api.get(BASE + "items/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    after = scrape()
    refusals = "ticketshop_api_refusals_total"
    assert value(after, refusals, code="not_found") == value(before, refusals, code="not_found") + 1


@pytest.mark.django_db
def test_field_errors_count_as_invalid_and_auth_errors_by_their_code(api, anon, event):
    before = scrape()
    assert api.post(BASE + "orders/", {"email": "x", "positions": []}, format="json").status_code == 400
    assert anon.get(BASE + "items/").status_code == 401
    after = scrape()
    refusals = "ticketshop_api_refusals_total"
    assert value(after, refusals, code="invalid") == value(before, refusals, code="invalid") + 1
    assert (
        value(after, refusals, code="not_authenticated")
        == value(before, refusals, code="not_authenticated") + 1
    )


def test_an_unusual_method_is_counted_as_other():
    before = scrape()
    Client().generic("BREW", "/healthz")
    after = scrape()
    count = "ticketshop_http_request_duration_seconds_count"
    labels = {"route": "healthz", "method": "other", "status": "405"}
    assert value(after, count, **labels) == value(before, count, **labels) + 1


@pytest.mark.parametrize(
    "route, label",
    [
        (
            "api/v1/organizers/(?P<organizer_slug>[a-zA-Z0-9][a-zA-Z0-9.-]*)/events/$",
            "api/v1/organizers/<organizer_slug>/events/",
        ),
        ("api/v1/x/(?P<pk>[0-9a-fA-F-]{36})/codes/(?P<code>[^/]+)/$", "api/v1/x/<pk>/codes/<code>/"),
        ("a/(?P<n>(x|y)\\)+)/b", "a/<n>/b"),
        ("api/schema/", "api/schema/"),
        ("admin/<path:object_id>/", "admin/<path:object_id>/"),
        ("^healthz/?$", "healthz"),
    ],
)
def test_route_labels_name_the_parameters(route, label):
    request = mock.Mock(resolver_match=mock.Mock(route=route))
    assert route_label(request) == label


def test_no_match_is_unmatched():
    assert route_label(mock.Mock(resolver_match=None)) == "unmatched"


# Checkouts, busy answers, lock waits, jobs


@pytest.mark.django_db
def test_checkouts_are_counted_created_or_refused_with_the_refusals_code(api, event):
    item = ItemFactory(event=event, default_price=Decimal("10.00"))
    QuotaFactory(event=event, size=1, items=[item])
    body = {"email": "buyer@example.com", "positions": [{"item": item.pk}]}
    before = scrape()
    assert api.post(BASE + "orders/", body, format="json").status_code == 201
    sold_out = api.post(BASE + "orders/", body, format="json")
    assert sold_out.status_code == 409
    code = sold_out.json()["code"]
    after = scrape()
    checkouts = "ticketshop_checkouts_total"
    assert value(after, checkouts, outcome="created") == value(before, checkouts, outcome="created") + 1
    assert value(after, checkouts, outcome="refused") == value(before, checkouts, outcome="refused") + 1
    refusals = "ticketshop_api_refusals_total"
    assert value(after, refusals, code=code) == value(before, refusals, code=code) + 1


@pytest.mark.django_db
def test_a_lock_failure_counts_as_busy():
    before = scrape()
    with (
        mock.patch("core.locks.is_lock_failure", return_value=True),
        pytest.raises(Busy),
        locking_transaction(),
    ):
        raise OperationalError("canceling statement due to lock timeout")
    after = scrape()
    assert value(after, "ticketshop_busy_total") == value(before, "ticketshop_busy_total") + 1


def test_the_lock_statement_timer_times_locking_statements_only():
    before = scrape()
    executed = []

    def execute(sql, params, many, context):
        executed.append(sql)
        return "rows"

    sql = 'SELECT "q"."id" FROM "q" WHERE "q"."id" IN (1) FOR UPDATE'
    assert lock_statement_timer(execute, sql, None, False, {}) == "rows"
    assert lock_statement_timer(execute, "SELECT 1", None, False, {}) == "rows"
    assert executed == [sql, "SELECT 1"]
    after = scrape()
    count = "ticketshop_lock_wait_seconds_count"
    assert value(after, count) == value(before, count) + 1


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_row_locks_taken_in_a_locking_transaction_are_timed(organizer):
    before = scrape()
    with locking_transaction():
        assert list(Organizer.objects.select_for_update().filter(pk=organizer.pk)) == [organizer]
    with transaction.atomic():  # a plain transaction: its locks are not timed
        list(Organizer.objects.select_for_update().filter(pk=organizer.pk).values_list("pk"))
    after = scrape()
    count = "ticketshop_lock_wait_seconds_count"
    assert value(after, count) == value(before, count) + 1


def test_jobs_are_timed_by_kind_and_state():
    before = scrape()
    observe_job("coupon_generate", "succeeded", 1.5)
    observe_job("coupon_generate", "failed", 0.25)
    after = scrape()
    name = "ticketshop_job_duration_seconds"
    for state, seconds in (("succeeded", 1.5), ("failed", 0.25)):
        labels = {"kind": "coupon_generate", "state": state}
        assert value(after, f"{name}_count", **labels) == value(before, f"{name}_count", **labels) + 1
        assert value(after, f"{name}_sum", **labels) == pytest.approx(
            value(before, f"{name}_sum", **labels) + seconds
        )


def test_with_a_multiprocess_directory_the_metrics_of_every_process_add_up(tmp_path, monkeypatch):
    """Two worker processes record a job each into PROMETHEUS_MULTIPROC_DIR; /metrics reads both."""
    code = "from core.metrics import observe_job; observe_job('multi', 'succeeded', 2.0)"
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)
    assert list(tmp_path.glob("*.db"))
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    samples = scrape()
    labels = {"kind": "multi", "state": "succeeded"}
    assert value(samples, "ticketshop_job_duration_seconds_count", **labels) == 2
    assert value(samples, "ticketshop_job_duration_seconds_sum", **labels) == 4.0

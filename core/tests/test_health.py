"""``/healthz`` and ``/readyz``: JSON, no authentication, no throttle, not in the schema; ``/readyz``
names the failing check with a short reason, and answers 503 when the database or the migrations fail,
200 ``degraded`` when only the cache or the broker does."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings
from drf_spectacular.generators import SchemaGenerator

from core import health

pytestmark = pytest.mark.django_db

READY = {"database": "ok", "cache": "ok", "broker": "not configured", "migrations": "ok"}


@pytest.fixture(autouse=True)
def fresh_checks(monkeypatch):
    """Each test looks the migrations up again (a pass is remembered per process)."""
    monkeypatch.setattr(health, "_passed", set())


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.mark.parametrize("path", ["/healthz", "/healthz/"])
def test_healthz_answers_ok_without_credentials(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_takes_no_writes(client):
    assert client.post("/healthz").status_code == 405


def test_healthz_is_not_throttled(client):
    # The public throttle allows 60 requests a minute; the probes are not counted.
    assert {client.get("/healthz").status_code for _ in range(70)} == {200}


@override_settings(CELERY_BROKER_URL="")
@pytest.mark.parametrize("path", ["/readyz", "/readyz/"])
def test_readyz_lists_every_check(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": READY}


@override_settings(CELERY_BROKER_URL="memory://")
def test_a_reachable_broker_is_ok(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


@override_settings(CELERY_BROKER_URL="")
def test_an_unreachable_database_is_503_naming_the_database(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("could not connect to server")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {
            "database": "unreachable: OperationalError",
            "cache": "ok",
            "broker": "not configured",
            "migrations": "unknown: the database is unreachable",
        },
    }


@override_settings(CELERY_BROKER_URL="")
def test_unapplied_migrations_are_503_with_their_number(client):
    executor = mock.Mock()
    executor.migration_plan.return_value = [("migration", False)] * 3
    with mock.patch.object(health, "MigrationExecutor", return_value=executor):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {**READY, "migrations": "3 unapplied"}}


@override_settings(CELERY_BROKER_URL="")
def test_the_migrations_are_looked_up_until_they_have_passed_once(client):
    with mock.patch.object(health, "MigrationExecutor", wraps=health.MigrationExecutor) as executor:
        assert client.get("/readyz").status_code == 200
        assert client.get("/readyz").status_code == 200
    assert executor.call_count == 1


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_a_closed_broker_port_is_degraded_naming_the_broker_quickly(client):
    started = time.monotonic()
    response = client.get("/readyz")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["broker"].startswith("unreachable: ")
    assert {k: v for k, v in body["checks"].items() if k != "broker"} == {
        "database": "ok",
        "cache": "ok",
        "migrations": "ok",
    }
    assert elapsed < 2.0
    assert "127.0.0.1" not in response.content.decode()  # the reason names no address


@override_settings(CELERY_BROKER_URL="")
def test_a_failing_cache_is_degraded_naming_the_cache(client):
    with mock.patch.object(health.cache, "set", side_effect=ConnectionError("Connection refused")):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {**READY, "cache": "unreachable: ConnectionError"},
    }


@override_settings(CELERY_BROKER_URL="")
def test_a_cache_that_forgets_is_degraded(client):
    with mock.patch.object(health.cache, "get", return_value=None):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["cache"] == "unavailable: a value written was not read back"


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_a_lost_database_is_503_even_with_the_cache_and_broker_lost_too(client):
    with (
        mock.patch.object(connection, "cursor", side_effect=OperationalError("could not connect to server")),
        mock.patch.object(health.cache, "set", side_effect=ConnectionError("Connection refused")),
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert (body["checks"]["database"], body["checks"]["cache"]) == (
        "unreachable: OperationalError", "unreachable: ConnectionError"
    )  # fmt: skip
    assert body["checks"]["broker"].startswith("unreachable: ")


def test_the_probes_and_metrics_are_not_in_the_api_schema():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert paths  # the API is there
    assert [p for p in paths if any(name in p for name in ("healthz", "readyz", "metrics"))] == []


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
@override_settings(CELERY_BROKER_URL="")
def test_readyz_fails_while_the_database_refuses_connections_and_recovers_when_it_is_back(client):
    """A real outage on PostgreSQL: the test database stops taking connections and its sessions are
    ended (as a restart or a failover does); /readyz is 503 naming the database, and 200 again once the
    database takes connections, without restarting the process."""
    import psycopg

    name = connection.settings_dict["NAME"]
    params = {k: v for k, v in connection.get_connection_params().items() if k != "dbname"}
    assert client.get("/readyz").status_code == 200

    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            down = [client.get("/readyz") for _ in range(2)]  # the broken session, then a refused one
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')

    for response in down:
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable"
        assert body["checks"]["database"] == "unreachable: OperationalError"
    back = client.get("/readyz")
    assert back.status_code == 200
    assert back.json() == {"status": "ready", "checks": READY}

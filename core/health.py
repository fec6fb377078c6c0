"""Liveness and readiness probes: plain Django views, outside ``/api/`` (no authentication, no throttle,
not in the OpenAPI schema).

- ``/healthz``: the process answers, 200 ``{"status": "ok"}``; nothing else is looked at.
- ``/readyz``: the process can serve: 200 ``{"status": "ready", "checks": {...}}`` when every check
  passes; 200 ``{"status": "degraded", ...}`` when only the cache or the broker fails (the process still
  serves: the throttles count in the process, job starts answer 503), so that a Redis outage does not take
  every server out of the load balancer at once; 503 ``{"status": "unavailable", "checks": {...}}`` when
  the database or the migrations fail. Failing checks are named with a short reason
  (``{"database": "unreachable: OperationalError"}``, ``{"migrations": "3 unapplied"}``). The checks are
  cheap: ``SELECT 1``; a set/get of a tiny cache key; a connection to the Celery broker when
  ``CELERY_BROKER_URL`` is set (``"not configured"`` otherwise); no unapplied migration (looked up until
  it has passed once in the process: migrations are only ever applied, not unapplied, while it runs).

The reasons name an exception's class only; the full error goes to the ``core.health`` log.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK = "ok"
NOT_CONFIGURED = "not configured"
#: Seconds the broker check waits for a connection.
BROKER_TIMEOUT = 1.0

#: Checks that passed for good in this process (the migrations one).
_passed: set[str] = set()


def _failed(check: str, state: str, exc: Exception) -> str:
    logger.warning("readiness check %s failed: %s", check, exc, exc_info=exc)
    return f"{state}: {type(exc).__name__}"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is "not ready", never a 500
        _discard_broken_connection()
        return _failed("database", "unreachable", exc)
    return OK


def _discard_broken_connection() -> None:
    """Drop a connection the failure left broken (the server restarted, a failover ended the session), so
    that the next probe connects afresh and reports the database ready as soon as it is back, whatever
    the request cycle around the probe does. Inside a transaction the connection is left alone."""
    if connection.in_atomic_block:
        return
    try:
        connection.close_if_unusable_or_obsolete()
    except Exception:  # closing a dead connection may fail too; it is discarded either way
        logger.debug("closing the broken database connection failed", exc_info=True)


def check_cache() -> str:
    key, value = f"readyz:{uuid.uuid4().hex}", "1"
    try:
        cache.set(key, value, timeout=10)
        read = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        return _failed("cache", "unreachable", exc)
    return OK if read == value else "unavailable: a value written was not read back"


def check_broker() -> str:
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url:
        return NOT_CONFIGURED
    try:
        from kombu import Connection  # celery's messaging library; only needed with a broker

        with Connection(url, connect_timeout=BROKER_TIMEOUT) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT)
    except Exception as exc:
        return _failed("broker", "unreachable", exc)
    return OK


def check_migrations() -> str:
    if "migrations" in _passed:
        return OK
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return _failed("migrations", "unknown", exc)
    if plan:
        return f"{len(plan)} unapplied"
    _passed.add("migrations")
    return OK


#: Checks whose failure leaves the process serving, in a degraded way (see the module's docstring).
DEGRADING_CHECKS = frozenset({"cache", "broker"})

READINESS_CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "migrations": check_migrations,
}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, check in READINESS_CHECKS.items():
        if name == "migrations" and checks["database"] != OK:
            checks[name] = "unknown: the database is unreachable"
            continue
        checks[name] = check()
    failed = {name for name, state in checks.items() if state not in (OK, NOT_CONFIGURED)}
    if not failed:
        status = "ready"
    elif failed <= DEGRADING_CHECKS:
        status = "degraded"
    else:
        status = "unavailable"
    return JsonResponse({"status": status, "checks": checks}, status=503 if status == "unavailable" else 200)

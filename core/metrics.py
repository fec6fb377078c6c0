"""Prometheus metrics of the service, and the ``/metrics`` view that exposes them.

Metrics (every label has a bounded set of values: routes are URL patterns, never raw paths):

- ``ticketshop_http_request_duration_seconds{route, method, status}``: histogram of request latency;
  ``route`` is the matched URL pattern (``api/v1/organizers/<organizer_slug>/events/``), ``unmatched``
  when no pattern matched;
- ``ticketshop_checkouts_total{outcome}``: orders placed (``created``) or refused by a business rule
  (``refused``) by the checkout;
- ``ticketshop_api_refusals_total{code}``: error answers of the API by their body's ``code``
  (``not_found``, ``busy``, ``quota_exceeded`` …; field errors, which have no code, count as ``invalid``);
- ``ticketshop_lock_wait_seconds``: histogram of the row-locking statements (``SELECT … FOR UPDATE``)
  of locking transactions, the wait for the locks included;
- ``ticketshop_busy_total``: lock waits that ran out of time (or deadlocked) and answered ``busy``;
- ``ticketshop_job_duration_seconds{kind, state}``: histogram of background jobs;
- ``ticketshop_throttle_fallbacks_total``: throttle checks of the public endpoints counted in the
  process because the shared cache (Redis) was unreachable (``core.throttling``).

``/metrics`` answers 404 unless ``METRICS_TOKEN`` is set, then requires ``Authorization: Bearer <token>``.

Several worker processes (gunicorn): set ``PROMETHEUS_MULTIPROC_DIR`` to a directory writable by every
worker and empty it before the server starts (the values of dead processes stay in its files otherwise);
each worker then writes its values there and ``/metrics`` adds them up (``MultiProcessCollector``).
"""

from __future__ import annotations

import hmac
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from core.errors import DomainError

REQUEST_DURATION = Histogram(
    "ticketshop_http_request_duration_seconds",
    "Seconds from a request's arrival to its response, by URL pattern, method and status.",
    ["route", "method", "status"],
)
CHECKOUTS = Counter(
    "ticketshop_checkouts",
    "Checkouts by outcome: an order created, or refused by a business rule.",
    ["outcome"],
)
REFUSALS = Counter(
    "ticketshop_api_refusals", "Error answers of the API by the stable code of their body.", ["code"]
)
LOCK_WAIT = Histogram(
    "ticketshop_lock_wait_seconds",
    "Seconds spent in the row-locking statements (SELECT ... FOR UPDATE) of locking transactions.",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
BUSY = Counter("ticketshop_busy", "Lock waits that ran out of time or deadlocked: answered 409 busy.")
JOB_DURATION = Histogram(
    "ticketshop_job_duration_seconds",
    "Seconds a background job ran, by kind and final state.",
    ["kind", "state"],
    buckets=(0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0),
)
THROTTLE_FALLBACKS = Counter(
    "ticketshop_throttle_fallbacks",
    "Throttle checks counted in this process because the shared cache (Redis) was unreachable.",
)

#: Methods kept as a label value; anything else a client sends counts as ``other``.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>")


def route_label(request: HttpRequest) -> str:
    """The URL pattern that served ``request``, written with ``<name>`` for each parameter, whether the
    pattern is a ``path()`` or a regular expression (the routers'); ``unmatched`` when none matched."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return UNMATCHED_ROUTE
    route = str(match.route)
    out: list[str] = []
    position = 0
    while (group := _NAMED_GROUP.search(route, position)) is not None:
        out.append(route[position : group.start()])
        out.append(f"<{group.group(1)}>")
        depth, position = 1, group.end()
        while position < len(route) and depth:  # skip the group's expression, nested parentheses too
            char = route[position]
            if char == "\\":
                position += 1
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
            position += 1
    out.append(route[position:])
    return "".join(out).replace("^", "").replace("$", "").removesuffix("/?") or "/"


def observe_request(request: HttpRequest, status: int, seconds: float) -> str:
    """Record a served request; the route label it was counted under is returned (for the access log)."""
    route = route_label(request)
    method = request.method if request.method in KNOWN_METHODS else "other"
    REQUEST_DURATION.labels(route=route, method=method, status=str(status)).observe(seconds)
    return route


def count_refusal(code: str) -> None:
    REFUSALS.labels(code=code).inc()


@contextmanager
def checkout_counted() -> Iterator[None]:
    """Count the checkout run inside the block: ``created`` when it returns, ``refused`` when a business
    rule (a ``DomainError``: sold out, price changed, busy …) stops it."""
    try:
        yield
    except DomainError:
        CHECKOUTS.labels(outcome="refused").inc()
        raise
    CHECKOUTS.labels(outcome="created").inc()


def count_busy() -> None:
    BUSY.inc()


def lock_statement_timer(execute, sql, params, many, context):
    """A database execute wrapper (``connection.execute_wrapper``): times the statements taking row locks."""
    if "FOR UPDATE" not in sql:
        return execute(sql, params, many, context)
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        LOCK_WAIT.observe(time.perf_counter() - started)


def observe_job(kind: str, state: str, seconds: float) -> None:
    """A background job of ``kind`` ended in ``state`` (``succeeded``/``failed``) after ``seconds``."""
    JOB_DURATION.labels(kind=kind, state=state).observe(seconds)


def count_throttle_fallback() -> None:
    THROTTLE_FALLBACKS.inc()


def metrics_registry() -> CollectorRegistry:
    """This process's metrics, or every worker's added up when ``PROMETHEUS_MULTIPROC_DIR`` is set."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The metrics in Prometheus's text format, for a scraper holding ``METRICS_TOKEN``."""
    token = getattr(settings, "METRICS_TOKEN", "")
    if not token:
        return JsonResponse({"code": "not_found", "detail": "There is no such resource."}, status=404)
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), token.encode()):
        response = JsonResponse(
            {"code": "not_authenticated", "detail": "A valid bearer token is required."}, status=401
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response

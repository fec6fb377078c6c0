"""Error reports to Sentry, on when ``SENTRY_DSN`` is set (``pip install ".[sentry]"``).

Read from the environment: ``SENTRY_DSN``; ``SENTRY_ENVIRONMENT`` (e.g. ``production``, none by default);
``SENTRY_TRACES_SAMPLE_RATE`` (the share of requests traced, 0 to 1, ``0`` by default). No personal data
is sent (see :data:`DATA_COLLECTION`), and every event is tagged with the request's id
(``X-Request-ID``), the one its log lines carry. Without a DSN nothing of ``sentry_sdk`` is imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from core.requestid import current_request_id

#: What Sentry 3 may collect (its ``data_collection`` option, which replaced ``send_default_pii``): no
#: user (id, e-mail, address), no cookies, no request bodies (an order's body holds the buyer's e-mail and
#: the codes typed, some of them bearer money). Headers and query strings pass Sentry's deny-list of secrets.
DATA_COLLECTION: dict[str, Any] = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_bodies": [],
}


def tag_request_id(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Sentry's ``before_send``: the id of the request or job the event happened in, as a tag."""
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def sentry_traces_sample_rate(environ: Mapping[str, str]) -> float:
    raw = environ.get("SENTRY_TRACES_SAMPLE_RATE", "").strip() or "0"
    try:
        rate = float(raw)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise ImproperlyConfigured(f"SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1, not {raw!r}.")
    return rate


def init_sentry(environ: Mapping[str, str]) -> bool:
    """Start the Sentry SDK when ``environ`` has a ``SENTRY_DSN``; whether it was started."""
    dsn = environ.get("SENTRY_DSN", "").strip()
    if not dsn:
        return False
    try:
        import sentry_sdk
        from sentry_sdk.integrations import DidNotEnable
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as exc:
        raise ImproperlyConfigured(
            'SENTRY_DSN is set but sentry-sdk is not installed: pip install ".[sentry]", or unset SENTRY_DSN.'
        ) from exc
    integrations: list[Any] = [DjangoIntegration()]
    try:  # the job workers' errors too, when Celery is installed (the integration refuses otherwise)
        from sentry_sdk.integrations.celery import CeleryIntegration

        integrations.append(CeleryIntegration())
    except (ImportError, DidNotEnable):
        pass
    sentry_sdk.init(
        dsn=dsn,
        integrations=integrations,
        traces_sample_rate=sentry_traces_sample_rate(environ),
        data_collection=DATA_COLLECTION,
        environment=environ.get("SENTRY_ENVIRONMENT", "").strip() or None,
        before_send=tag_request_id,
    )
    return True

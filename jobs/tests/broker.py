"""A task broker that refuses every connection, for the tests of what happens while Redis is down."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.test import override_settings

from config.celery import app

#: Nothing listens on port 1: every connection is refused at once.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Jobs are queued on the broker at ``url`` (not run inline, as tests otherwise do).

    Celery reads its settings once, so its own configuration is changed too; the connection pools it
    builds on first use are dropped afterwards, and the configuration is put back."""
    saved = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    app.conf.update(task_always_eager=False, broker_url=url)
    app._pool = app.amqp._producer_pool = None
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=url):
            yield
    finally:
        app.conf.update(**saved)
        app._pool = app.amqp._producer_pool = None


def broker_unreachable():
    """A broker that refuses every connection, as with Redis stopped."""
    return broker_at(UNREACHABLE_BROKER)

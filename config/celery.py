"""The Celery application of the project: ``celery -A config worker -l info`` (and ``beat``).

Its settings are Django's ``CELERY_*`` settings (``config.settings``); tasks are found in every installed
app's ``tasks.py``. Without ``CELERY_BROKER_URL`` tasks run inline (eager), in the caller's process, and a
worker or beat refuses to start: it would wait for tasks nobody sends it.
"""

from __future__ import annotations

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("ticketshop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

NO_BROKER = "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/1): without it jobs run inline, not here."


@signals.worker_init.connect
@signals.beat_init.connect
def refuse_to_start_without_a_broker(**kwargs) -> None:
    if app.conf.task_always_eager:
        raise SystemExit(NO_BROKER)

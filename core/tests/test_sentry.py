"""Sentry starts only with ``SENTRY_DSN``, with no personal data, the environment and the trace rate
asked for; without the DSN ``sentry_sdk`` is not even imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sentry_sdk
from django.core.exceptions import ImproperlyConfigured
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from core.requestid import bound_request_id
from core.sentry import DATA_COLLECTION, init_sentry, tag_request_id

ROOT = Path(__file__).resolve().parents[2]
DSN = "https://public@sentry.example.invalid/1"


@pytest.fixture
def started(monkeypatch) -> list[dict]:
    """The keyword arguments of each ``sentry_sdk.init`` call (none is really made)."""
    calls: list[dict] = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))
    return calls


def test_without_a_dsn_nothing_starts_and_sentry_sdk_is_not_imported(started, monkeypatch):
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # importing it now would raise ImportError
    assert init_sentry({}) is False
    assert init_sentry({"SENTRY_DSN": "  ", "SENTRY_TRACES_SAMPLE_RATE": "1"}) is False
    assert started == []


def test_with_a_dsn_it_starts_without_personal_data_and_no_tracing_by_default(started):
    assert init_sentry({"SENTRY_DSN": DSN}) is True
    (kwargs,) = started
    assert kwargs["dsn"] == DSN
    assert kwargs["data_collection"] == {"user_info": False, "cookies": {"mode": "off"}, "http_bodies": []}
    assert "send_default_pii" not in kwargs  # removed in sentry-sdk 3: passing it is a TypeError
    assert kwargs["traces_sample_rate"] == 0.0
    assert kwargs["environment"] is None
    assert [type(i) for i in kwargs["integrations"]] == [DjangoIntegration, CeleryIntegration]
    assert kwargs["before_send"] is tag_request_id


def test_the_environment_and_the_trace_rate_are_read(started):
    init_sentry({"SENTRY_DSN": DSN, "SENTRY_ENVIRONMENT": "staging", "SENTRY_TRACES_SAMPLE_RATE": "0.25"})
    (kwargs,) = started
    assert (kwargs["environment"], kwargs["traces_sample_rate"]) == ("staging", 0.25)


@pytest.mark.parametrize("rate", ["lots", "1.5", "-0.1"])
def test_a_bad_trace_rate_is_refused(started, rate):
    with pytest.raises(ImproperlyConfigured, match="SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1"):
        init_sentry({"SENTRY_DSN": DSN, "SENTRY_TRACES_SAMPLE_RATE": rate})
    assert started == []


def test_a_dsn_without_the_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)
    with pytest.raises(
        ImproperlyConfigured,
        match=r'SENTRY_DSN is set but sentry-sdk is not installed: pip install "\.\[sentry\]"',
    ):
        init_sentry({"SENTRY_DSN": DSN})


def test_without_celery_only_the_django_integration_is_used(started, monkeypatch):
    # Sentry's Celery integration refuses to load (DidNotEnable) when celery cannot be imported.
    monkeypatch.setitem(sys.modules, "celery", None)
    monkeypatch.delitem(sys.modules, "sentry_sdk.integrations.celery")
    init_sentry({"SENTRY_DSN": DSN})
    (kwargs,) = started
    assert [type(i) for i in kwargs["integrations"]] == [DjangoIntegration]


def test_events_are_tagged_with_the_request_id():
    with bound_request_id("req-sentry"):
        assert tag_request_id({"tags": {"a": "b"}}, {}) == {"tags": {"a": "b", "request_id": "req-sentry"}}
    assert tag_request_id({"message": "outside"}, {}) == {"message": "outside"}


def sentry_active_in_a_process(**env: str) -> str:
    # The settings module alone (not Django's whole start): what it does with the environment.
    code = (
        "import runpy, sentry_sdk; runpy.run_path('config/settings.py'); "
        "print(sentry_sdk.get_client().is_active())"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    environment.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings", **env})
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_settings_start_sentry_from_the_environment():
    assert sentry_active_in_a_process() == "False"
    assert sentry_active_in_a_process(SENTRY_DSN=DSN) == "True"


def test_sentry_really_collects_no_user_cookies_or_bodies():
    # The real client (no DSN reaches the network: nothing is sent without an event), with our options.
    sentry_sdk.init(dsn=DSN, data_collection=DATA_COLLECTION, default_integrations=False)
    try:
        collected = sentry_sdk.get_client().options["data_collection"]
        assert collected["user_info"] is False
        assert collected["cookies"] == {"mode": "off"}
        assert collected["http_bodies"] == []
    finally:
        sentry_sdk.init(dsn=None)

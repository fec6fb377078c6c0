"""Throttles count per connection address; X-Forwarded-For only counts behind a trusted proxy;
code lookups that find nothing count in a stricter bucket."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.throttling import client_address
from vouchers.api.views.codes import CodeMissThrottle, PublicThrottle
from vouchers.tests.factories import CouponFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/organizers/demo-org/code-info/"


def lookup(client, code: str, **headers):
    return client.get(f"{URL}{code}/", **headers)


def test_forged_forwarded_for_addresses_do_not_escape_the_throttle(anon, event, monkeypatch):
    monkeypatch.setattr(PublicThrottle, "rate", "5/min", raising=False)
    answers = [lookup(anon, "SOME-CODE", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(6)]
    assert answers == [404] * 5 + [429]


def test_behind_a_trusted_proxy_the_forwarded_client_is_the_one_throttled(anon, event, settings, monkeypatch):
    settings.TRUSTED_PROXIES = ["127.0.0.0/8"]
    monkeypatch.setattr(PublicThrottle, "rate", "2/min", raising=False)
    client = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert [lookup(anon, "SOME-CODE", **client).status_code for _ in range(2)] == [404, 404]
    assert lookup(anon, "SOME-CODE", **client).status_code == 429
    # A forged address in front of the real one is never reached: still the same client.
    assert lookup(anon, "SOME-CODE", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7").status_code == 429
    assert lookup(anon, "SOME-CODE", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 404


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        ("203.0.113.5", "1.2.3.4", [], "203.0.113.5"),  # no proxy trusted: the connection
        ("203.0.113.5", "1.2.3.4", ["10.0.0.0/8"], "203.0.113.5"),  # not from a trusted proxy
        ("10.0.0.2", "1.2.3.4", ["10.0.0.0/8"], "1.2.3.4"),
        ("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.9", ["10.0.0.0/8"], "1.2.3.4"),  # two proxies, a forgery
        ("10.0.0.2", "", ["10.0.0.0/8"], "10.0.0.2"),  # a proxy that forwards nothing
        ("10.0.0.2", "not-an-address", ["10.0.0.0/8"], "not-an-address"),
    ],
)
def test_the_client_address(settings, remote, forwarded, trusted, client):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == client


def test_unknown_codes_count_in_a_stricter_bucket_that_then_blocks_every_lookup(anon, event, monkeypatch):
    monkeypatch.setattr(PublicThrottle, "rate", "100/min", raising=False)
    monkeypatch.setattr(CodeMissThrottle, "rate", "3/min", raising=False)
    CouponFactory(series__organizer=event.organizer, code="REAL-CODE")
    assert [lookup(anon, "REAL-CODE").status_code for _ in range(5)] == [200] * 5  # hits are not misses
    assert [lookup(anon, f"GUESS-{i}").status_code for i in range(3)] == [404] * 3
    guess = lookup(anon, "GUESS-4")
    assert guess.status_code == 429 and int(guess["Retry-After"]) > 0
    # Over the limit a hit looks like a miss: guessing on cannot tell them apart.
    assert lookup(anon, "REAL-CODE").status_code == 429
    assert lookup(anon, "REAL-CODE", REMOTE_ADDR="10.9.9.9").status_code == 200

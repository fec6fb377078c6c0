"""With the shared cache (Redis) unreachable the public endpoints keep answering: the throttles count each
client in their own process (``core.throttling.ThrottleCounters``), warn once per outage, and go back
to the shared counters when it answers again."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.core.cache import cache as shared_cache
from django.core.cache.backends.locmem import LocMemCache
from prometheus_client import REGISTRY

from core.throttling import ClientAddressThrottle, ThrottleCounters
from orders.api.views.preview import PreviewThrottle
from ticketing.tests.factories import ItemFactory, QuotaFactory
from vouchers.api.views.codes import PublicThrottle
from vouchers.tests.factories import CouponFactory

pytestmark = pytest.mark.django_db

#: Nothing listens on port 1: every connection is refused at once.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
    }
}
CODE_INFO = "/api/v1/organizers/demo-org/code-info/"
PREVIEW = "/api/v1/organizers/demo-org/events/conf/price-preview/"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def counters(monkeypatch):
    """The throttles' counters, fresh: no outage yet, nothing counted locally."""
    fresh = ThrottleCounters(shared_cache, LocMemCache("test-throttle-fallback", {}))
    fresh.local.clear()
    monkeypatch.setattr(ClientAddressThrottle, "cache", fresh)
    return fresh


@pytest.fixture
def redis_down(settings, counters):
    settings.CACHES = UNREACHABLE_REDIS
    return counters


def fallbacks() -> float:
    return REGISTRY.get_sample_value("ticketshop_throttle_fallbacks_total") or 0.0


def test_the_public_endpoints_answer_while_redis_is_unreachable(anon, event, redis_down, caplog):
    with pytest.raises(Exception, match="Connection refused"):
        shared_cache.get("any")  # the cache really is unreachable
    CouponFactory(series__organizer=event.organizer, code="REAL-CODE")
    item = ItemFactory(event=event, default_price=Decimal("50.00"))
    QuotaFactory(event=event, items=[item])
    before = fallbacks()
    with caplog.at_level(logging.WARNING, logger="core.throttling"):
        found = anon.get(f"{CODE_INFO}REAL-CODE/")
        missing = anon.get(f"{CODE_INFO}NO-SUCH-CODE/")
        priced = anon.post(PREVIEW, {"positions": [{"item": item.pk}]}, format="json")
    assert (found.status_code, found.json()["message"]) == (200, "valid")
    assert (missing.status_code, missing.json()["message"]) == (404, "invalid")
    assert (priced.status_code, priced.json()["total"]) == (200, "50.00")
    # One warning for the outage, not one per request; every check counted locally shows in the metric.
    warnings = [r.getMessage() for r in caplog.records if r.name == "core.throttling"]
    assert len(warnings) == 1 and "unreachable (ConnectionError" in warnings[0]
    assert fallbacks() - before == 5  # code-info: public and miss, twice; the preview: once


def test_while_redis_is_unreachable_each_process_still_limits_a_client(anon, event, redis_down, monkeypatch):
    monkeypatch.setattr(PublicThrottle, "rate", "3/min", raising=False)
    monkeypatch.setattr(PreviewThrottle, "rate", "2/min", raising=False)
    CouponFactory(series__organizer=event.organizer, code="REAL-CODE")
    lookups = [anon.get(f"{CODE_INFO}REAL-CODE/").status_code for _ in range(4)]
    assert lookups == [200, 200, 200, 429]
    refused = anon.get(f"{CODE_INFO}REAL-CODE/")
    assert refused.json()["code"] == "throttled" and int(refused["Retry-After"]) > 0
    # Another client has its own allowance; the preview its own counter.
    assert anon.get(f"{CODE_INFO}REAL-CODE/", REMOTE_ADDR="10.1.2.3").status_code == 200
    previews = [anon.post(PREVIEW, {"positions": []}, format="json").status_code for _ in range(3)]
    assert previews == [400, 400, 429]


class FlakyCache:
    """A shared cache that raises while ``down``, and counts the calls that reached it."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0
        self.data: dict = {}

    def get(self, key, default=None):
        self.calls += 1
        if self.down:
            raise ConnectionError("Connection refused")
        return self.data.get(key, default)

    def set(self, key, value, timeout=None):
        self.calls += 1
        if self.down:
            raise ConnectionError("Connection refused")
        self.data[key] = value


def test_an_outage_is_retried_every_few_seconds_and_warned_of_once_at_each_end(caplog):
    shared, clock = FlakyCache(), Clock()
    local = LocMemCache("test-throttle-outage", {})
    local.clear()
    counters = ThrottleCounters(shared, local, retry_seconds=5.0, clock=clock)
    counters.set("k", [1], 60)
    assert shared.data == {"k": [1]} and not counters.degraded

    shared.down = True
    with caplog.at_level(logging.WARNING, logger="core.throttling"):
        assert counters.get("k", []) == []  # the shared cache failed: the local counter, empty so far
        counters.set("k", [2], 60)
        assert counters.get("k", []) == [2]
        clock.now += 4.9
        assert counters.get("k", []) == [2]
        assert shared.calls == 2  # the first get only: not tried again within 5 s
        clock.now += 0.2
        assert counters.get("k", []) == [2]  # tried again, still down
        assert shared.calls == 3 and counters.degraded

        shared.down = False
        clock.now += 5.0
        assert counters.get("k", []) == [1]  # back: the shared counter again
        assert not counters.degraded
    assert [r.getMessage()[:50] for r in caplog.records] == [
        "The cache holding the throttle counters is unreach",
        "The cache holding the throttle counters is back af",
    ]
    assert "back after 10 s; 4 throttle checks were counted in this process" in caplog.records[1].getMessage()

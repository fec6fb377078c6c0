"""Whom a public endpoint throttles: the connection's address, unless it comes from a trusted proxy.

DRF's throttles read ``X-Forwarded-For`` by default, so anyone could send a new
forged address with every request and never be throttled (215 code lookups a
second against a limit of 60 a minute). Here the client is ``REMOTE_ADDR``; only
when that is one of the operator's proxies (the ``TRUSTED_PROXIES`` setting:
addresses or networks, from the environment variable of that name) is
``X-Forwarded-For`` read, from the right, skipping the trusted proxies, and the
first address that is not one of them is the client. A forged left part of the
header is never reached.

The counters live in the default cache: Redis when ``REDIS_URL`` is set, shared by every process. When
that cache cannot be reached the throttles **fail open onto a counter of their own process**
(``ThrottleCounters``): the public endpoints keep answering, and a client is still limited to the rate
per process (so at most the rate times the number of processes in all). One warning is logged when the
outage starts and one when it ends, not one per request; ``ticketshop_throttle_fallbacks_total`` counts
the requests counted locally. While the cache is down it is tried again every ``RETRY_SHARED_SECONDS``,
not on every request, so that a Redis that hangs costs one request its timeout, not all of them.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from functools import cache
from typing import Any

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.throttling import SimpleRateThrottle

from core.metrics import count_throttle_fallback

logger = logging.getLogger(__name__)

#: Seconds between two tries of a shared cache that failed.
RETRY_SHARED_SECONDS = 5.0
#: Clients a process counts on its own while the shared cache is down (the oldest are forgotten first).
LOCAL_MAX_CLIENTS = 20_000


@cache
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()))))


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    if not trusted(remote):
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    for address in reversed(forwarded):
        if not trusted(address):
            return address
    return remote


class ThrottleCounters:
    """The throttles' cache: the shared one, or this process's own while the shared one fails.

    Only ``get`` and ``set`` (what the throttles use). Any exception of the shared cache (Redis refused,
    timed out, lost) switches to the local counters until a later try succeeds."""

    def __init__(
        self, shared: BaseCache, local: BaseCache, *, retry_seconds: float = RETRY_SHARED_SECONDS, clock=None
    ) -> None:
        self.shared, self.local = shared, local
        self.retry_seconds = retry_seconds
        self.clock = clock or time.monotonic
        self.lock = threading.Lock()
        self.down_since: float | None = None  # the clock when the outage began; None while all is well
        self.next_try = 0.0
        self.counted_locally = 0

    @property
    def degraded(self) -> bool:
        return self.down_since is not None

    def get(self, key: str, default: Any = None) -> Any:
        return self._call("get", key, default)

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        self._call("set", key, value, timeout)

    def _call(self, operation: str, *args: Any) -> Any:
        if not self.degraded or self.clock() >= self.next_try:
            try:
                value = getattr(self.shared, operation)(*args)
            except Exception as exc:  # whatever the backend raises: the throttle must not fail the request
                self._failed(exc)
            else:
                if self.degraded:
                    self._recovered()
                return value
        if operation == "get":  # one per throttle check
            self.counted_locally += 1
            count_throttle_fallback()
        return getattr(self.local, operation)(*args)

    def _failed(self, exc: Exception) -> None:
        with self.lock:
            now = self.clock()
            self.next_try = now + self.retry_seconds
            if self.down_since is not None:
                return
            self.down_since, self.counted_locally = now, 0
        logger.warning(
            "The cache holding the throttle counters is unreachable (%s: %s); the public endpoints count "
            "each client in this process until it is back.", type(exc).__name__, exc,
        )  # fmt: skip

    def _recovered(self) -> None:
        with self.lock:
            if self.down_since is None:
                return
            seconds, counted = self.clock() - self.down_since, self.counted_locally
            self.down_since = None
        logger.warning(
            "The cache holding the throttle counters is back after %.0f s; %d throttle checks were counted "
            "in this process meanwhile.", seconds, counted,
        )  # fmt: skip


#: The counters of every public throttle of this process.
throttle_counters = ThrottleCounters(
    shared_cache, LocMemCache("ticketshop-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": LOCAL_MAX_CLIENTS}})
)


class ClientAddressThrottle(SimpleRateThrottle):
    """A per-client-address throttle; ``bucket`` names its counter (``scope`` its rate)."""

    bucket = ""
    cache = throttle_counters

    def get_ident(self, request) -> str:
        return client_address(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.bucket or self.scope, "ident": self.get_ident(request)}


class MissThrottle(ClientAddressThrottle):
    """A stricter bucket for lookups that find nothing (guessing codes), checked *before* a lookup.

    Once a client's misses reach the rate, every lookup it makes is refused until they
    age out, found or not: otherwise a guesser over the limit would still tell a hit
    (200) from a miss (429).
    """

    def blocked(self, request) -> bool:
        """Whether the client has no misses left (nothing is recorded)."""
        if self.rate is None:
            return False
        self.key = self.get_cache_key(request, None)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        return len(self.history) >= self.num_requests

    def record(self, request) -> None:
        if self.rate is None:
            return
        if not hasattr(self, "history"):
            self.blocked(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)

"""Whom a public endpoint throttles: the connection's address, unless it comes from a trusted proxy.

DRF's throttles read ``X-Forwarded-For`` by default, so anyone could send a new
forged address with every request and never be throttled (215 code lookups a
second against a limit of 60 a minute). Here the client is ``REMOTE_ADDR``; only
when that is one of the operator's proxies (the ``TRUSTED_PROXIES`` setting:
addresses or networks, from the environment variable of that name) is
``X-Forwarded-For`` read, from the right, skipping the trusted proxies, and the
first address that is not one of them is the client. A forged left part of the
header is never reached.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


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


class ClientAddressThrottle(SimpleRateThrottle):
    """A per-client-address throttle; ``bucket`` names its counter (``scope`` its rate)."""

    bucket = ""

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

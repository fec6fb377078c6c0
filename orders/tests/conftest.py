"""Fixtures of the orders tests: a small shop on the ``event`` fixture and a client to buy in it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache

from ticketing.models import Item, Quota
from ticketing.tests.factories import ItemFactory, QuotaFactory

BASE = "/api/v1/organizers/demo-org/events/conf/"


@pytest.fixture(autouse=True)
def clear_cache():
    """Throttle counters live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Shop:
    """Items of the ``event`` fixture, all in one quota of 100."""

    ticket: Item  # 50.00
    cheap: Item  # 30.00
    quota: Quota


@pytest.fixture
def shop(event) -> Shop:
    ticket = ItemFactory(event=event, name="Ticket", default_price=Decimal("50.00"))
    cheap = ItemFactory(event=event, name="Reduced", default_price=Decimal("30.00"))
    quota = QuotaFactory(event=event, size=100, items=[ticket, cheap])
    return Shop(ticket=ticket, cheap=cheap, quota=quota)


def pos(item, **extra) -> dict[str, Any]:
    """One position of a request body."""
    return {"item": item.pk if hasattr(item, "pk") else item, **extra}


@pytest.fixture
def buy(api):
    """``buy(positions, codes=..., **body)``: POST orders/ and return the response."""

    def post(positions, codes=(), client=None, headers=None, **body):
        payload = {"email": "buyer@example.com", "positions": positions, "codes": list(codes), **body}
        return (client or api).post(BASE + "orders/", payload, format="json", headers=headers or {})

    return post


def prices(body: dict) -> list[str]:
    return [p["price"] for p in body["positions"]]

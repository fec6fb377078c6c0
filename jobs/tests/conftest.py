"""Fixtures of the jobs tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jobs.tests.broker import broker_unreachable


@pytest.fixture
def broker_down() -> Iterator[None]:
    """Jobs are queued on a broker that refuses every connection (``jobs.tests.broker``)."""
    with broker_unreachable():
        yield

"""Fixtures of the notifications tests: handlers that record their calls, registered for one test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from notifications.handlers import Handler, registered_handlers
from notifications.models import Notification


@dataclass
class Recorder:
    """A handler function that records the ids of the notifications it was called with, and raises
    ``fail_times`` times first (``RuntimeError("boom <n>")``)."""

    fail_times: int = 0
    calls: list[int] = field(default_factory=list)

    def __call__(self, notification: Notification) -> None:
        self.calls.append(notification.pk)
        if len(self.calls) <= self.fail_times:
            raise RuntimeError(f"boom {len(self.calls)}")


@pytest.fixture
def handlers() -> Iterator[Callable[..., None]]:
    """``handlers(Handler(...), ...)``: only these are registered until the test ends."""
    stack: list = []

    def use(*chosen: Handler) -> None:
        context = registered_handlers(*chosen)
        context.__enter__()
        stack.append(context)

    yield use
    while stack:
        stack.pop().__exit__(None, None, None)

"""What reacts to notifications: handlers, registered by name by the apps that own them.

An app registers its handlers from its ``AppConfig.ready()`` (the apps that react sit above this one,
which may not import them)::

    register("webhooks", send_webhooks, types={NotificationType.ORDER_PAID, NotificationType.ORDER_PLACED})

``types`` None: every type. ``announce`` writes one ``Delivery`` per registered handler whose types match,
in the transaction of the change, and after the commit each handler is called once per notification as
``func(notification)`` with the ``Notification`` row. A handler that raises is called again later
(``notifications.delivery``), and may be called again after it succeeded (a worker that dies between the
handler's return and the commit of ``done``): delivery is at least once, so a handler must be idempotent
(key what it does by ``notification.pk``).

The name is what a delivery row remembers: keep it when the function moves, and do not reuse a name for
something else. A delivery whose handler is not registered (any more, or not yet on this worker) fails
its attempt and is retried like any other failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from notifications.models import HANDLER_NAME_MAX_LENGTH, Notification
from notifications.types import NotificationType

HandlerFunc = Callable[[Notification], object]


@dataclass(frozen=True)
class Handler:
    name: str
    func: HandlerFunc
    types: frozenset[str] | None  # None: every type

    def wants(self, type: str) -> bool:
        return self.types is None or type in self.types


_handlers: dict[str, Handler] = {}


def register(name: str, func: HandlerFunc, *, types: set[str] | None) -> None:
    """Make ``func`` react to the notifications of ``types`` (None: all) under ``name``.

    ``ValueError`` for an unknown type, an empty set, an empty or too long name, or a name that another
    function holds already; registering the same function again changes nothing (``ready()`` may run
    twice)."""
    handler = Handler(name=name, func=func, types=checked_types(types))
    if not name or len(name) > HANDLER_NAME_MAX_LENGTH:
        raise ValueError(f"A handler's name has 1 to {HANDLER_NAME_MAX_LENGTH} characters: {name!r}.")
    current = _handlers.get(name)
    if current is not None and current.func is not func:
        raise ValueError(f"The handler name '{name}' is already registered for {current.func!r}.")
    _handlers[name] = handler


def checked_types(types: Iterable[str] | None) -> frozenset[str] | None:
    if types is None:
        return None
    chosen = frozenset(str(t) for t in types)
    if not chosen:
        raise ValueError("A handler needs at least one type (or types=None for all of them).")
    unknown = sorted(chosen - set(NotificationType.values))
    if unknown:
        raise ValueError(f"Unknown notification types: {', '.join(unknown)}.")
    return chosen


def handlers_for(type: str) -> list[Handler]:
    """The registered handlers that react to ``type``, by name."""
    return [handler for name, handler in sorted(_handlers.items()) if handler.wants(type)]


def handler_named(name: str) -> Handler | None:
    return _handlers.get(name)


@contextmanager
def registered_handlers(*handlers: Handler) -> Iterator[None]:
    """Only these handlers while the block runs (tests); the registered ones come back afterwards."""
    saved = dict(_handlers)
    try:
        _handlers.clear()
        for handler in handlers:
            register(handler.name, handler.func, types=handler.types)
        yield
    finally:
        _handlers.clear()
        _handlers.update(saved)

"""The id of the request (or job) being served, for logs and for the jobs a request starts.

A request's id comes from its ``X-Request-ID`` header when that is a sane token, or is generated; the
middleware binds it for the request's duration and returns it in the response's ``X-Request-ID``. A job
carries the id of the request that started it and binds it while it runs, so its log lines share the id.
"""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

_CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# What a client or a proxy may send as an id: letters, digits and ``-_.:``, at most 128 characters.
_ACCEPTED = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def current_request_id() -> str | None:
    """The id bound for what runs now (a request or a job), or ``None`` outside both."""
    return _CURRENT.get()


def accepted_or_new(sent: str | None) -> str:
    """The id a client sent when it is a sane token; otherwise a new one (32 hex digits)."""
    if sent and _ACCEPTED.match(sent):
        return sent
    return uuid.uuid4().hex


@contextmanager
def bound_request_id(value: str | None) -> Iterator[str | None]:
    """Bind ``value`` as the current id inside the ``with`` block (a job binds its request's id)."""
    token = _CURRENT.set(value)
    try:
        yield value
    finally:
        _CURRENT.reset(token)

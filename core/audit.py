"""Who is acting, and the signal for writes that bypass the model signals; the ``audit`` app records them.

Every change of the audited models (events, items, quotas, discount rules, codes, orders) ends up in the
audit log (``audit.models.AuditEntry``). Saves and deletes through the ORM are seen by the audit app's
model signals. A service that writes without them (``bulk_create``, ``QuerySet.update``, the checkout's
hand-written INSERTs) tells the audit app with :func:`record_bulk`. This module lives in the kernel so
that every app can do so without importing the audit app, which sits above them all.

Who acted comes from what is running now:

- a request: :class:`RequestActorMiddleware` binds it; the actor is read when a change is recorded,
  so a team token that Django REST framework authenticated inside the view is seen (``source`` "api"
  under ``/api/``, "admin" otherwise);
- a background job: the job binds whoever started it (``source`` "job");
- anything else (a management command, the periodic cleanup): no actor, ``source`` "system".
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal


@dataclass(frozen=True)
class Actor:
    """Who made a change: a user, a team token, or neither (the system)."""

    source: str  # "api", "admin", "job" or "system"
    user_id: int | None = None
    token_id: int | None = None
    label: str = ""


SYSTEM = Actor(source="system", label="system")

_REQUEST: contextvars.ContextVar[Any] = contextvars.ContextVar("audit_request", default=None)
_BOUND: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)


def current_actor() -> Actor:
    """The actor of what runs now: the one bound (a job), else the request's caller, else the system."""
    bound = _BOUND.get()
    if bound is not None:
        return bound
    request = _REQUEST.get()
    if request is None:
        return SYSTEM
    return _request_actor(request)


def _request_actor(request) -> Actor:
    source = "api" if request.path.startswith("/api/") else "admin"
    user = getattr(request, "user", None)  # DRF sets the token principal on the Django request too
    token = getattr(user, "token", None)  # ticketing.api.authentication.TokenPrincipal
    if token is not None:
        return Actor(source=source, token_id=token.pk, label=str(user))
    if user is not None and user.is_authenticated:
        return Actor(source=source, user_id=user.pk, label=user.get_username())
    return Actor(source=source, label="anonymous")


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Record the changes inside the ``with`` block as ``actor``'s (a job binds whoever started it)."""
    token = _BOUND.set(actor)
    try:
        yield actor
    finally:
        _BOUND.reset(token)


class RequestActorMiddleware:
    """Binds the request while it is served, so that its changes are recorded with its caller."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _REQUEST.set(request)
        try:
            return self.get_response(request)
        finally:
            _REQUEST.reset(token)


#: Sent by a service after writes the model signals do not see. ``sender`` is the model; ``objects`` the
#: instances written, ``action`` "created", "changed" or "deleted", and ``changes`` (for "changed") the
#: fields that were set, ``{field: [before, after]}``, the same for every object.
bulk_written = Signal()


def record_bulk(
    model: type, objects: Iterable[Any], *, action: str, changes: dict[str, list] | None = None
) -> None:
    """Tell the audit log about ``objects`` of ``model`` written without model signals."""
    objects = list(objects)
    if objects:
        bulk_written.send(sender=model, objects=objects, action=action, changes=changes or {})

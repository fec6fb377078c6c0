"""Which function runs a job of each kind, registered by the app that owns the tables it writes.

The apps whose work runs as jobs sit above ``jobs`` (it may not import them), so each registers its
handlers from its ``AppConfig.ready()``, as the quota usage counters are (``ticketing.quota_usage``)::

    register_job_handler(JobKind.GENERATE_COUPONS, generate_coupons_job, read_permission="can_view_vouchers")

A handler is called as ``handler(job, progress)`` with the ``Job`` row (``job.params``, ``job.organizer_id``;
its uploaded input through ``jobs.selectors.job_input_text``) and a ``progress(done, total)`` callback,
which it may call as often as it likes (the row is written at most every second or so many items). It
answers the job's result, a dict that JSON can hold, or raises:

- ``JobFailed(errors)`` for a refusal its starter should read, e.g. ``[{"line": 3, "field": "code",
  "message": "..."}]``; a ``DomainError`` or Django's ``ValidationError`` is read the same way;
- anything else: a bug, logged, and the job ``failed`` with the exception's message.

``read_permission`` is the team permission that lets a caller see jobs of the kind (the one that lets it
read what they work on); ``all_events`` whether the caller's team needs access to all events too.
``start_permission`` (default: ``read_permission``) is the one that lets it start such a job, and so
re-run a failed one (``jobs/<id>/rerun/``).
``limited_scope`` (with ``all_events``) lets a caller limited to some events see some jobs of the kind
after all: ``limited_scope(access)`` answers a condition on ``Job`` rows (those about what it may read).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jobs.models import JobKind

if TYPE_CHECKING:
    from jobs.models import Job

Progress = Callable[[int, int], None]
JobHandler = Callable[["Job", Progress], dict[str, Any] | None]


class JobFailed(Exception):
    """The job cannot do what it was asked; ``errors`` say why (``{"line"?, "field"?, "message"}``)."""

    def __init__(self, errors: Iterable[dict[str, Any]], *, result: dict[str, Any] | None = None) -> None:
        self.errors = list(errors)
        self.result = result
        super().__init__("; ".join(str(error.get("message", "")) for error in self.errors))


class UnknownJobKind(LookupError):
    pass


@dataclass(frozen=True)
class JobType:
    kind: JobKind
    handler: JobHandler
    read_permission: str | None
    all_events: bool
    limited_scope: Callable[[Any], Any] | None = None
    start_permission: str | None = None


_types: dict[JobKind, JobType] = {}


def register_job_handler(
    kind: JobKind | str,
    handler: JobHandler,
    *,
    read_permission: str | None,
    all_events: bool = True,
    limited_scope: Callable[[Any], Any] | None = None,
    start_permission: str | None = None,
) -> None:
    """Make ``handler`` run the jobs of ``kind`` (a ``JobKind``: ``ValueError`` for any other name).

    One handler per kind: registering a different one raises; the same one again changes nothing
    (``ready()`` may run twice)."""
    kind = JobKind(kind)
    current = _types.get(kind)
    if current is not None and current.handler is not handler:
        raise ValueError(f"A handler for jobs of kind '{kind}' is already registered: {current.handler!r}.")
    if current is not None:
        return
    _types[kind] = JobType(
        kind=kind, handler=handler, read_permission=read_permission, all_events=all_events,
        limited_scope=limited_scope, start_permission=start_permission or read_permission,
    )  # fmt: skip


@contextmanager
def override_job_handler(
    kind: JobKind | str, handler: JobHandler, *, read_permission: str | None = None, all_events: bool = False
) -> Iterator[None]:
    """Temporarily run ``kind`` with another handler (for tests); the registered one comes back afterwards."""
    saved = dict(_types)
    try:
        kind = JobKind(kind)
        _types[kind] = JobType(
            kind=kind, handler=handler, read_permission=read_permission, all_events=all_events,
            start_permission=read_permission,
        )  # fmt: skip
        yield
    finally:
        _types.clear()
        _types.update(saved)


def job_type(kind: JobKind | str) -> JobType:
    """The registered type of ``kind``; ``UnknownJobKind`` when no app registered one."""
    try:
        return _types[JobKind(kind)]
    except (KeyError, ValueError):
        raise UnknownJobKind(f"No handler is registered for jobs of kind '{kind}'.") from None


def readable_kinds(permissions: frozenset[str], *, has_all_events: bool) -> list[str]:
    """The kinds whose jobs a caller with these organizer permissions may see."""
    return sorted(
        str(kind)
        for kind, registered in _types.items()
        if (registered.read_permission is None or registered.read_permission in permissions)
        and (has_all_events or not registered.all_events)
    )


def limited_kinds(permissions: frozenset[str], *, has_all_events: bool) -> dict[str, Callable[[Any], Any]]:
    """The kinds a caller without all events may see some jobs of (not in :func:`readable_kinds`), with
    their ``limited_scope``."""
    if has_all_events:
        return {}
    return {
        str(kind): registered.limited_scope
        for kind, registered in sorted(_types.items())
        if registered.all_events
        and registered.limited_scope is not None
        and (registered.read_permission is None or registered.read_permission in permissions)
    }

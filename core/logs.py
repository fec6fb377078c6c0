"""Log formatters: one JSON object per line (``LOG_FORMAT=json``, the default) or a line for people
(``LOG_FORMAT=text``); both carry the id of the request or job being served (``core.requestid``).

A JSON line holds ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``, ``request_id`` (``null``
outside a request or job), ``exc_info`` (the traceback) when there is one, and the record's ``extra``
fields, e.g. the access log's ``method``, ``path``, ``route``, ``status`` and ``duration_ms``.

Written on the standard library (a few lines) rather than with python-json-logger: nothing to install,
and the field names are ours.

``ClientMistake`` is a filter for loggers whose records say what a client did wrong, not what went wrong
here: Django logs a foreign ``Host`` header (``django.security.DisallowedHost``) at ERROR with the
traceback of the refusal, for every scanner that tries an IP address; the settings make it one WARNING
line, as Django's other 4xx lines are.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from core.requestid import current_request_id

#: Attributes every ``LogRecord`` has; anything else on a record came from ``extra``.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
#: ``request``: the ``HttpRequest`` Django's loggers pass along (its path is in the message already).
_SKIPPED = _RECORD_ATTRIBUTES | {"request"}


def record_request_id(record: logging.LogRecord) -> str | None:
    """The id a record was logged under: given in ``extra``, the one bound where it was logged, or that
    of the request in its ``extra`` (Django logs a 4xx/5xx response after the middlewares returned)."""
    return (
        getattr(record, "request_id", None)
        or current_request_id()
        or getattr(getattr(record, "request", None), "request_id", None)
    )


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        try:
            return str(value)
        except Exception:  # a log line must never fail
            return repr(value)
    return value


class JsonFormatter(logging.Formatter):
    """One JSON object per line (non-ASCII escaped, so a line break in a message stays ``\\n``)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": record_request_id(record),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _SKIPPED and key not in entry and not key.startswith("_"):
                entry[key] = _jsonable(value)
        return json.dumps(entry)


class TextFormatter(logging.Formatter):
    """``2025-01-31T12:00:00.123+00:00 WARNING django.request [<request id or ->] Not Found: /api/x``."""

    def __init__(self, fmt: str | None = None, datefmt: str | None = None) -> None:
        super().__init__(fmt or "%(utc_time)s %(levelname)s %(name)s [%(request_id)s] %(message)s", datefmt)

    def format(self, record: logging.LogRecord) -> str:
        line = logging.makeLogRecord(vars(record))  # a copy: other handlers see the record unchanged
        line.utc_time = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        line.request_id = record_request_id(record) or "-"
        return super().format(line)


class ClientMistake(logging.Filter):
    """Makes a record one WARNING line: level WARNING, no traceback. Attached to a logger (the settings'
    ``LOGGING``), it changes the record before any handler sees it, so Sentry and every handler agree; at
    ``LOG_LEVEL=ERROR`` the line is left out like other warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.exc_info = record.exc_text = record.stack_info = None
        return True

"""An event's payment terms and the payment deadline of a pending order, computed from them.

Pure: the standard library (and the kernel's plain error type) only, no ORM, no clock, no Django settings.
The terms are the event's ``EventSettings`` (``ticketing.selectors.event_payment_terms`` reads them); the
checkout passes the moment the order is placed and the start of what it sells. docs/api/eventsettings.md
explains the settings.

How the deadline is found (the meaning pretix gives its ``payment_term_*`` settings):

1. *days* mode: the end of the day (23:59:59 on the event's wall clock) that lies ``days`` calendar days
   after the day the order was placed; with ``weekdays``, a Saturday or Sunday moves to the next Monday.
   *minutes* mode: ``minutes`` after the order was placed (elapsed time, so a DST change in between
   neither adds nor takes an hour).
2. Never later than the last date of payments (``last``): the end of that day in the event's time zone.
   A relative last date counts back from the start of the event, or, for a series, from the start of the
   earliest date the order holds. The weekday rule does not move it.

An order placed after the last date of payments cannot get a deadline: :func:`payment_deadline` raises
:class:`PaymentTermEnded` (pretix refuses such an order: "all payments for this event need to be
confirmed already, so no new orders can be created").
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import ConflictError

#: The end of a day, on the event's wall clock.
END_OF_DAY = time(23, 59, 59)
SATURDAY, SUNDAY = 5, 6

#: Sensible limits: pretix's for minutes (a day); ten years of days, as a deadline far beyond that is a typo
#: (and beyond year 9999 no date can be computed at all).
MAX_TERM_DAYS = 3650
MAX_TERM_MINUTES = 1440
MAX_DAYS_BEFORE_START = 3650


class PaymentTermMode(enum.StrEnum):
    DAYS = "days"
    MINUTES = "minutes"


#: ``RELDATE/<days>/-/<base>/``: ``<days>`` days before the start; pretix writes the base
#: ``event__date_from`` (older versions ``date_from``). Other bases, a time of day (``-`` is "none") or
#: ``after`` are not supported.
RELATIVE = re.compile(r"RELDATE/(?P<days>[0-9]+)/(?P<time>[^/]*)/(?P<base>[^/]*)/(?P<after>[^/]*)")
RELATIVE_BASES = ("event__date_from", "date_from")
ABSOLUTE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class InvalidLastDate(ValueError):
    """The text is not a last date of payments this project supports; the message says why."""


@dataclass(frozen=True)
class LastPaymentDate:
    """The last date of payments: a calendar date (``absolute``), or ``days_before`` days before the start
    of the event (of the date, in a series). Exactly one of the two is set.

    As text (the API's, close to pretix's ``RelativeDateWrapper``): ``"2025-06-30"`` or
    ``"RELDATE/3/-/event__date_from/"`` (three days before the start)."""

    absolute: date | None = None
    days_before: int | None = None

    def __post_init__(self) -> None:
        if (self.absolute is None) == (self.days_before is None):
            raise ValueError("A last date of payments is either a date or a number of days before the start.")
        if self.days_before is not None and not 0 <= self.days_before <= MAX_DAYS_BEFORE_START:
            raise ValueError(f"days_before must be between 0 and {MAX_DAYS_BEFORE_START}.")

    def day(self, *, event_start: datetime, zone: ZoneInfo) -> date:
        """The calendar day (in the event's time zone) on whose end payments stop."""
        if self.absolute is not None:
            return self.absolute
        return event_start.astimezone(zone).date() - timedelta(days=self.days_before)

    def to_text(self) -> str:
        if self.absolute is not None:
            return self.absolute.isoformat()
        return f"RELDATE/{self.days_before}/-/event__date_from/"

    @classmethod
    def parse(cls, text: str) -> LastPaymentDate:
        """The last date a text names; :class:`InvalidLastDate` saying what is wrong otherwise."""
        text = text.strip()
        if ABSOLUTE.fullmatch(text):
            try:
                return cls(absolute=date.fromisoformat(text))
            except ValueError:
                raise InvalidLastDate(f"'{text}' is not a valid date.") from None
        match = RELATIVE.fullmatch(text)
        if match is None:
            raise InvalidLastDate(
                f"'{text}' is neither a date (2025-06-30) nor a number of days before the start "
                "(RELDATE/3/-/event__date_from/)."
            )
        if match["base"] not in RELATIVE_BASES:
            raise InvalidLastDate(
                f"Relative to '{match['base']}' is not supported: only days before the start "
                "(event__date_from)."
            )
        if match["time"] != "-":
            raise InvalidLastDate("A time of day is not supported: the last date ends at 23:59:59.")
        if match["after"]:
            raise InvalidLastDate("Only days before the start are supported, not after.")
        days = int(match["days"])
        if days > MAX_DAYS_BEFORE_START:
            raise InvalidLastDate(f"At most {MAX_DAYS_BEFORE_START} days before the start.")
        return cls(days_before=days)


@dataclass(frozen=True)
class PaymentTerms:
    """An event's payment terms (its ``EventSettings``; pretix's defaults when it has none).

    ``expire_automatically``: a pending order past its deadline expires by itself (else it stays pending
    until someone acts). ``accept_late``: a payment for an expired order is still accepted while the quota
    has room, but never after the last date of payments. Neither changes the deadline; the expiry and
    payment services read them."""

    mode: PaymentTermMode = PaymentTermMode.DAYS
    days: int = 14
    weekdays: bool = True
    minutes: int = 30
    last: LastPaymentDate | None = None
    expire_automatically: bool = True
    accept_late: bool = True


class PaymentTermEnded(ConflictError):
    """The last date of payments is over: no new order can be placed. A domain error, so the checkout
    may let it through: 409 ``{"code": "payment_term_ended", "detail": ..., "last_payment": "<ISO time>"}``.
    ``last_payment`` is the moment payments stopped."""

    code = "payment_term_ended"

    def __init__(self, last_payment: datetime) -> None:
        self.last_payment = last_payment
        super().__init__(
            "All payments for this event had to be made by "
            f"{last_payment.isoformat()}: no new orders can be placed.",
            last_payment=last_payment.isoformat(),
        )


def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime.")


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """23:59:59 of ``day`` on the zone's wall clock (where a clock change repeats it, the first one)."""
    return datetime.combine(day, END_OF_DAY, tzinfo=zone)


def last_payment_moment(terms: PaymentTerms, *, event_start: datetime, tz: str) -> datetime | None:
    """When payments stop for good: the end of the last date of payments in the event's time zone, counted
    from ``event_start`` when relative; None without a last date."""
    if terms.last is None:
        return None
    _aware(event_start, "event_start")
    zone = _zone(tz)
    return end_of_day(terms.last.day(event_start=event_start, zone=zone), zone)


def payment_deadline(terms: PaymentTerms, *, placed: datetime, event_start: datetime, tz: str) -> datetime:
    """The payment deadline (``expires``) of an order placed at ``placed``, in the event's time zone ``tz``.

    ``event_start`` is the start of the event, or for a series the start of the earliest date the order
    holds; only a relative last date of payments reads it. Raises :class:`PaymentTermEnded` when the last
    date of payments is already over at ``placed``."""
    _aware(placed, "placed")
    zone = _zone(tz)
    # Compared and added in UTC: Python compares and adds datetimes of one zone by their wall clocks.
    placed = placed.astimezone(UTC)
    if terms.mode == PaymentTermMode.MINUTES:
        deadline = placed + timedelta(minutes=terms.minutes)
    else:
        day = placed.astimezone(zone).date() + timedelta(days=terms.days)
        if terms.weekdays and day.weekday() in (SATURDAY, SUNDAY):
            day += timedelta(days=7 - day.weekday())
        deadline = end_of_day(day, zone).astimezone(UTC)
    last = last_payment_moment(terms, event_start=event_start, tz=tz)
    if last is not None:
        if last.astimezone(UTC) < placed:
            raise PaymentTermEnded(last)
        deadline = min(deadline, last.astimezone(UTC))
    return deadline.astimezone(zone)

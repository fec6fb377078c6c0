"""The payment deadline of a pending order (``ticketing.payment_terms``): table-driven, no database.

Expected deadlines are written out on the event's wall clock with their offset, so a reader can check
each one against a calendar: 2025-03-04 was a Tuesday; Berlin went to summer time on 2025-03-30 (02:00
became 03:00) and back on 2025-10-26 (03:00 became 02:00).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ticketing.payment_terms import (
    InvalidLastDate,
    LastPaymentDate,
    PaymentTermEnded,
    PaymentTermMode,
    PaymentTerms,
    last_payment_moment,
    payment_deadline,
)

BERLIN = "Europe/Berlin"
START = "2025-06-01T18:00:00+00:00"  # far after every order below, unless a case says otherwise
DAYS = PaymentTerms(mode=PaymentTermMode.DAYS, days=14, weekdays=True)
MINUTES = PaymentTerms(mode=PaymentTermMode.MINUTES, minutes=30)


def on(text: str) -> LastPaymentDate:
    return LastPaymentDate.parse(text)


@dataclass(frozen=True)
class Case:
    name: str
    terms: PaymentTerms
    placed: str
    expected: str
    tz: str = BERLIN
    start: str = START


CASES = [
    Case("fourteen days: the end of the 14th day after the order's day", DAYS,
         "2025-03-04T10:00:00+00:00", "2025-03-18T23:59:59+01:00"),
    Case("the order's day is the event's local day, not UTC's", replace(DAYS, days=1),
         "2025-03-04T23:30:00+00:00", "2025-03-06T23:59:59+01:00"),
    Case("zero days: the end of the day of the order", replace(DAYS, days=0),
         "2025-03-04T10:00:00+00:00", "2025-03-04T23:59:59+01:00"),
    Case("the same moment is Tuesday in Los Angeles", replace(DAYS, days=0),
         "2025-03-04T20:00:00+00:00", "2025-03-04T23:59:59-08:00", tz="America/Los_Angeles"),
    Case("and already Wednesday in Tokyo", replace(DAYS, days=0),
         "2025-03-04T20:00:00+00:00", "2025-03-05T23:59:59+09:00", tz="Asia/Tokyo"),
    Case("a deadline on a Saturday moves to Monday", replace(DAYS, days=4),
         "2025-03-04T10:00:00+00:00", "2025-03-10T23:59:59+01:00"),
    Case("a deadline on a Sunday moves to Monday", replace(DAYS, days=5),
         "2025-03-04T10:00:00+00:00", "2025-03-10T23:59:59+01:00"),
    Case("without the weekday rule a Saturday stays", replace(DAYS, days=4, weekdays=False),
         "2025-03-04T10:00:00+00:00", "2025-03-08T23:59:59+01:00"),
    Case("a Friday deadline does not move", replace(DAYS, days=3),
         "2025-03-04T10:00:00+00:00", "2025-03-07T23:59:59+01:00"),
    Case("ordered in winter time, due in summer time", replace(DAYS, days=3),
         "2025-03-28T12:00:00+00:00", "2025-03-31T23:59:59+02:00"),
    Case("ordered in summer time, due in winter time, weekend moved", replace(DAYS, days=2),
         "2025-10-24T10:00:00+00:00", "2025-10-27T23:59:59+01:00"),
    Case("due on the day the clocks go back", replace(DAYS, days=2, weekdays=False),
         "2025-10-24T10:00:00+00:00", "2025-10-26T23:59:59+01:00"),
    Case("minutes: thirty minutes after the order", MINUTES,
         "2025-03-04T10:00:00+00:00", "2025-03-04T11:30:00+01:00"),
    Case("minutes are elapsed time across the clock change", MINUTES,
         "2025-03-30T01:45:00+01:00", "2025-03-30T03:15:00+02:00"),
    Case("minutes ignore the weekday rule", MINUTES,
         "2025-03-08T10:00:00+00:00", "2025-03-08T11:30:00+01:00"),
    Case("zero minutes: the moment of the order", replace(MINUTES, minutes=0),
         "2025-03-04T10:00:00+00:00", "2025-03-04T11:00:00+01:00"),
    Case("a last date before the deadline cuts it to that day's end", replace(DAYS, last=on("2025-03-10")),
         "2025-03-04T10:00:00+00:00", "2025-03-10T23:59:59+01:00"),
    Case("a last date after the deadline changes nothing", replace(DAYS, last=on("2025-04-30")),
         "2025-03-04T10:00:00+00:00", "2025-03-18T23:59:59+01:00"),
    Case("a last date of today: the end of today", replace(DAYS, last=on("2025-03-04")),
         "2025-03-04T10:00:00+00:00", "2025-03-04T23:59:59+01:00"),
    Case("the last date is not moved off a weekend", replace(DAYS, days=4, last=on("2025-03-09")),
         "2025-03-04T10:00:00+00:00", "2025-03-09T23:59:59+01:00"),
    Case("three days before the start", replace(DAYS, last=on("RELDATE/3/-/event__date_from/")),
         "2025-03-04T10:00:00+00:00", "2025-03-09T23:59:59+01:00", start="2025-03-12T19:00:00+00:00"),
    Case("days before the start count from its local day", replace(DAYS, last=on("RELDATE/1/-/date_from/")),
         "2025-03-04T10:00:00+00:00", "2025-03-12T23:59:59+01:00", start="2025-03-12T23:30:00+00:00"),
    Case("zero days before the start: the end of its day", replace(DAYS, last=on("RELDATE/0/-/date_from/")),
         "2025-03-04T10:00:00+00:00", "2025-03-06T23:59:59+01:00", start="2025-03-06T09:00:00+00:00"),
    Case("minutes are cut by the last date too", replace(MINUTES, last=on("2025-03-10")),
         "2025-03-10T22:50:00+00:00", "2025-03-10T23:59:59+01:00"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_payment_deadline(case: Case) -> None:
    deadline = payment_deadline(
        case.terms,
        placed=datetime.fromisoformat(case.placed),
        event_start=datetime.fromisoformat(case.start),
        tz=case.tz,
    )
    expected = datetime.fromisoformat(case.expected)
    assert deadline == expected
    assert deadline.utcoffset() == expected.utcoffset()  # shown on the event's wall clock
    assert deadline.tzinfo == ZoneInfo(case.tz)


ENDED = [
    Case("placed the morning after the last date", replace(DAYS, last=on("2025-03-10")),
         "2025-03-10T23:30:00+00:00", "2025-03-10T23:59:59+01:00"),
    Case("placed after the last relative date", replace(MINUTES, last=on("RELDATE/2/-/event__date_from/")),
         "2025-03-05T08:00:00+00:00", "2025-03-04T23:59:59+01:00", start="2025-03-06T18:00:00+00:00"),
]  # fmt: skip


@pytest.mark.parametrize("case", ENDED, ids=[case.name for case in ENDED])
def test_an_order_after_the_last_date_of_payments_is_refused(case: Case) -> None:
    with pytest.raises(PaymentTermEnded) as ended:
        payment_deadline(
            case.terms,
            placed=datetime.fromisoformat(case.placed),
            event_start=datetime.fromisoformat(case.start),
            tz=case.tz,
        )
    assert ended.value.last_payment == datetime.fromisoformat(case.expected)


def test_the_last_moment_of_payments() -> None:
    start = datetime.fromisoformat("2025-03-12T19:00:00+00:00")
    assert last_payment_moment(DAYS, event_start=start, tz=BERLIN) is None
    terms = replace(DAYS, last=on("RELDATE/3/-/date_from/"))
    moment = last_payment_moment(terms, event_start=start, tz=BERLIN)
    assert moment == datetime.fromisoformat("2025-03-09T23:59:59+01:00")


@pytest.mark.parametrize("field", ["placed", "event_start"])
def test_a_time_without_a_zone_is_refused(field: str) -> None:
    times = {"placed": datetime(2025, 3, 4, 10, 0), "event_start": datetime(2025, 6, 1, 18, 0)}
    for other in times:
        if other != field:
            times[other] = times[other].replace(tzinfo=ZoneInfo("UTC"))
    terms = replace(DAYS, last=on("RELDATE/3/-/date_from/"))
    with pytest.raises(ValueError, match=f"{field} must be an aware datetime"):
        payment_deadline(terms, tz=BERLIN, **times)


def test_the_defaults_are_pretixs() -> None:
    assert PaymentTerms() == PaymentTerms(
        mode=PaymentTermMode.DAYS, days=14, weekdays=True, minutes=30, last=None,
        expire_automatically=True, accept_late=True,
    )  # fmt: skip


LAST_DATES = [
    ("2025-06-30", LastPaymentDate(absolute=date(2025, 6, 30)), "2025-06-30"),
    ("RELDATE/3/-/event__date_from/", LastPaymentDate(days_before=3), "RELDATE/3/-/event__date_from/"),
    ("RELDATE/3/-/date_from/", LastPaymentDate(days_before=3), "RELDATE/3/-/event__date_from/"),
    ("RELDATE/0/-/event__date_from/", LastPaymentDate(days_before=0), "RELDATE/0/-/event__date_from/"),
]


@pytest.mark.parametrize(("text", "parsed", "written"), LAST_DATES)
def test_a_last_date_as_text(text: str, parsed: LastPaymentDate, written: str) -> None:
    assert LastPaymentDate.parse(text) == parsed
    assert parsed.to_text() == written


BAD_LAST_DATES = [
    ("2025-02-30", "'2025-02-30' is not a valid date."),
    ("2025-06-30T10:00:00", "is neither a date (2025-06-30) nor a number of days before the start"),
    ("next friday", "is neither a date (2025-06-30) nor a number of days before the start"),
    ("RELDATE/-3/-/event__date_from/", "is neither a date"),
    ("RELDATE/minutes/30/event__date_from/", "is neither a date"),
    ("RELDATE/3/-/event__date_to/", "Relative to 'event__date_to' is not supported"),
    ("RELDATE/3/-/order__datetime/", "Relative to 'order__datetime' is not supported"),
    ("RELDATE/3/12:00:00/event__date_from/", "A time of day is not supported"),
    ("RELDATE/3/-/event__date_from/after", "Only days before the start are supported, not after."),
    ("RELDATE/3651/-/event__date_from/", "At most 3650 days before the start."),
]


@pytest.mark.parametrize(("text", "message"), BAD_LAST_DATES)
def test_a_last_date_we_do_not_support_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidLastDate) as refused:
        LastPaymentDate.parse(text)
    assert message in str(refused.value)


def test_a_last_date_is_a_date_or_days_before_never_both() -> None:
    with pytest.raises(ValueError, match="either a date or a number of days"):
        LastPaymentDate(absolute=date(2025, 6, 30), days_before=3)
    with pytest.raises(ValueError, match="either a date or a number of days"):
        LastPaymentDate()


def test_minutes_from_a_wall_clock_time_are_elapsed_time() -> None:
    """Python adds to a datetime of a zone on its wall clock: 01:45 + 30 minutes would be 02:15, an hour
    that did not exist in Berlin that night."""
    placed = datetime(2025, 3, 30, 1, 45, tzinfo=ZoneInfo(BERLIN))
    deadline = payment_deadline(MINUTES, placed=placed, event_start=placed, tz=BERLIN)
    assert deadline == datetime.fromisoformat("2025-03-30T03:15:00+02:00")
    assert deadline.utcoffset() == datetime.fromisoformat("2025-03-30T03:15:00+02:00").utcoffset()

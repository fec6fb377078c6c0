"""CSV export of a series' coupons and CSV import of custom codes.

Import format: a header row naming the columns, ``code`` required,
``customer_email`` and ``active`` (true/false) optional; one coupon per row.
The delimiter is guessed from the header row: comma, semicolon (vivenu's
exports) or tab, whichever it holds most of (a comma when it holds none).
Every row is checked before anything is written; a bad row rejects the whole
file, naming its line (the header is line 1): the first one when the import
answers at once, the first hundred when it runs as a job.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from vouchers.codes import code_text_errors, normalise_code
from vouchers.models import Coupon, CouponSeries
from vouchers.selectors import organizer_codes_taken
from vouchers.services.code_texts import CodeTextTaken
from vouchers.services.coupons import coupons_bulk_create

Progress = Callable[[int, int], None]

EXPORT_COLUMNS = ("code", "customer_email", "active", "used_orders", "used_tickets", "created_at")
IMPORT_COLUMNS = {"code", "customer_email", "active"}
MAX_IMPORT_ROWS = 100_000
#: The delimiters an import may use, by the name an error gives them, in the order a tie is decided.
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
BOOLEANS = {"": True, "true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class _Echo:
    def write(self, value: str) -> str:
        return value


def coupons_csv_rows(*, series: CouponSeries) -> Iterator[str]:
    """The series' coupons as CSV lines, streamed (a series may hold many thousands)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    coupons = Coupon.objects.filter(series=series).order_by("id").values_list(*EXPORT_COLUMNS)
    for code, email, active, orders, tickets, created in coupons.iterator(chunk_size=2000):
        yield writer.writerow(
            [code, email, "true" if active else "false", orders, tickets, created.isoformat()]
        )


@dataclass(frozen=True)
class HeaderSeen:
    """The header row as read, and the delimiter guessed, for an error about the header."""

    line: str
    delimiter: str

    def text(self) -> str:
        shown = self.line if len(self.line) <= 200 else self.line[:200] + "…"
        return f"read the header {shown!r}, guessing the delimiter {DELIMITERS[self.delimiter]}"


@dataclass(frozen=True)
class CsvProblem:
    """What is wrong with the file: on a line (the header is 1), in a column, or with the whole file."""

    line: int | None
    message: str
    field: str | None = None
    header: HeaderSeen | None = None  # a problem with the header row: what was read there

    def text(self) -> str:
        """The API's message, ``Line 3: code: ...``; about the header, with the header read."""
        where = f"Line {self.line}: " if self.line is not None else ""
        seen = f" ({self.header.text()})" if self.header is not None else ""
        return f"{where}{f'{self.field}: ' if self.field else ''}{self.message}{seen}"

    def as_error(self) -> dict[str, Any]:
        """A job's error, ``{"line": 3, "field": "code", "message": "..."}``; about the header, also
        ``"header"`` (the row read) and ``"delimiter"`` (the one guessed: comma, semicolon or tab)."""
        error = {"line": self.line, "field": self.field, "message": self.message}
        if self.header is not None:
            error.update(header=self.header.line, delimiter=DELIMITERS[self.header.delimiter])
        return {key: value for key, value in error.items() if value is not None}


class CouponFileRejected(ValidationError):
    """The file's problems (at most the limit asked for), as ``{"file": ["Line 3: ...", ...]}``."""

    def __init__(self, problems: list[CsvProblem]) -> None:
        self.problems = list(problems)
        super().__init__({"file": [problem.text() for problem in self.problems]})


class Problems:
    """Problems found so far; the file is rejected at once when ``limit`` are found, or at a fatal one."""

    def __init__(self, limit: int) -> None:
        self.limit = max(limit, 1)
        self.found: list[CsvProblem] = []

    def add(self, line: int | None, message: str, field: str | None = None) -> None:
        self.found.append(CsvProblem(line, message, field))
        if len(self.found) >= self.limit:
            raise CouponFileRejected(self.found)

    def fatal(self, line: int | None, message: str, header: HeaderSeen | None = None) -> None:
        """A problem after which the rest of the file cannot be read."""
        self.found.append(CsvProblem(line, message, header=header))
        raise CouponFileRejected(self.found[: self.limit])


def parse_coupon_csv(text: str, *, limit: int = 1) -> list[tuple[int, dict[str, Any]]]:
    """``(line number, row)`` pairs of a coupon CSV, each row's own values checked; at the first
    ``limit`` problems (or one that stops the reading) ``CouponFileRejected`` naming them."""
    problems = Problems(limit)
    if "\x00" in text:  # the csv module refuses it with an error of its own
        problems.fatal(text.count("\n", 0, text.index("\x00")) + 1, "a NUL character is not allowed.")
    text = text.lstrip("\ufeff")
    header_line = first_line(text)
    delimiter = guess_delimiter(header_line)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = checked_rows(reader, problems, seen_header=HeaderSeen(header_line, delimiter))
    except csv.Error as exc:  # a field over the csv module's limit, a stray quote in strict mode …
        problems.fatal(reader.line_num + 1, f"not readable as CSV ({exc}).")  # the line after the last read
    if problems.found:
        raise CouponFileRejected(problems.found)
    return rows


def first_line(text: str) -> str:
    """The header row as sent (the first line that is not blank), without its line break."""
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def guess_delimiter(header_line: str) -> str:
    """The delimiter the header row holds most of (outside quotes); a comma when it holds none."""
    unquoted = "".join(part for index, part in enumerate(header_line.split('"')) if index % 2 == 0)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts.values())
    return next(delimiter for delimiter, count in counts.items() if count == best) if best else ","


def checked_rows(
    reader: csv.DictReader, problems: Problems, *, seen_header: HeaderSeen
) -> list[tuple[int, dict[str, Any]]]:
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if "code" not in header:
        problems.fatal(1, "the header row must name a 'code' column.", seen_header)
    unknown = set(header) - IMPORT_COLUMNS
    if unknown:
        problems.fatal(1, f"unknown columns: {', '.join(sorted(unknown))}.", seen_header)
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    count = 0
    for raw in reader:
        line = reader.line_num
        if None in raw:
            problems.add(line, "more values than columns.")
            continue
        if not any((value or "").strip() for value in raw.values()):
            continue
        count += 1
        if count > MAX_IMPORT_ROWS:
            problems.fatal(line, f"at most {MAX_IMPORT_ROWS} coupons per file.")
        row = parse_row(raw, line, seen, problems)
        if row is not None:
            rows.append((line, row))
    if not count:
        problems.fatal(None, "The file holds no coupons.")
    return rows


def parse_row(
    raw: dict[str, str | None], line: int, seen: dict[str, int], problems: Problems
) -> dict[str, Any] | None:
    """The row's values, or ``None`` when one of them is wrong (each added to ``problems``)."""
    before = len(problems.found)
    code = normalise_code(raw.get("code"))
    code_problems = code_text_errors(code)
    if code_problems:
        problems.add(line, code_problems[0], "code")
    elif code in seen:
        problems.add(line, f"{code} repeats line {seen[code]}.", "code")
    else:
        seen[code] = line
    row: dict[str, Any] = {"code": code}
    email = (raw.get("customer_email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.add(line, f"'{email}' is not a valid email address.", "customer_email")
        row["customer_email"] = email
    active = (raw.get("active") or "").strip().lower()
    if active not in BOOLEANS:
        problems.add(line, f"'{active}' is not true or false.", "active")
    row["active"] = BOOLEANS.get(active, True)
    return row if len(problems.found) == before else None


@transaction.atomic
def coupons_import_csv(
    *, series: CouponSeries, text: str, limit: int = 1, progress: Progress | None = None
) -> int:
    """Create the file's coupons in the series, all or nothing; answer how many. The whole file is
    checked first: ``CouponFileRejected`` with its first ``limit`` problems, and nothing is created."""
    rows = parse_coupon_csv(text, limit=limit)
    line_of = {row["code"]: line for line, row in rows}
    taken = organizer_codes_taken(organizer=series.organizer_id, codes=list(line_of))
    if taken:
        raise codes_taken_rejection(taken, line_of, limit)
    try:
        coupons_bulk_create(series=series, rows=[row for _, row in rows], progress=progress)
    except CodeTextTaken as exc:  # another request created some of the codes after the check above
        raise codes_taken_rejection(exc.holders, line_of, limit) from exc
    return len(rows)


def codes_taken_rejection(taken: Iterable[str], line_of: dict[str, int], limit: int) -> CouponFileRejected:
    """The file's lines whose codes the organizer already has (at most ``limit``), in file order."""
    lines = sorted((line_of[code], code) for code in taken)[: max(limit, 1)]
    return CouponFileRejected(
        [CsvProblem(line, f"{code} already exists for this organizer.", "code") for line, code in lines]
    )

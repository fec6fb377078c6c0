"""CSV export of a series' coupons and CSV import of custom codes.

Import format: a header row naming the columns, ``code`` required,
``customer_email`` and ``active`` (true/false) optional; one coupon per row.
Every row is checked before anything is written; the first bad row rejects
the whole file, naming its line (the header is line 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from vouchers.codes import code_text_errors, normalise_code
from vouchers.models import Coupon, CouponSeries
from vouchers.selectors import organizer_codes_taken
from vouchers.services.coupons import coupons_bulk_create

EXPORT_COLUMNS = ("code", "customer_email", "active", "used_orders", "used_tickets", "created_at")
IMPORT_COLUMNS = {"code", "customer_email", "active"}
MAX_IMPORT_ROWS = 100_000
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


def file_error(line: int, message: str) -> ValidationError:
    return ValidationError({"file": [f"Line {line}: {message}"]})


def parse_coupon_csv(text: str) -> list[tuple[int, dict[str, Any]]]:
    """``(line number, row)`` pairs of a coupon CSV, each row's own values checked."""
    if "\x00" in text:  # the csv module refuses it with an error of its own
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise file_error(line, "a NUL character is not allowed.")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        return checked_rows(reader)
    except csv.Error as exc:  # a field over the csv module's limit, a stray quote in strict mode …
        raise file_error(
            reader.line_num + 1, f"not readable as CSV ({exc})."
        ) from exc  # the line after the last read


def checked_rows(reader: csv.DictReader) -> list[tuple[int, dict[str, Any]]]:
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if "code" not in header:
        raise file_error(1, "the header row must name a 'code' column.")
    unknown = set(header) - IMPORT_COLUMNS
    if unknown:
        raise file_error(1, f"unknown columns: {', '.join(sorted(unknown))}.")
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if None in raw:
            raise file_error(line, "more values than columns.")
        if not any((value or "").strip() for value in raw.values()):
            continue
        rows.append((line, parse_row(raw, line, seen)))
        if len(rows) > MAX_IMPORT_ROWS:
            raise file_error(line, f"at most {MAX_IMPORT_ROWS} coupons per file.")
    if not rows:
        raise ValidationError({"file": ["The file holds no coupons."]})
    return rows


def parse_row(raw: dict[str, str | None], line: int, seen: dict[str, int]) -> dict[str, Any]:
    code = normalise_code(raw.get("code"))
    problems = code_text_errors(code)
    if problems:
        raise file_error(line, f"code: {problems[0]}")
    if code in seen:
        raise file_error(line, f"code: {code} repeats line {seen[code]}.")
    seen[code] = line
    row: dict[str, Any] = {"code": code}
    email = (raw.get("customer_email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise file_error(line, f"customer_email: '{email}' is not a valid email address.") from exc
        row["customer_email"] = email
    active = (raw.get("active") or "").strip().lower()
    if active not in BOOLEANS:
        raise file_error(line, f"active: '{active}' is not true or false.")
    row["active"] = BOOLEANS[active]
    return row


@transaction.atomic
def coupons_import_csv(*, series: CouponSeries, text: str) -> int:
    """Create the file's coupons in the series, all or nothing; answer how many."""
    rows = parse_coupon_csv(text)
    line_of = {row["code"]: line for line, row in rows}
    taken = organizer_codes_taken(organizer=series.organizer_id, codes=list(line_of))
    if taken:
        line = min(line_of[code] for code in taken)
        code = next(code for code in taken if line_of[code] == line)
        raise file_error(line, f"code: {code} already exists for this organizer.")
    coupons_bulk_create(series=series, rows=[row for _, row in rows])
    return len(rows)

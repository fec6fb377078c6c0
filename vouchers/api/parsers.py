"""A plain-text parser so a CSV file can be POSTed as the request body (``Content-Type: text/csv``).

A CSV upload is bounded by ``CSV_IMPORT_MAX_BYTES`` (20 MB): a larger one is a 413 ``too_large``, like a
JSON body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, before it is read into memory."""

from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from core.errors import DomainError


class CsvTooLarge(DomainError):
    status_code = 413
    code = "too_large"

    def __init__(self) -> None:
        limit = settings.CSV_IMPORT_MAX_BYTES
        super().__init__(
            f"The CSV file is larger than {limit:,} bytes; split it into smaller files.",
            code="too_large",
            max_bytes=limit,
        )


def refuse_large_csv(request) -> None:
    """413 when the request says its body is over the limit, before anything reads it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.CSV_IMPORT_MAX_BYTES:
        raise CsvTooLarge()


class CSVTextParser(BaseParser):
    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.CSV_IMPORT_MAX_BYTES
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise CsvTooLarge()
        try:
            return data.decode((parser_context or {}).get("encoding", "utf-8"))
        except UnicodeDecodeError as exc:
            raise ParseError("The CSV file is not UTF-8 text.") from exc

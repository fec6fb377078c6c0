"""A plain-text parser so a CSV file can be POSTed as the request body (``Content-Type: text/csv``)."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


class CSVTextParser(BaseParser):
    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return stream.read().decode((parser_context or {}).get("encoding", "utf-8"))
        except UnicodeDecodeError as exc:
            raise ParseError("The CSV file is not UTF-8 text.") from exc

"""Request bodies are JSON, except the coupon CSV import's file: what the views parse is what the schema says.

Every endpoint's parsers (the default ``BoundedJSONParser`` unless a view or action sets its own) are
read from the URL configuration, as drf-spectacular enumerates it, and compared with the request body
media types the served schema documents for that operation.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.generators import SchemaGenerator

from config.tests.documented import fetch_schema
from core.parsers import BoundedJSONParser

CSV_IMPORT = "/api/v1/organizers/{organizer_slug}/coupon-series/{id}/import/"
FILE_UPLOAD = {"text/csv", "multipart/form-data"}


def test_json_is_the_default_and_only_parser():
    assert settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] == ["core.parsers.BoundedJSONParser"]
    assert BoundedJSONParser.media_type == "application/json"


def endpoint_parsers() -> dict[tuple[str, str], set[str]]:
    """``{(path, method): media types}`` of every API endpoint's parsers, its path as in the schema."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()  # the views as the schema sees them (an action's own parsers too)
    return {
        (path, method.lower()): {parser.media_type for parser in view.get_parsers()}
        for path, _regex, method, view in generator._get_paths_and_endpoints()
    }


def test_every_view_parses_json_only_but_the_csv_import(db):
    parsers = endpoint_parsers()
    assert parsers[CSV_IMPORT, "post"] == FILE_UPLOAD
    others = {key: types for key, types in parsers.items() if key != (CSV_IMPORT, "post")}
    assert len(others) > 100
    assert {key: types for key, types in others.items() if types != {"application/json"}} == {}


def test_the_schema_documents_the_body_media_types_the_views_parse(db):
    schema = fetch_schema()
    parsers = endpoint_parsers()
    bodies = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if "requestBody" not in operation:
                continue
            bodies += 1
            assert set(operation["requestBody"]["content"]) == parsers[path, method], (method, path)
    assert bodies > 40
    upload = schema["paths"][CSV_IMPORT]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["required"] == ["file"]
    assert upload["text/csv"]["schema"] == {"type": "string", "format": "binary"}

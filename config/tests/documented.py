"""Checking a real answer against the served OpenAPI schema: its status, media type and body.

:func:`assert_documented` finds the operation of a test client's response (by its method and path),
requires the status among the operation's documented responses, the media type among that response's
content types (none for a 204), and a JSON body valid against the documented schema with ``jsonschema``.
The schema is OpenAPI 3.0 (``nullable``), turned into JSON Schema first by :func:`json_schema`.
"""

from __future__ import annotations

import json
import re
from functools import cache

from jsonschema import Draft202012Validator
from rest_framework.test import APIClient


def fetch_schema() -> dict:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def json_schema(node):
    """OpenAPI 3.0's ``nullable: true`` in JSON Schema's words (``null`` as one more type or value)."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: json_schema(value) for key, value in node.items()}
    if not node.pop("nullable", False):
        return node
    if "enum" in node:
        node["enum"] = [*node["enum"], None]
    if "type" in node:
        node["type"] = [node["type"], "null"]
        return node
    return {"anyOf": [node, {"type": "null"}]}


@cache
def template_pattern(template: str) -> re.Pattern:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))


def operation_of(schema: dict, method: str, path: str) -> tuple[str, dict]:
    """The path template and operation a request went to; a literal segment beats a placeholder."""
    matches = [t for t in schema["paths"] if template_pattern(t).fullmatch(path)]
    assert matches, f"{method} {path}: no path of the schema matches"
    template = max(matches, key=lambda t: len(re.sub(r"\{[^}]+\}", "", t)))
    operation = schema["paths"][template].get(method.lower())
    assert operation is not None, f"{method} {template}: not in the schema"
    return template, operation


def assert_documented(schema: dict, response) -> object:
    """Fail unless the response is one its operation documents; return its parsed JSON body (or None)."""
    method, path = response.request["REQUEST_METHOD"], response.request["PATH_INFO"]
    template, operation = operation_of(schema, method, path)
    where = f"{method} {template} → {response.status_code}"
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{where}: status not documented ({sorted(operation['responses'])})"
    content = documented.get("content", {})
    if response.status_code == 204 or not content:
        assert not content and not response.content, f"{where}: a body where none is documented"
        return None
    media_type = response["Content-Type"].split(";")[0].strip()
    assert media_type in content, f"{where}: {media_type} is not among {sorted(content)}"
    if media_type != "application/json":
        return None
    body = json.loads(response.content)
    # The body's schema refers to #/components/...: they come along, in JSON Schema's words too.
    body_schema = {
        **json_schema(content[media_type]["schema"]),
        "components": json_schema(schema["components"]),
    }
    validator = Draft202012Validator(body_schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: str(list(e.absolute_path)))
    assert not errors, f"{where}: the body does not match its schema:\n" + "\n".join(
        f"  at {'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in errors[:10]
    )
    return body

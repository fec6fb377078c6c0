"""The OpenAPI schema documents every error an operation can answer, with its body.

drf-spectacular documents the successful response only. :class:`AutoSchema` adds to each
operation the error responses it can give (without replacing one a view documents itself):

- 400: the field shape, ``{"<field>": ["message"]}`` (nested for nested fields and rows),
  or the domain error shape with one of the 400 codes;
- 401 (a missing or invalid token), 403 (organizer, event or permission), 404, 503: every
  operation;
- 409, 411, 413 and 415: operations that write;
- 429: operations that are throttled (the public ones).

The domain error shape is ``{"code", "detail", ...context}``; its ``code`` lists the stable
codes of that status from :data:`core.errors.ERROR_CODES`.

The schema also says what the API refuses, so that a generated client (or a fuzzer) and
the server agree: request bodies allow no other properties (unknown fields are a 400);
a decimal string needs a digit, and no sign where the field takes no negative amount;
ids in query parameters are integers from 1, ``page`` from 1, ``page_size`` 1 to 1000.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance
from rest_framework import serializers
from rest_framework.fields import empty

from core.bounds import MAX_AMOUNT, MAX_ID, MAX_INTEGER
from core.errors import ERROR_CODES
from core.operation_names import operation_summary, operation_tag
from core.pagination import PageNumberPagination

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
#: Query parameters that are amounts or counts, not ids (the voucher list's filters).
AMOUNT_PARAMETERS = frozenset({"value"})
COUNT_PARAMETERS = frozenset({"redeemed", "max_usages"})

DESCRIPTIONS = {
    400: "Invalid input (the fields named, with their messages) or a business rule refused it (`code`).",
    401: "No credentials or an invalid token.",
    403: "The organizer or event is not visible to the caller, or a permission is missing.",
    404: "No such object here, or a page past the end.",
    409: "A conflict with the stored state (`code`): in use, sold out, changed meanwhile, or busy.",
    411: "A body sent chunked without a Content-Length (the proxy in front adds it).",
    413: "The request body is too large.",
    415: "The body's media type is not accepted (send application/json).",
    429: "Too many requests from this client; see Retry-After.",
    503: (
        "The database is unavailable (or, for an operation that starts a job, the task queue); nothing was "
        "changed. See Retry-After."
    ),
}

FIELD_ERRORS = {
    "type": "object",
    "description": (
        "Field errors: each invalid field (or query parameter) with its messages; "
        "nested objects and rows (by index) nest the same way; `non_field_errors` spans fields."
    ),
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}],
    },
}


def error_schema(status: int) -> dict:
    return {
        "type": "object",
        "description": "An error with a stable code; some carry context (`position`, `kind` …).",
        "properties": {
            "code": {"type": "string", "enum": list(ERROR_CODES[status])},
            "detail": {"type": "string"},
        },
        "required": ["code", "detail"],
        "additionalProperties": True,
    }


def always_written(serializer: serializers.Serializer, field: serializers.Field) -> bool:
    """Whether every answer has the field: optional in a request is not optional in an answer.

    DRF writes every readable field of a model instance (its attributes exist), and of any object a
    field with a default or that allows null (the default or null stands in for a missing key). Only
    a plain serializer's optional field without either may be left out (a job's error ``line``)."""
    return (
        isinstance(serializer, serializers.ModelSerializer)
        or field.required
        or field.default is not empty
        or field.allow_null
    )


class AutoSchema(SpectacularAutoSchema):
    def get_tags(self) -> list[str]:
        return [operation_tag(self.path)]

    def get_summary(self) -> str:
        return operation_summary(self.path, self.method, getattr(self.view, "action", None))

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for status in self.error_statuses():
            documented = responses.setdefault(str(status), {})
            for key, value in self.error_response(status).items():
                documented.setdefault(key, value)  # a view's own description or body stays
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and schema.get("format") == "decimal":
            whole, places = field.max_whole_digits, field.decimal_places
            if whole:
                sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
                schema["pattern"] = rf"^{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"
        return schema

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and schema.get("properties"):
            serializer = force_instance(serializer)
            fields = serializer.fields
            always = {name for name in schema["properties"] if always_written(serializer, fields[name])}
            schema["required"] = sorted({*schema.get("required", ()), *always})
        return schema

    def _get_parameters(self):
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter.get("in") != "query":
                continue
            schema = parameter.setdefault("schema", {})
            name = parameter["name"]
            if name == PageNumberPagination.page_query_param:
                schema.update(type="integer", minimum=1)
            elif name == PageNumberPagination.page_size_query_param:
                schema.update(type="integer", minimum=1, maximum=PageNumberPagination.max_page_size)
            elif name in AMOUNT_PARAMETERS:  # an amount (``?value=12.00``)
                schema.update(type="number", minimum=0, maximum=MAX_AMOUNT)
            elif name in COUNT_PARAMETERS:  # a count from 0 (``?redeemed=0``)
                schema.update(type="integer", minimum=0, maximum=MAX_INTEGER)
            elif schema.get("type") in ("integer", "number"):  # the API's other numeric filters are ids
                schema.update(type="integer", minimum=1, maximum=MAX_ID)
        return parameters

    def error_statuses(self) -> list[int]:
        statuses = [400, 401, 403, 404]
        if self.method in WRITES:
            statuses += [409, 411, 413, 415]
        if getattr(self.view, "throttle_classes", None):
            statuses.append(429)
        return [*statuses, 503]

    def component(self, name: str, schema: dict) -> dict:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        return component.ref

    def error_response(self, status: int) -> dict:
        error = self.component(f"Error{status}", error_schema(status))
        schema = {"anyOf": [self.component("FieldErrors", FIELD_ERRORS), error]} if status == 400 else error
        response = {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": schema}}}
        if status in (409, 429, 503):
            response["headers"] = {
                "Retry-After": {
                    "schema": {"type": "integer"},
                    "description": "Seconds to wait before retrying (429, 503, and 409 `busy`).",
                }
            }
        return response


def close_request_bodies(result, generator, request, public):
    """Post-processing hook: a request body has exactly the properties its schema lists, and a list's
    envelope always has all four keys (``next`` and ``previous`` are null at the ends, never left out)."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema["additionalProperties"] = False
        elif name.startswith("Paginated") and name.endswith("List") and "properties" in schema:
            schema["required"] = list(schema["properties"])
    return result

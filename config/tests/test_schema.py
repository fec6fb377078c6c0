"""The OpenAPI schema and the interactive docs are served, and the schema describes every view cleanly."""

from __future__ import annotations

import io
import re
from pathlib import Path

from django.core.management import call_command


def test_schema_is_served(anon, db):
    response = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/organizers/{organizer_slug}/events/" in paths


def test_docs_page_is_served(anon, db):
    response = anon.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_schema_generation_has_no_warnings(db):
    # --fail-on-warn makes an untyped parameter or an unresolvable serializer an error here.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=io.StringIO())


def served_schema(anon) -> dict:
    return anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_every_operation_documents_its_errors_with_their_bodies(anon, db):
    schema = served_schema(anon)
    count = 0
    for path, method, operation in operations(schema):
        count += 1
        documented = set(operation["responses"])
        expected = {"400", "401", "403", "404", "503"}
        if method != "get":
            expected |= {"409", "411", "413", "415"}
        assert expected <= documented, (method, path, sorted(expected - documented))
        for status in expected - {"400"}:
            body = operation["responses"][status]["content"]["application/json"]["schema"]
            if path.endswith("/code-info/{code}/") and status == "404":
                continue  # the lookup's own "invalid" answer, documented by its view
            assert body == {"$ref": f"#/components/schemas/Error{status}"}, (method, path, status)
    # 109 + the jobs list, detail, download and rerun + 7 of gift cards + adding/removing a cart's gift card
    # + the audit log's list and detail + an event's discount code (3), an item's codes, the items of promo
    # codes and vouchers (2 each) + a coupon's decouple + an event's settings (read, change) + the
    # notifications' list and detail + an order's payments (list, read, create, confirm, cancel, refund) and
    # refunds (list, read, create, done, cancel) + an order's mark_expired and extend + an order's change
    assert count == 151
    error_409 = schema["components"]["schemas"]["Error409"]
    assert error_409["required"] == ["code", "detail"]
    codes_409 = schema["components"]["schemas"][error_409["properties"]["code"]["$ref"].rsplit("/", 1)[1]]
    assert {"busy", "quota_exceeded", "price_changed", "coupon_in_use"} <= set(codes_409["enum"])


def test_only_public_throttled_operations_document_429(anon, db):
    schema = served_schema(anon)
    throttled = {path for path, _, operation in operations(schema) if "429" in operation["responses"]}
    assert throttled == {
        "/api/v1/organizers/{organizer_slug}/code-info/{code}/",
        "/api/v1/organizers/{organizer_slug}/events/{event_slug}/price-preview/",
    }


def test_batch_create_documents_the_plain_list_it_returns(anon, db):
    schema = served_schema(anon)
    path = "/api/v1/organizers/{organizer_slug}/events/{event_slug}/vouchers/batch_create/"
    operation = schema["paths"][path]
    created = operation["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"type": "array", "items": {"$ref": "#/components/schemas/Voucher"}}
    assert not [p for p in operation["post"].get("parameters", []) if p["in"] == "query"]


def test_request_bodies_take_json_only_and_no_other_properties(anon, db):
    schema = served_schema(anon)
    for path, method, operation in operations(schema):
        if "requestBody" in operation and not path.endswith("/import/"):
            assert list(operation["requestBody"]["content"]) == ["application/json"], (method, path)
    requests = {n: s for n, s in schema["components"]["schemas"].items() if n.endswith("Request")}
    assert requests and all(s.get("additionalProperties") is False for s in requests.values())


def test_amounts_are_decimal_strings_with_a_digit_and_no_sign_when_not_negative(anon, db):
    schema = served_schema(anon)
    price = schema["components"]["schemas"]["ItemRequest"]["properties"]["default_price"]
    assert price["pattern"] == r"^(?:\d{1,10}(?:\.\d{0,3})?|\.\d{1,3})$"
    assert re.fullmatch(price["pattern"].strip("^$"), "23.00")
    assert not re.fullmatch(price["pattern"].strip("^$"), "")
    assert not re.fullmatch(price["pattern"].strip("^$"), "-1")


#: ``code="busy"`` (a raise), ``code = "busy"`` (an error class), ``refuse("item_inactive", ...)``.
SOURCE_CODES = re.compile(r'(?:\bcode\s*=\s*|\brefuse\(\s*)"([a-z_]+)"')


def test_every_error_code_raised_in_the_source_is_in_the_catalogue():
    from core.errors import ERROR_CODES
    from vouchers.giftcards import GiftCardErrorCode
    from vouchers.resolution.types import CodeErrorCode

    root = Path(__file__).resolve().parents[2]
    raised: set[str] = set()
    for app in ("config", "core", "ticketing", "discounts", "vouchers", "orders"):
        for source in (root / app).rglob("*.py"):
            if "tests" in source.parts or "migrations" in source.parts:
                continue
            text = source.read_text()
            if "DomainError" not in text and "ConflictError" not in text and "refuse(" not in text:
                continue
            raised |= set(SOURCE_CODES.findall(text))
    raised |= {c.value for c in CodeErrorCode}
    raised |= {c.value for c in GiftCardErrorCode}
    catalogued = {code for codes in ERROR_CODES.values() for code in codes}
    assert raised - catalogued - {"unknown_field"} == set()
    assert len(catalogued) == sum(len(codes) for codes in ERROR_CODES.values())  # each code once

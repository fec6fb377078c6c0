"""The OpenAPI schema and the interactive docs are served, and the schema describes every view cleanly."""

from __future__ import annotations

import io

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

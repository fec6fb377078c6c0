"""The CI fuzz run (.ci/fuzz.py): its tables name a real object for every operation of the served schema,
and its verdict fails an operation without a 2xx or with a 5xx.

An operation added to the API whose path names an object fails here at once, until .ci/fuzz_objects.py
says which real object the fuzz run sends it to, rather than in the CI fuzz step minutes later.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

CI = Path(__file__).resolve().parents[2] / ".ci"
ORGANIZER = "/api/v1/organizers/{organizer_slug}/"
EVENT = ORGANIZER + "events/{event_slug}/"


@pytest.fixture(scope="module")
def fuzz():
    """.ci/fuzz.py as a module; the paths and modules its import adds (bench/, .ci/) are taken back."""
    path, modules = list(sys.path), set(sys.modules)
    sys.path.insert(0, str(CI))
    try:
        spec = importlib.util.spec_from_file_location("ci_fuzz", CI / "fuzz.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = path
        for name in set(sys.modules) - modules:
            del sys.modules[name]
    return module


def test_every_operation_whose_path_names_an_object_gets_a_real_one(anon, db, fuzz):
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = fuzz.path_parameters(schema)
    assert len(operations) > 100
    fuzz.check_tables(operations)  # raises SystemExit naming what is missing


def test_an_operation_without_a_real_object_stops_the_run(fuzz):
    operations = {
        f"GET {EVENT}items/{{id}}/": {"organizer_slug": "string", "event_slug": "string", "id": "string"},
        f"GET {ORGANIZER}widgets/{{id}}/": {"organizer_slug": "string", "id": "string"},
    }
    with pytest.raises(SystemExit) as stopped:
        fuzz.check_tables(operations)
    message = str(stopped.value)
    assert f"  no real object for: GET {ORGANIZER}widgets/{{id}}/\n" in message
    assert f"no real object for: GET {EVENT}items/{{id}}/" not in message
    assert f"  not in the schema: GET {ORGANIZER}coupons/{{id}}/\n" in message


def test_the_path_parameters_are_the_real_objects_typed_as_the_schema_says(fuzz):
    operations = {
        f"DELETE {EVENT}carts/{{id}}/positions/{{position_id}}/": {
            "organizer_slug": "string", "event_slug": "string", "id": "string", "position_id": "integer",
        },
        f"GET {EVENT}items/{{id}}/": {"organizer_slug": "string", "event_slug": "string", "id": "string"},
    }  # fmt: skip
    objects = {"organizer": "demo", "shop_event": "conference", "cart_with_position": "c-1", "position": 7}
    assert fuzz.real_paths(operations, {**objects, "item": 3}) == {
        f"DELETE {EVENT}carts/{{id}}/positions/{{position_id}}/": {
            "organizer_slug": "demo", "event_slug": "conference", "id": "c-1", "position_id": 7,
        },
        f"GET {EVENT}items/{{id}}/": {"organizer_slug": "demo", "event_slug": "conference", "id": "3"},
    }  # fmt: skip


def test_the_verdict_fails_a_5xx_and_an_operation_that_never_got_a_2xx(fuzz, monkeypatch, capsys):
    monkeypatch.setattr(fuzz, "NO_2XX", {"GET /c/": "why it may", "GET /d/": "why it may"})
    counts = {
        "GET /a/": Counter({"cases": 3, "2xx": 1, "4xx": 2, "seconds": 0.1}),
        "GET /b/": Counter({"cases": 2, "4xx": 2, "seconds": 0.1}),
        "GET /c/": Counter({"cases": 2, "4xx": 2, "seconds": 0.1}),
        "GET /d/": Counter({"cases": 2, "2xx": 1, "5xx": 1, "seconds": 0.1}),
    }
    assert fuzz.report(counts) == [
        "GET /b/: no 2xx",
        "GET /d/: 1 answers 5xx",
        "GET /d/: 1 answers 2xx, so it should leave NO_2XX",
    ]
    table = capsys.readouterr().out.splitlines()
    assert table[-5].split() == ["GET", "/a/", "3", "1", "2", "0", "0"]
    assert table[-1].split() == ["all", "4", "operations", "9", "2", "6", "1", "0"]

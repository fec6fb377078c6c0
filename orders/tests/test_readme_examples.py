"""The README's example requests with a body run against the demo data and answer what the README says
(the total in the comment above each ``curl``)."""

from __future__ import annotations

import io
import json
import re
import shlex
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from conftest import token_client
from ticketing.models import Item, Team
from ticketing.tests.factories import make_token

README = Path(__file__).resolve().parents[2] / "README.md"
#: The item ids the README names, as a fresh demo database has them (the README says so) -> the item.
README_ITEMS = {1: "Regular ticket", 2: "Student ticket"}
EXPECTED = re.compile(r"→ (?:(\d{3}), )?(?:\w+, )?total (\d+\.\d{2})")

pytestmark = pytest.mark.django_db


def examples() -> list[tuple[str, dict, bool, int, Decimal]]:
    """(path, body, with_token, status, total) of each curl with a body in the README's sh blocks."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", README.read_text(), re.DOTALL):
        comment = ""
        for command in block.replace("\\\n", " ").splitlines():
            if command.startswith("#"):
                comment = command
                continue
            words = shlex.split(command)
            if not words or words[0] != "curl" or "-d" not in words:
                continue
            expected = EXPECTED.search(comment)
            assert expected, f"no '→ total' in the comment above: {command}"
            body = json.loads(words[words.index("-d") + 1])
            path = words[-1].removeprefix("http://localhost:8000")
            status = int(expected.group(1) or 200)
            found.append((path, body, "$TOKEN" in command, status, Decimal(expected.group(2))))
    return found


def test_the_readme_shows_a_preview_and_an_order_with_a_code():
    paths = [path for path, *_ in examples()]
    assert any(path.endswith("/price-preview/") for path in paths)
    assert any(path.endswith("/orders/") for path in paths)
    assert all(body.get("codes") for _, body, *_ in examples())


def test_the_readme_examples_answer_what_the_readme_says(client):
    call_command("demo", stdout=io.StringIO())
    api = token_client(make_token(Team.objects.get(organizer__slug="demo", name="Demo team")))
    items = {n: Item.objects.get(event__slug="conference", name=name).pk for n, name in README_ITEMS.items()}
    for path, body, with_token, status, total in examples():
        body = {**body, "positions": [{**p, "item": items[p["item"]]} for p in body["positions"]]}
        response = (api if with_token else client).post(path, body, content_type="application/json")
        assert response.status_code == status, (path, response.json())
        assert Decimal(response.json()["total"]) == total, path

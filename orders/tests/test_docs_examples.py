"""Every request example of ``docs/``, run against the API.

An example is an ```` ```http ```` block right after an HTML comment ``<!-- example: <name> -->``; every
```` ```http ```` block of ``docs/*.md`` must be one (a test checks it). A block holds one or more
exchanges, each::

    POST /api/v1/organizers/demo/events/conference/carts/<cart>/codes/ HTTP/1.1
    Authorization: Token <token>                      (header lines: optional, not sent)
    {"code": "TEN-PCT"}                               (JSON body: optional, may span lines)

    HTTP/1.1 201 Created
    {"total": "41.40", "codes": [...]}                (expected JSON: optional, may span lines)

and exchanges are separated by a blank line. Each example runs on a fresh test database holding what
``manage.py demo`` creates (its ``ensure_demo_*`` functions, called in the same order), with an
:class:`~rest_framework.test.APIClient` authenticated with the demo team's token — or with no
credentials at all when the marker says so: ``<!-- example: <name> anonymous -->``. Checks: the status is
the one shown, and the JSON shown is a *subset* of the answer — a dict's every key shown must be there
with a matching value (recursively), a list must have the same length and match element by element, a
string ``"…"`` matches any value; other values must be equal.

Ids. Paths use the demo slugs (``demo``, ``conference``) literally. Item ids are written as a fresh
``manage.py demo`` database has them (1 = Regular ticket …, :data:`DOC_ITEMS`), so that a reader can
paste the requests; the test translates every ``"item"`` value of a body and of an expected answer to
the actual id, by item name. That does not depend on the database's sequences (on PostgreSQL they do
not restart between tests), and ``test_the_docs_item_ids_are_the_demo_items_in_creation_order`` checks
that the demo still creates its items in that order, so the ids written in the docs stay right. A path
may name ``<cart>`` (the ``id`` of the block's last ``POST …/carts/`` answer) or ``<order>`` (the
``code`` of its last checkout or ``POST …/orders/`` answer, a simulation aside); a body may name them too,
as a whole string (``"consume_carts": ["<cart>"]``). Other ids in paths are written as a fresh
demo database has them too and translated the same way (:data:`DOC_PATH_IDS`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from discounts.demo import ensure_demo_discounts
from orders.demo import ensure_demo_orders
from ticketing.demo import ensure_demo_ticketing
from ticketing.models import Item, SalesChannel
from vouchers.demo import ensure_demo_codes
from vouchers.models import GiftCard

DOCS = Path(__file__).resolve().parents[2] / "docs"
FILES = tuple(sorted(path.name for path in DOCS.glob("*.md")))
#: Examples written so far: fewer found means a marker was renamed or a block no longer parses.
AT_LEAST = {"api.md": 4, "codes.md": 10, "orders.md": 7, "giftcards.md": 5, "audit.md": 1}

#: Item ids as the docs write them (a fresh ``manage.py demo`` database) -> the demo conference's item.
DOC_ITEMS = {
    1: "Regular ticket", 2: "Student ticket", 3: "VIP ticket", 4: "Speaker ticket",
    5: "Workshop: Django deep dive", 6: "Workshop: API design", 7: "Parking pass", 8: "T-shirt",
}  # fmt: skip

#: Ids in paths, as a fresh demo database has them -> how to find the demo's object (a model and a lookup).
DOC_PATH_IDS: dict[str, tuple[type, dict[int, dict[str, str]]]] = {
    "saleschannels": (SalesChannel, {1: {"identifier": "web", "organizer__slug": "demo"}}),
    "giftcards": (GiftCard, {1: {"code": "DEMO-GIFT", "organizer__slug": "demo"}}),
}

MARKER = re.compile(
    r"^<!--\s*example:\s*([\w.-]+)(\s+anonymous)?\s*-->\s*\n```http\n(.*?)\n```", re.DOTALL | re.MULTILINE
)
PATH_ID = re.compile(r"/(" + "|".join(DOC_PATH_IDS) + r")/(\d+)/")
REQUEST = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) (/\S*)(?: HTTP/1\.1)?$")
HEADER = re.compile(r"^[A-Za-z][A-Za-z0-9-]*: ")
STATUS = re.compile(r"^HTTP/1\.1 (\d{3})\b")
PLACEHOLDER = re.compile(r"<(cart|order)>")
ANY = "…"

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    body: Any  # None: no body
    status: int
    expected: Any  # None: nothing checked beyond the status


@dataclass(frozen=True)
class Example:
    file: str
    name: str
    exchanges: tuple[Exchange, ...]
    anonymous: bool = False


def parse_json(lines: list[str], where: str) -> Any:
    if not lines:
        return None
    try:
        return json.loads("\n".join(lines))
    except json.JSONDecodeError as exc:
        raise AssertionError(f"{where}: not JSON: {exc}\n" + "\n".join(lines)) from exc


def parse_block(text: str, where: str) -> tuple[Exchange, ...]:
    """The exchanges of one ```http block (see the module docstring)."""
    exchanges = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        request = REQUEST.match(lines[i])
        assert request, f"{where}: expected a request line, got {lines[i]!r}"
        i += 1
        while i < len(lines) and HEADER.match(lines[i]):
            i += 1
        body = []
        while i < len(lines) and not STATUS.match(lines[i]):
            if lines[i].strip():
                body.append(lines[i])
            i += 1
        assert i < len(lines), f"{where}: {request.group(0)!r} has no status line"
        status = int(STATUS.match(lines[i]).group(1))
        i += 1
        answer = []
        while i < len(lines) and lines[i].strip():
            answer.append(lines[i])
            i += 1
        exchanges.append(Exchange(
            method=request.group(1), path=request.group(2), body=parse_json(body, where), status=status,
            expected=parse_json(answer, where),
        ))  # fmt: skip
    assert exchanges, f"{where}: no exchange"
    return tuple(exchanges)


def collect() -> list[Example]:
    examples = []
    for file in FILES:
        text = (DOCS / file).read_text(encoding="utf-8")
        for match in MARKER.finditer(text):
            name = match.group(1)
            exchanges = parse_block(match.group(3), f"{file}, example {name}")
            examples.append(Example(file, name, exchanges, anonymous=bool(match.group(2))))
    return examples


EXAMPLES = collect()


def test_every_written_example_is_found_once():
    for file, least in AT_LEAST.items():
        found = [e.name for e in EXAMPLES if e.file == file]
        assert len(found) >= least, (file, found)
    names = [e.name for e in EXAMPLES]
    assert len(names) == len(set(names)), names
    # A marker the pattern above misses (a typo, no ```http right after it) would drop its example.
    for file in FILES:
        markers = re.findall(r"^<!--\s*example:", (DOCS / file).read_text(encoding="utf-8"), re.MULTILINE)
        assert len(markers) == len([e for e in EXAMPLES if e.file == file]), file


def test_every_request_example_of_the_docs_is_run():
    """No ```http block without its marker: each request shown to a reader is one this module runs."""
    unmarked = []
    for file in FILES:
        text = (DOCS / file).read_text(encoding="utf-8")
        for match in re.finditer(r"^```http\n", text, re.MULTILINE):
            before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
            if not re.match(r"<!--\s*example:", before):
                unmarked.append(f"{file}:{text[: match.start()].count(chr(10)) + 1}")
    assert unmarked == []


@pytest.fixture
def demo():
    """What ``manage.py demo`` creates, in the same order (``orders/management/commands/demo.py``)."""
    ticketing = ensure_demo_ticketing()
    ensure_demo_discounts(ticketing.conference)
    codes = ensure_demo_codes(ticketing.organizer, ticketing.conference)
    ensure_demo_orders(ticketing.conference, codes)
    assert ticketing.conference.live  # the price preview only knows live events
    return ticketing


def test_the_docs_item_ids_are_the_demo_items_in_creation_order(demo):
    in_order = Item.objects.filter(event=demo.conference).order_by("pk").values_list("name", flat=True)
    assert list(in_order) == [DOC_ITEMS[n] for n in sorted(DOC_ITEMS)]
    first_item = Item.objects.order_by("pk").first()
    assert first_item.event == demo.conference  # the conference's items are the first a demo creates
    first_channel = SalesChannel.objects.order_by("pk").first()
    assert (first_channel.organizer.slug, first_channel.identifier) == ("demo", "web")  # DOC_PATH_IDS
    first_card = GiftCard.objects.order_by("pk").first()
    assert (first_card.organizer.slug, first_card.code) == ("demo", "DEMO-GIFT")  # DOC_PATH_IDS


def translate_items(value: Any, ids: dict[int, int]) -> Any:
    """``value`` with every ``"item": <docs id>`` replaced by the demo item's actual id."""
    if isinstance(value, dict):
        return {
            key: ids[item] if key == "item" and isinstance(item, int) else translate_items(item, ids)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [translate_items(item, ids) for item in value]
    return value


def fill_placeholders(value: Any, known: dict[str, str], where: str) -> Any:
    """``value`` with every string ``"<cart>"`` or ``"<order>"`` replaced as in paths (e.g. in
    ``consume_carts``)."""
    if isinstance(value, dict):
        return {key: fill_placeholders(item, known, where) for key, item in value.items()}
    if isinstance(value, list):
        return [fill_placeholders(item, known, where) for item in value]
    if isinstance(value, str) and (match := PLACEHOLDER.fullmatch(value)):
        assert match.group(1) in known, f"{where}: no earlier answer gives <{match.group(1)}>"
        return known[match.group(1)]
    return value


def test_fill_placeholders_replaces_whole_strings_only():
    known = {"cart": "c-1"}
    filled = fill_placeholders({"a": ["<cart>", "x <cart>"], "b": 1}, known, "")
    assert filled == {"a": ["c-1", "x <cart>"], "b": 1}


def translate_path_id(match: re.Match) -> str:
    model, lookups = DOC_PATH_IDS[match.group(1)]
    return f"/{match.group(1)}/{model.objects.get(**lookups[int(match.group(2))]).pk}/"


def mismatch(expected: Any, actual: Any, where: str = "$") -> str | None:
    """Where ``expected`` is not a subset of ``actual`` (the rules of the module docstring), or None."""
    if expected == ANY:
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            if key not in actual:
                return f"{where}: no key {key!r} in {sorted(actual)}"
            found = mismatch(value, actual[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{where}: expected a list of {len(expected)}, got {actual!r}"
        for index, (value, item) in enumerate(zip(expected, actual, strict=True)):
            found = mismatch(value, item, f"{where}[{index}]")
            if found:
                return found
        return None
    if expected != actual or type(expected) is not type(actual):
        return f"{where}: expected {expected!r}, got {actual!r}"
    return None


def test_mismatch_follows_the_subset_rules():
    assert mismatch({"a": [{"b": 1}]}, {"a": [{"b": 1, "c": 2}], "d": 3}) is None
    assert mismatch({"a": ANY}, {"a": {"deep": True}}) is None
    assert mismatch({"a": [1]}, {"a": [1, 2]}) == "$.a: expected a list of 1, got [1, 2]"
    assert mismatch({"a": {"b": "1.00"}}, {"a": {"b": "1.0"}}) == "$.a.b: expected '1.00', got '1.0'"
    assert mismatch({"x": 1}, {"y": 1}) == "$: no key 'x' in ['y']"
    assert mismatch({"a": 1}, {"a": True}) is not None  # True == 1 in Python, not in JSON


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{e.file}:{e.name}" for e in EXAMPLES])
def test_docs_example(demo, example: Example):
    client = APIClient()
    if not example.anonymous:
        client.credentials(HTTP_AUTHORIZATION=f"Token {demo.token}")
    by_name = {item.name: item.pk for item in Item.objects.filter(event=demo.conference)}
    ids = {doc_id: by_name[name] for doc_id, name in DOC_ITEMS.items()}
    known: dict[str, str] = {}
    for step, exchange in enumerate(example.exchanges, start=1):
        where = f"{example.file}, example {example.name}, request {step} ({exchange.method} {exchange.path})"

        def resolve(match: re.Match, where=where) -> str:
            assert match.group(1) in known, f"{where}: no earlier answer gives <{match.group(1)}>"
            return known[match.group(1)]

        path = PATH_ID.sub(translate_path_id, PLACEHOLDER.sub(resolve, exchange.path))
        call = getattr(client, exchange.method.lower())
        if exchange.body is None:
            response = call(path)
        else:
            body = fill_placeholders(translate_items(exchange.body, ids), known, where)
            response = call(path, body, format="json")
        answer = response.json() if response.content else None
        assert response.status_code == exchange.status, f"{where}: {response.status_code} {answer}"
        if exchange.expected is not None:
            problem = mismatch(translate_items(exchange.expected, ids), answer)
            assert problem is None, f"{where}: {problem}\nanswer: {json.dumps(answer)}"
        if exchange.method == "POST" and 200 <= response.status_code < 300:
            if path.endswith("/carts/"):
                known["cart"] = answer["id"]
            elif path.endswith(("/checkout/", "/orders/")) and not (exchange.body or {}).get("simulate"):
                known["order"] = answer["code"]

"""Every request example of ``docs/``, run against the API.

An example is an ```` ```http ```` block right after an HTML comment ``<!-- example: <name> -->``; every
```` ```http ```` block of ``docs/**/*.md`` (``docs/api/`` too) must be one (a test checks it). A block holds
one or more exchanges, each::

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

Ids. Paths use the demo slugs (``demo``, ``conference``) literally. Every other id — in a path, a query
string, a body or an expected answer — is written as a fresh ``manage.py demo`` database has it (item 1 =
Regular ticket, 9 = the festival's Day pass, category 2 = Workshops …), so that a reader can paste the
requests; the test translates it to the actual id of the same demo object, found by its natural key
(:data:`DOC_IDS`). That does not depend on the database's sequences (on PostgreSQL they do not restart
between tests), and ``test_the_docs_ids_are_the_demo_objects_in_creation_order`` checks that the demo still
creates those objects in that order, so the ids written in the docs stay right. Which values are ids, and of
what: the keys of :data:`ID_KEYS` (``"item"``, ``"items"``, ``"category"``, ``"bundled_variation"`` …: an id,
a list of them, or objects whose ``"id"`` is one), the path segments of :data:`PATH_KINDS` (``/items/3/``),
the query parameters named like :data:`ID_KEYS` (``?subevent=2``), and the ``"id"`` of an answer of such a
path and of its ``results`` (``GET …/categories/`` lists categories). An object that the example creates
gets whatever id the sequence gives (on PostgreSQL not the one a fresh database would): write it ``"…"``.
A path may name ``<cart>`` (the ``id`` of the block's last ``POST …/carts/`` answer) or ``<order>`` (the
``code`` of its last checkout or ``POST …/orders/`` answer, a simulation aside); a body may name them too,
as a whole string (``"consume_carts": ["<cart>"]``). Writes stay inside the example: each runs in its
test's transaction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Model
from rest_framework.test import APIClient

from discounts.demo import ensure_demo_discounts
from discounts.models import Discount
from orders.demo import ensure_demo_orders
from ticketing.demo import ensure_demo_ticketing
from ticketing.models import (
    Item,
    ItemAddOn,
    ItemBundle,
    ItemCategory,
    ItemVariation,
    Quota,
    SalesChannel,
    SubEvent,
)
from vouchers.demo import ensure_demo_codes
from vouchers.models import GiftCard

DOCS = Path(__file__).resolve().parents[2] / "docs"
FILES = tuple(sorted(path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")))
#: Examples written so far: fewer found means a marker was renamed or a block no longer parses.
AT_LEAST = {
    "api.md": 4, "codes.md": 10, "orders.md": 10, "giftcards.md": 5, "audit.md": 1,
    "api/categories.md": 2, "api/discounts.md": 4, "api/events.md": 3, "api/items.md": 6,
    "api/organizers.md": 3, "api/quotas.md": 4, "api/saleschannels.md": 5, "api/subevents.md": 3,
}  # fmt: skip

#: Ids as the docs write them (those of a fresh ``manage.py demo`` database), by kind: the model, the fields
#: of its natural key, and doc id -> the demo object's key. Ids 1..n, in the order the demo creates them.
DOC_IDS: dict[str, tuple[type[Model], tuple[str, ...], dict[int, tuple[str, ...]]]] = {
    "item": (Item, ("event__slug", "name"), {
        1: ("conference", "Regular ticket"), 2: ("conference", "Student ticket"),
        3: ("conference", "VIP ticket"), 4: ("conference", "Speaker ticket"),
        5: ("conference", "Workshop: Django deep dive"), 6: ("conference", "Workshop: API design"),
        7: ("conference", "Parking pass"), 8: ("conference", "T-shirt"),
        9: ("festival", "Day pass"), 10: ("festival", "Camping spot"),
    }),
    "variation": (ItemVariation, ("item__name", "value"), {
        1: ("T-shirt", "S"), 2: ("T-shirt", "M"), 3: ("T-shirt", "L"),
        4: ("Day pass", "Standard"), 5: ("Day pass", "Reduced"),
    }),
    "category": (ItemCategory, ("event__slug", "name"), {
        1: ("conference", "Tickets"), 2: ("conference", "Workshops"), 3: ("conference", "Extras"),
        4: ("festival", "Passes"),
    }),
    "addon": (ItemAddOn, ("base_item__name", "addon_category__name"), {
        1: ("Regular ticket", "Workshops"), 2: ("Student ticket", "Workshops"),
        3: ("VIP ticket", "Workshops"),
    }),
    "bundle": (ItemBundle, ("base_item__name", "bundled_item__name"), {1: ("VIP ticket", "Parking pass")}),
    "subevent": (SubEvent, ("name",), {
        1: ("Demo Festival – Friday",), 2: ("Demo Festival – Saturday",), 3: ("Demo Festival – Sunday",),
    }),
    "quota": (Quota, ("event__slug", "name"), {
        1: ("conference", "Tickets"), 2: ("conference", "Workshops"), 3: ("conference", "Parking"),
        4: ("conference", "T-shirts"),
        5: ("festival", "Day passes Friday"), 6: ("festival", "Camping Friday"),
        7: ("festival", "Day passes Saturday"), 8: ("festival", "Camping Saturday"),
        9: ("festival", "Day passes Sunday"), 10: ("festival", "Camping Sunday"),
    }),
    "discount": (Discount, ("event__slug", "internal_name"), {
        1: ("conference", "3 for 2"), 2: ("conference", "10% off from 100.00"),
    }),
    "saleschannel": (SalesChannel, ("organizer__slug", "identifier"), {
        1: ("demo", "web"), 2: ("demo", "box"),
    }),
    "giftcard": (GiftCard, ("organizer__slug", "code"), {1: ("demo", "DEMO-GIFT")}),
}  # fmt: skip

#: JSON keys (of bodies, answers and query strings) holding ids of a kind: an id, a list of ids, or objects
#: (one or a list) whose ``"id"`` is one.
ID_KEYS = {
    "item": "item", "items": "item", "bundled_item": "item",
    "condition_limit_products": "item", "benefit_limit_products": "item",
    "variation": "variation", "variations": "variation", "bundled_variation": "variation",
    "category": "category", "addon_category": "category", "addons": "addon", "bundles": "bundle",
    "subevent": "subevent", "discount": "discount",
}  # fmt: skip
#: Path segments followed by an id of a kind. A path ending in such a collection (or one of its members)
#: answers objects of that kind: the ``"id"`` of the answer, and of each of its ``results``.
PATH_KINDS = {
    "items": "item", "variations": "variation", "categories": "category", "addons": "addon",
    "bundles": "bundle", "subevents": "subevent", "quotas": "quota", "discounts": "discount",
    "saleschannels": "saleschannel", "giftcards": "giftcard",
}  # fmt: skip

MARKER = re.compile(
    r"^<!--\s*example:\s*([\w.-]+)(\s+anonymous)?\s*-->\s*\n```http\n(.*?)\n```", re.DOTALL | re.MULTILINE
)
PATH_ID = re.compile(r"/(" + "|".join(PATH_KINDS) + r")/(\d+)(?=[/?]|$)")
QUERY_ID = re.compile(r"([?&])(" + "|".join(ID_KEYS) + r")=(\d+)(?=&|$)")
PATH_KIND = re.compile(r"/(" + "|".join(PATH_KINDS) + r")/(?:\d+/)?(?:\?.*)?$")
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


def test_the_docs_ids_are_the_demo_objects_in_creation_order(demo):
    """A fresh database numbers the demo's objects 1, 2 … in creation order: those are the ids of DOC_IDS."""
    for kind, (model, fields, keys) in DOC_IDS.items():
        assert sorted(keys) == list(range(1, len(keys) + 1)), kind
        created = list(model.objects.order_by("pk").values_list(*fields))
        assert created == [keys[doc_id] for doc_id in sorted(keys)], kind


def actual_id(kind: str, doc_id: int, where: str) -> int:
    """The id that the demo object ``doc_id`` of ``kind`` (:data:`DOC_IDS`) has in the test database."""
    model, fields, keys = DOC_IDS[kind]
    assert doc_id in keys, f'{where}: {kind} {doc_id} is no demo object (DOC_IDS); write "…" for a new one'
    return model.objects.get(**dict(zip(fields, keys[doc_id], strict=True))).pk


def translate_ids(value: Any, kind: str | None, where: str) -> Any:
    """``value`` (a body or an answer) with the docs' ids replaced by the actual ones: the ``"id"`` of
    objects of ``kind`` (also in ``results``), and what the keys of :data:`ID_KEYS` hold."""
    if isinstance(value, dict):
        return {
            key: translate_ids(item, kind if key in ("id", "results") else ID_KEYS.get(key), where)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [translate_ids(item, kind, where) for item in value]
    if kind and isinstance(value, int) and not isinstance(value, bool):
        return actual_id(kind, value, where)
    return value


def test_translate_ids_follows_the_keys(demo):
    regular = Item.objects.get(event=demo.conference, name="Regular ticket").pk
    tickets = ItemCategory.objects.get(event=demo.conference, name="Tickets").pk
    doc = {"id": 1, "items": [1, {"id": 1}], "item": "1", "position": 1, "results": [{"id": 1}]}
    translated = translate_ids(doc, "category", "")
    assert translated == {
        "id": tickets, "items": [regular, {"id": regular}], "item": "1", "position": 1,
        "results": [{"id": tickets}],
    }  # fmt: skip


def translate_path(path: str, where: str) -> str:
    """``path`` with the docs' ids after :data:`PATH_KINDS` segments and in :data:`ID_KEYS` query
    parameters replaced by the actual ones."""
    path = PATH_ID.sub(
        lambda m: f"/{m.group(1)}/{actual_id(PATH_KINDS[m.group(1)], int(m.group(2)), where)}", path
    )
    return QUERY_ID.sub(
        lambda m: f"{m.group(1)}{m.group(2)}={actual_id(ID_KEYS[m.group(2)], int(m.group(3)), where)}", path
    )


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
    known: dict[str, str] = {}
    for step, exchange in enumerate(example.exchanges, start=1):
        where = f"{example.file}, example {example.name}, request {step} ({exchange.method} {exchange.path})"

        def resolve(match: re.Match, where=where) -> str:
            assert match.group(1) in known, f"{where}: no earlier answer gives <{match.group(1)}>"
            return known[match.group(1)]

        path = translate_path(PLACEHOLDER.sub(resolve, exchange.path), where)
        kind = PATH_KINDS[found.group(1)] if (found := PATH_KIND.search(exchange.path)) else None
        call = getattr(client, exchange.method.lower())
        if exchange.body is None:
            response = call(path)
        else:
            body = fill_placeholders(translate_ids(exchange.body, kind, where), known, where)
            response = call(path, body, format="json")
        answer = response.json() if response.content else None
        assert response.status_code == exchange.status, f"{where}: {response.status_code} {answer}"
        if exchange.expected is not None:
            problem = mismatch(translate_ids(exchange.expected, kind, where), answer)
            assert problem is None, f"{where}: {problem}\nanswer: {json.dumps(answer)}"
        if exchange.method == "POST" and 200 <= response.status_code < 300:
            if path.endswith("/carts/"):
                known["cart"] = answer["id"]
            elif path.endswith(("/checkout/", "/orders/")) and not (exchange.body or {}).get("simulate"):
                known["order"] = answer["code"]

"""A Python client generated from the served schema works: openapi-python-client, then a checkout with it.

The generator reads ``/api/schema/`` from a live server, with the settings that docs/api.md shows
(``docs/openapi-python-client.yaml``), into a temporary directory. It must finish without a warning
(a warning means a part of the API it could not type, which is a schema problem to fix in the schema),
every module it wrote must import, and the demo's checkout must run through its typed functions and
models: list the events, create a cart, apply a code, read the priced cart, have a code refused with
its typed error and stable code, check out, read the order.
"""

from __future__ import annotations

import importlib
import io
import os
import pkgutil
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from config.tests.documented import fetch_schema

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "docs" / "openapi-python-client.yaml"
PACKAGE = "ticketshop_client"
METHODS = {"get", "post", "put", "patch", "delete"}


def run_generator(schema_url: str, output: Path) -> subprocess.CompletedProcess:
    # Its post-generation hooks run ruff (of the dev extra), next to this interpreter.
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--url", schema_url,
               "--config", str(CONFIG), "--output-path", str(output)]  # fmt: skip
    return subprocess.run(command, cwd=output.parent, env=env, capture_output=True, text=True, timeout=300)


def generator_complaints(result: subprocess.CompletedProcess) -> list[str]:
    """Whatever the generator said beyond the line naming where it writes."""
    lines = (result.stdout + result.stderr).splitlines()
    return [line for line in lines if line.strip() and not line.startswith("Generating ")]


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker, live_server, tmp_path_factory):
    """The generated package, imported; its directory comes off ``sys.path`` afterwards."""
    project = tmp_path_factory.mktemp("client") / "ticketshop-client"
    with django_db_blocker.unblock():  # the schema view reads no rows, but may open a connection
        result = run_generator(f"{live_server.url}/api/schema/", project)
    if result.returncode != 0 or generator_complaints(result):
        pytest.fail(
            f"openapi-python-client failed (exit {result.returncode}) on the served schema:\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    sys.path.insert(0, str(project))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(project))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_every_generated_module_imports(generated, db):
    names = [m.name for m in pkgutil.walk_packages(generated.__path__, prefix=f"{PACKAGE}.")]
    failures = {}
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, with its module
            failures[name] = repr(exc)
    assert failures == {}
    operations = [n for n in names if n.startswith(f"{PACKAGE}.api.") and n.count(".") == 3]
    schema = fetch_schema()
    count = sum(1 for item in schema["paths"].values() for method in item if method in METHODS)
    assert len(operations) == count  # one module per operation: none was left out
    tags = {n.split(".")[2] for n in operations}
    assert {"carts", "events", "orders", "vouchers", "coupon_series", "gift_cards"} <= tags


def operation(tag: str, operation_id: str):
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{operation_id}")


def demo_token() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out)
    return re.search(r"^API token: (\S+)$", out.getvalue(), re.M).group(1)


def test_a_checkout_runs_through_the_generated_client(generated, live_server, transactional_db):
    models = importlib.import_module(f"{PACKAGE}.models")
    client = generated.AuthenticatedClient(base_url=live_server.url, token=demo_token(), prefix="Token")
    org, event = "demo", "conference"

    events = operation("events", "v1_organizers_events_list").sync_detailed(org, client=client)
    assert events.status_code == 200
    assert isinstance(events.parsed, models.PaginatedEventList)
    assert event in [e.slug for e in events.parsed.results]

    items = operation("items", "v1_organizers_events_items_list").sync(org, event, client=client)
    ticket = next(item for item in items.results if item.name == "Regular ticket")

    positions = [models.PositionInputRequest(item=ticket.id), models.PositionInputRequest(item=ticket.id)]
    created = operation("carts", "v1_organizers_events_carts_create").sync_detailed(
        org, event, client=client, body=models.CartCreateRequest(positions=positions)
    )
    assert created.status_code == 201, created.content
    cart_id = str(created.parsed.id)
    assert Decimal(created.parsed.total) == 2 * Decimal(ticket.default_price)

    apply_code = operation("carts", "v1_organizers_events_carts_codes_create")
    applied = apply_code.sync_detailed(
        org, event, cart_id, client=client, body=models.CodeInputRequest(code="DEMO-PROMO")
    )
    assert applied.status_code == 201, applied.content

    cart = operation("carts", "v1_organizers_events_carts_retrieve").sync(org, event, cart_id, client=client)
    assert isinstance(cart, models.Cart)
    assert [(c.code, c.kind, c.discount) for c in cart.codes] == [("DEMO-PROMO", "promo_code", "5.00")]
    assert Decimal(cart.total) == Decimal(cart.list_total) - Decimal("5.00")
    assert all(isinstance(p, models.PricedPosition) for p in cart.positions) and len(cart.positions) == 2

    refused = apply_code.sync_detailed(
        org, event, cart_id, client=client, body=models.CodeInputRequest(code="NO-SUCH-CODE")
    )
    assert refused.status_code == 400
    assert isinstance(refused.parsed, models.Error400), refused.parsed
    assert refused.parsed.code == models.Error400CodeEnum.INVALID
    assert refused.parsed.detail

    checkout = operation("carts", "v1_organizers_events_carts_checkout_create").sync_detailed(
        org, event, cart_id, client=client,
        body=models.CheckoutRequest(email="buyer@example.com", name="A Buyer", expected_total=cart.total),
    )  # fmt: skip
    assert checkout.status_code == 201, checkout.content
    order = checkout.parsed
    assert isinstance(order, models.Order)
    # pretix's letter, and the word beside it
    assert (order.total, order.status, order.status_text) == (
        cart.total, models.StatusEnum.N, models.StatusTextEnum.PENDING
    )  # fmt: skip
    assert order.email == "buyer@example.com"

    read_order = operation("orders", "v1_organizers_events_orders_retrieve")
    read = read_order.sync(org, event, order.code, client=client)
    assert (read.code, read.total, len(read.positions)) == (order.code, cart.total, 2)


def docs_example() -> str:
    """The Python block of docs/api.md's "Generating a client"."""
    text = (ROOT / "docs" / "api.md").read_text()
    section = text.split("## Generating a client", 1)[1]
    return re.search(r"^```python\n(.*?)^```", section, re.M | re.S).group(1)


def test_the_docs_example_runs(generated, live_server, transactional_db, capsys):
    from ticketing.models import Item

    token = demo_token()
    ticket = Item.objects.get(event__slug="conference", name="Regular ticket").pk
    code = docs_example()
    for written, actual in [('"http://localhost:8000"', repr(live_server.url)), ('"<token>"', repr(token)),
                            ("item=1)", f"item={ticket})")]:  # fmt: skip
        assert written in code
        code = code.replace(written, actual)
    exec(compile(code, "docs/api.md", "exec"), {})
    cart_line, order_line = capsys.readouterr().out.splitlines()
    assert cart_line == "18.00 [('DEMO-PROMO', '5.00')]"
    assert re.fullmatch(r"\w+ n pending 18\.00", order_line), order_line

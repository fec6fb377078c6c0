"""Every write of an audited model that bypasses the model signals (``QuerySet.update``, ``bulk_create``,
``bulk_update``) sits in a function that tells the audit log (``core.audit.record_bulk``), unless it is
listed below with the reason it is not a change anybody made."""

from __future__ import annotations

import ast
from pathlib import Path

from audit.recording import AUDITED

ROOT = Path(__file__).resolve().parents[2]
APPS = ("ticketing", "jobs", "discounts", "vouchers", "orders")
MODELS = {label.split(".")[1] for label in AUDITED}
BYPASSING = {"update", "bulk_create", "bulk_update"}

#: (module, function): why its bypassing write is not recorded.
NOT_RECORDED = {
    ("vouchers/services/usage.py", "code_uses_record"): "use counters, derived from the order's redemptions",
    ("vouchers/services/usage.py", "code_uses_release"): "use counters, derived from the order's redemptions",
}


def bypassing_writes() -> list[tuple[str, str, int, bool]]:
    """(module, function, line, records) of each bypassing write of an audited model."""
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/tests/" in relative or "/migrations/" in relative:
                continue
            tree = ast.parse(path.read_text())
            for function in ast.walk(tree):
                if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                calls = [node for node in ast.walk(function) if isinstance(node, ast.Call)]
                records = any(_name(call.func) == "record_bulk" for call in calls)
                for call in calls:
                    func = call.func
                    bypassing = isinstance(func, ast.Attribute) and func.attr in BYPASSING
                    if bypassing and _on_audited_model(func.value):
                        found.append((relative, function.name, call.lineno, records))
    return found


def _name(node: ast.AST) -> str | None:
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)


def _on_audited_model(node: ast.AST) -> bool:
    """``Model.objects...`` for an audited model, however many calls are chained in between."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr == "objects" and isinstance(node.value, ast.Name):
                return node.value.id in MODELS
            node = node.value
        else:
            return False


def test_every_write_that_bypasses_the_model_signals_is_recorded():
    writes = bypassing_writes()
    unrecorded = [
        (module, function, line)
        for module, function, line, records in writes
        if not records and (module, function) not in NOT_RECORDED
    ]
    assert unrecorded == []
    # the scan sees the writes it must: the coupons' bulk insert and the rules' reordering among them
    assert {
        ("vouchers/services/coupons.py", "coupons_bulk_create"),
        ("discounts/services.py", "discount_move"),
    } <= {(module, function) for module, function, _, _ in writes}


def test_the_listed_exceptions_still_exist():
    writes = {(module, function) for module, function, _, _ in bypassing_writes()}
    assert set(NOT_RECORDED) <= writes


def test_the_checkout_records_the_order_it_inserts_by_hand():
    source = (ROOT / "orders/checkout/commit.py").read_text()
    assert 'rawsql.insert([order])\n    record_bulk(Order, [order], action="created")' in source

"""The import structure of the house, read from the code's imports (``grimp``, the graph library
under import-linter): one-way floors, the pure engine on the standard library, no import cycle.

Floors, from the ground up: ``core`` (the kernel every app shares) ← ``ticketing`` ← ``jobs``
(background jobs; the apps above register their handlers) and ``notifications`` (the outbox: the apps
above announce their transitions and register handlers; neither imports the other) ← ``discounts``
and ``vouchers`` (side by side, neither imports the other) ← ``orders`` ← ``audit`` (the audit log: it
records the apps below through their model signals and ``core.audit``, none of them imports it) ←
``config`` (settings and URL wiring). A module may import its own app or the floors below it. Tests are
not part of the structure.
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

import grimp

FLOORS = {
    "core": 0, "ticketing": 1, "jobs": 2, "notifications": 2, "discounts": 3, "vouchers": 3, "orders": 4,
    "audit": 5, "config": 6,
}  # fmt: skip
ENGINE = "orders.pricing"

@cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*FLOORS, include_external_packages=True)


def is_test(module: str) -> bool:
    return ".tests" in module or module.endswith(".conftest")


def imports() -> list[tuple[str, str]]:
    g = graph()
    return sorted(
        (importer, imported)
        for importer in g.modules
        if importer.split(".")[0] in FLOORS and not is_test(importer)
        for imported in g.find_modules_directly_imported_by(importer)
    )


def test_every_import_goes_to_the_own_app_or_a_floor_below():
    upward = [
        (importer, imported)
        for importer, imported in imports()
        if (top := imported.split(".")[0]) in FLOORS
        and top != importer.split(".")[0]
        and FLOORS[top] >= FLOORS[importer.split(".")[0]]
    ]
    assert upward == []


def test_the_pricing_engine_imports_the_standard_library_only():
    outside = [
        (importer, imported)
        for importer, imported in imports()
        if importer.startswith(ENGINE)
        and not imported.startswith(ENGINE)
        and imported.split(".")[0] not in sys.stdlib_module_names
    ]
    assert outside == []


def cycles(edges: list[tuple[str, str]]) -> set[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    successors: dict[str, list[str]] = {}
    for importer, imported in edges:
        successors.setdefault(importer, []).append(imported)
        successors.setdefault(imported, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in successors[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for node in list(successors):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    ours = [(a, b) for a, b in imports() if b.split(".")[0] in FLOORS and not is_test(b)]
    assert cycles(ours) == set()


def test_the_cycle_finder_finds_a_loop_and_nothing_in_a_chain():
    assert cycles([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]) == {frozenset({"a", "b", "c"})}
    assert cycles([("a", "b"), ("b", "c")]) == set()


# Names every module of a kind must use, by a framework's or the house's convention: Django finds a
# management command by ``Command``; each app's ``api/routes.py`` offers ``register`` to the URL wiring.
CONVENTIONAL_NAMES = {"Command", "register"}


def top_level_names(root: Path) -> dict[str, list[str]]:
    """Every class and function defined at the top of a module of the apps, by name: where it is defined.
    Tests and migrations are left out (their names are theirs alone)."""
    found: dict[str, list[str]] = {}
    for app in FLOORS:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/tests/" in relative or "/migrations/" in relative:
                continue
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                    found.setdefault(node.name, []).append(relative)
    return found


def shared_names(names: dict[str, list[str]]) -> dict[str, list[str]]:
    return {name: where for name, where in names.items() if len(where) > 1 and name not in CONVENTIONAL_NAMES}


def test_no_two_classes_or_functions_share_a_name_across_modules():
    assert shared_names(top_level_names(Path(__file__).resolve().parents[2])) == {}


def test_a_name_defined_twice_is_found(tmp_path):
    for app, text in (("core", "class Money:\n    pass\n"), ("orders", "def Money():\n    pass\n")):
        (tmp_path / app).mkdir()
        (tmp_path / app / "money.py").write_text(text)
    (tmp_path / "orders" / "tests").mkdir()
    (tmp_path / "orders" / "tests" / "money.py").write_text("def Money():\n    pass\n")
    assert shared_names(top_level_names(tmp_path)) == {"Money": ["core/money.py", "orders/money.py"]}

"""``manage.py simulate_pricing FILE``: the management-command wrapper of ``orders.pricing.simulate``.

No test here has the ``db`` fixture: pytest-django refuses database access, so
these tests also show the command never touches the database.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from itertools import cycle, islice
from pathlib import Path

import pytest
from django.core.management import call_command

from orders.management.commands.simulate_pricing import Command

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_CASES = Path(__file__).resolve().parent / "pricing" / "data" / "cases-public.json"


def load_cases() -> list[dict]:
    return json.loads(PUBLIC_CASES.read_text(encoding="utf-8"))


def outcomes(output: list[list[dict]]) -> list[list[tuple[Decimal, int | None]]]:
    return [[(Decimal(p["price"]), p["discount"]) for p in case] for case in output]


def expected_outcomes(cases: list[dict]) -> list[list[tuple[Decimal, int | None]]]:
    return [[(Decimal(p["price"]), p["discount"]) for p in case["expected"]] for case in cases]


def run(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("simulate_pricing", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_reproduces_every_public_case():
    cases = load_cases()
    stdout, stderr = run(str(PUBLIC_CASES))
    assert stderr == ""
    result = json.loads(stdout)
    assert len(result) == len(cases)
    for case, got, want in zip(cases, outcomes(result), expected_outcomes(cases), strict=True):
        assert got == want, case["name"]


def test_malformed_case_exits_2_naming_case_and_field(tmp_path):
    cases = load_cases()[:2]
    cases[1] = {**cases[1], "name": "broken cart"}
    cases[1]["positions"] = [{**cases[1]["positions"][0], "price": "twelve"}]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("simulate_pricing", str(path), stdout=stdout, stderr=stderr)
    assert caught.value.code == 2
    assert "broken cart" in stderr.getvalue()
    assert "positions[0].price" in stderr.getvalue()
    assert stdout.getvalue() == ""  # a bad file never yields partial output


def test_unreadable_file_exits_2(tmp_path):
    with pytest.raises(SystemExit) as caught:
        run(str(tmp_path / "missing.json"))
    assert caught.value.code == 2


def test_needs_no_system_checks():
    assert Command.requires_system_checks == []


def run_process(path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", "simulate_pricing", str(path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_whole_process_prices_3000_cases(tmp_path):
    public = load_cases()
    cases = [{**case, "name": f"{i}: {case['name']}"} for i, case in enumerate(islice(cycle(public), 3000))]
    path = tmp_path / "cases-3000.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    completed = run_process(path)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert len(result) == 3000
    assert outcomes(result) == expected_outcomes(cases)


def test_whole_process_exits_2_with_the_message_on_stderr(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"name": "cart of one", "now": "2026-06-01T12:00:00Z"}]), encoding="utf-8")
    completed = run_process(path)
    assert completed.returncode == 2
    assert "cart of one" in completed.stderr
    assert "currency" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert completed.stdout == ""

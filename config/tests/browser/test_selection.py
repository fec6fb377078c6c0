"""How the browser tests are selected, checked in the normal run (these tests need no Chromium and are not
marked ``browser``): left out by default, and failing, never skipped, when asked for without Chromium."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

ONE_TEST = "config/tests/browser/test_login_and_scoping.py::test_staff_member_logs_in_with_the_login_form"


def pytest_run(*args: str, **env: str) -> subprocess.CompletedProcess:
    """pytest on SQLite in memory (``DATABASE_URL`` dropped: the PostgreSQL pass's test database is this
    run's own, and another pytest must not recreate it)."""
    environment = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=settings.BASE_DIR, env={**environment, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_normal_run_leaves_the_browser_tests_out():
    run = pytest_run(ONE_TEST)
    assert run.returncode == 5, run.stdout  # pytest: no test ran
    assert "1 deselected" in run.stdout


def test_asked_for_without_chromium_they_fail_saying_what_to_install():
    run = pytest_run("-m", "browser", ONE_TEST, CHROMIUM="/nowhere/chromium")
    assert run.returncode == 1, run.stdout
    assert "missing: /nowhere/chromium" in run.stdout
    assert "apt-get install chromium chromium-driver" in run.stdout
    assert "1 error" in run.stdout and "skipped" not in run.stdout

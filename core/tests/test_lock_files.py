"""The lock files agree with pyproject.toml (the check CI runs first, scripts/lockfile.py), and the check
catches each way they can disagree."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("lockfile", ROOT / "scripts" / "lockfile.py")
lockfile = importlib.util.module_from_spec(spec)
sys.modules["lockfile"] = lockfile  # dataclasses look their module up while the class is made
spec.loader.exec_module(lockfile)


def test_the_repository_locks_agree_with_pyproject():
    assert lockfile.problems() == []


def test_installs_read_the_locks():
    assert "--require-hashes --no-deps" in (ROOT / "scripts" / "setup").read_text()
    assert "-r requirements/dev.txt" in (ROOT / "scripts" / "setup").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes --no-deps -r requirements/prod.txt" in dockerfile
    assert "pip install --prefix=/install --no-deps ." in dockerfile


@pytest.fixture
def copy(tmp_path):
    """pyproject.toml and both locks copied to tmp_path, and the lock descriptions pointing there."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "requirements").mkdir()
    for name in ("prod.txt", "dev.txt"):
        shutil.copy(ROOT / "requirements" / name, tmp_path / "requirements" / name)
    prod = lockfile.LockFile(tmp_path / "requirements" / "prod.txt", ("redis", "sentry"))
    dev = lockfile.LockFile(
        tmp_path / "requirements" / "dev.txt", ("redis", "sentry", "dev"), constraints=prod.path
    )
    return tmp_path, (prod, dev)


def check(tmp_path, locks) -> list[str]:
    return lockfile.problems(tmp_path / "pyproject.toml", locks)


def test_a_changed_pyproject_is_caught(copy):
    tmp_path, locks = copy
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            '"whitenoise>=6.6,<7",', '"whitenoise>=6.6,<7",\n    "no-such-package>=1",'
        )
    )
    found = check(tmp_path, locks)
    assert any("prod.txt was written for another pyproject.toml" in p for p in found)
    assert any("prod.txt does not pin no-such-package, which pyproject.toml asks for" in p for p in found)
    assert any("dev.txt does not pin no-such-package" in p for p in found)


def test_a_pin_outside_the_bounds_is_caught(copy):
    tmp_path, locks = copy
    prod = tmp_path / "requirements" / "prod.txt"
    text = prod.read_text()
    version = lockfile.pins(text)["django"]
    prod.write_text(text.replace(f"django=={version} ", "django==6.0.1 "))
    assert any(
        "prod.txt pins Django==6.0.1, outside pyproject.toml's Django<5.3,>=5.2" in p
        for p in check(tmp_path, locks)
    )


def test_locks_that_pin_one_package_twice_differently_are_caught(copy):
    tmp_path, locks = copy
    dev = tmp_path / "requirements" / "dev.txt"
    text = dev.read_text()
    version = lockfile.pins(text)["kombu"]
    dev.write_text(text.replace(f"kombu=={version} ", "kombu==0.0.1 "))
    assert any(
        p == f"dev.txt pins kombu==0.0.1 but prod.txt pins {version}: run scripts/lock"
        for p in check(tmp_path, locks)
    )


def test_a_missing_lock_or_one_without_hashes_is_caught(copy):
    tmp_path, locks = copy
    dev = tmp_path / "requirements" / "dev.txt"
    dev.write_text("\n".join(line for line in dev.read_text().splitlines() if "--hash" not in line))
    (tmp_path / "requirements" / "prod.txt").unlink()
    found = check(tmp_path, locks)
    assert any(p.endswith("prod.txt is missing: run scripts/lock") for p in found)
    assert any(p.endswith("dev.txt carries no hashes: run scripts/lock") for p in found)

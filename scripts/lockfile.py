"""The lock files: write them from pyproject.toml, and check that they still agree with it.

Two lock files, both written by ``uv pip compile`` with a hash for every file, for every platform and every
Python the project supports (``--universal``):

- ``requirements/prod.txt``: what the image runs (the dependencies and the ``redis`` and ``sentry`` extras);
- ``requirements/dev.txt``: that plus the ``dev`` extra, with every package of ``prod.txt`` at the same
  version (it is compiled with ``prod.txt`` as constraints), for ``scripts/setup``, the tests and CI.

Each starts with a line ``# pyproject-digest: <sha256>`` of pyproject.toml's ``requires-python``,
``dependencies`` and ``optional-dependencies``.

    python scripts/lockfile.py write            # after changing pyproject.toml: keeps the pins that fit
    python scripts/lockfile.py write --upgrade  # move every package to its newest version within the bounds
    python scripts/lockfile.py check            # exit 1, saying why, when a lock and pyproject.toml differ

``check`` reads no network: the digest says whether pyproject.toml changed since the locks were written, and
every requirement of pyproject.toml must be pinned in the lock at a version it allows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
DIGEST_PREFIX = "# pyproject-digest: "
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


@dataclass(frozen=True)
class LockFile:
    path: Path
    extras: tuple[str, ...]
    constraints: Path | None = None


PROD = LockFile(ROOT / "requirements" / "prod.txt", ("redis", "sentry"))
DEV = LockFile(ROOT / "requirements" / "dev.txt", ("redis", "sentry", "dev"), constraints=PROD.path)
LOCKS = (PROD, DEV)


def project_table(pyproject: Path = PYPROJECT) -> dict:
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]


def pyproject_digest(pyproject: Path = PYPROJECT) -> str:
    project = project_table(pyproject)
    relevant = {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


def requirements_of(lock: LockFile, pyproject: Path = PYPROJECT) -> list[Requirement]:
    """What pyproject.toml asks for in this lock: the dependencies and the lock's extras, the project's own
    extras (``.[redis]`` inside an extra) left out."""
    project = project_table(pyproject)
    name = canonicalize_name(project["name"])
    texts = list(project.get("dependencies", []))
    for extra in lock.extras:
        texts += project.get("optional-dependencies", {}).get(extra, [])
    return [r for r in map(Requirement, texts) if canonicalize_name(r.name) != name]


def pins(text: str) -> dict[str, str]:
    """``{canonical name: version}`` of the ``name==version`` lines of a lock file."""
    found = {}
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def problems(pyproject: Path = PYPROJECT, locks: tuple[LockFile, ...] = LOCKS) -> list[str]:
    """Why the locks disagree with pyproject.toml (and with each other); empty when they agree."""
    found: list[str] = []
    digest = pyproject_digest(pyproject)
    pinned_by_lock: dict[Path, dict[str, str]] = {}
    for lock in locks:
        name = lock.path.relative_to(ROOT) if lock.path.is_relative_to(ROOT) else lock.path
        if not lock.path.exists():
            found.append(f"{name} is missing: run scripts/lock")
            continue
        text = lock.path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        if first != DIGEST_PREFIX + digest:
            found.append(
                f"{name} was written for another pyproject.toml (its digest differs): run scripts/lock"
            )
        pinned = pins(text)
        pinned_by_lock[lock.path] = pinned
        for requirement in requirements_of(lock, pyproject):
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            version = pinned.get(canonicalize_name(requirement.name))
            if version is None:
                found.append(f"{name} does not pin {requirement.name}, which pyproject.toml asks for")
            elif not requirement.specifier.contains(version, prereleases=True):
                found.append(
                    f"{name} pins {requirement.name}=={version}, outside pyproject.toml's {requirement}"
                )
        if "--hash=sha256:" not in text:
            found.append(f"{name} carries no hashes: run scripts/lock")
    for lock in locks:
        if (
            lock.constraints is None
            or lock.path not in pinned_by_lock
            or lock.constraints not in pinned_by_lock
        ):
            continue
        for package, version in pinned_by_lock[lock.constraints].items():
            other = pinned_by_lock[lock.path].get(package)
            if other is not None and other != version:
                found.append(
                    f"{lock.path.name} pins {package}=={other} but {lock.constraints.name} pins {version}:"
                    " run scripts/lock"
                )
    return found


def write(*, upgrade: bool) -> None:
    digest = pyproject_digest()
    uv = Path(sys.executable).with_name("uv")
    for lock in LOCKS:
        lock.path.parent.mkdir(parents=True, exist_ok=True)
        command = [
            str(uv) if uv.exists() else "uv", "pip", "compile", "pyproject.toml",
            "--universal", "--python-version", "3.11", "--generate-hashes", "--quiet",
            "--output-file", str(lock.path.relative_to(ROOT)),
            "--custom-compile-command", "scripts/lock",
        ]  # fmt: skip
        for extra in lock.extras:
            command += ["--extra", extra]
        if lock.constraints is not None:
            command += ["--constraint", str(lock.constraints.relative_to(ROOT))]
        if upgrade:
            command.append("--upgrade")
        subprocess.run(command, cwd=ROOT, check=True)
        body = lock.path.read_text(encoding="utf-8")
        if body.startswith(DIGEST_PREFIX):
            body = body.split("\n", 1)[1]
        lock.path.write_text(f"{DIGEST_PREFIX}{digest}\n{body}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    writing = sub.add_parser("write", help="write requirements/*.txt from pyproject.toml")
    writing.add_argument("--upgrade", action="store_true", help="newest versions within pyproject's bounds")
    sub.add_parser("check", help="exit 1 when a lock disagrees with pyproject.toml")
    args = parser.parse_args(argv)
    if args.command == "write":
        write(upgrade=args.upgrade)
        return 0
    found = problems()
    for problem in found:
        print(f"lock check: {problem}", file=sys.stderr)
    if not found:
        print("lock check: requirements/prod.txt and requirements/dev.txt agree with pyproject.toml")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

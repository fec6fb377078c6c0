"""Schemathesis against the served schema on PostgreSQL with the demo data and its token. CI runs it.

    python .ci/fuzz.py [--database-url postgres://postgres@127.0.0.1:5432/ticketshop_fuzz] [--examples 25]
                       [--phases examples,coverage,fuzzing] [--responses FILE]

Recreates the database (its name must contain ``fuzz``), loads the demo, serves it with
gunicorn on loopback (DEBUG off, the public throttles raised so that requests reach the
logic), and runs every check of schemathesis (no 5xx, responses match the schema, status
codes documented, ...) over every operation, seeded and bounded.

Every id in a path names a real object (.ci/fuzz_objects.py says which): the demo's for the
operations that read, objects made for the run for those that change what they address, and
objects made again before each phase for those that use theirs up (DELETE, checkout, cancel...).
The phases run one after the other, one schemathesis run each: the examples (fuzz_objects.examples),
the coverage phase, then fuzzing, where bodies also take real ids and codes (fuzz_objects.BODIES).

Prints, per operation, the requests (test cases and schemathesis' probes) and how many were
answered 2xx, 4xx and 5xx, with the seconds the server took; fails on any failure of
schemathesis, on any 5xx, and on an operation that never got a 2xx (``NO_2XX``: the ones
allowed, each with why).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from checkout import HOST, PYTHON, env_for, recreate_database, start_server, stop_server  # noqa: E402
from fuzz_objects import (  # noqa: E402
    BODIES,
    BODY_PROBABILITY,
    DEFAULT_PATH,
    Api,
    demo_objects,
    examples,
    label,
    path_rows,
    phase_objects,
    shared_objects,
)

SEED = 20261201
PHASES = ("examples", "coverage", "fuzzing")
#: Operations allowed to end the run without a single 2xx, each with why. None so far.
NO_2XX: dict[str, str] = {}


def fuzz_env(database_url: str) -> dict[str, str]:
    env = env_for(database_url)
    env.update({"PUBLIC_THROTTLE_RATE": "100000/min", "PUBLIC_MISS_THROTTLE_RATE": "100000/min"})
    return env


def load_demo(env: dict[str, str]) -> str:
    manage = [PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run([*manage, "demo"], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    token = re.search(r"^API token: (\S+)$", out.stdout, re.M)
    if token is None:
        raise SystemExit("manage.py demo printed no API token")
    return token.group(1)


def free_port() -> int:
    """A loopback port nothing listens on now (several fuzz runs may share the machine)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def schema_url(port: int) -> str:
    return f"http://{HOST}:{port}/api/schema/?format=json"


def wait_for_schema(server: subprocess.Popen, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return json.load(response)
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not serve the schema within 60 s")


def path_parameters(schema: dict[str, Any]) -> dict[str, dict[str, str]]:
    """{operation: {path parameter: its schema type}} of every operation of the schema."""
    operations = {}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in ("get", "put", "post", "patch", "delete"):
                parameters = [p for p in operation.get("parameters", []) if p["in"] == "path"]
                operations[f"{method.upper()} {path}"] = {p["name"]: p["schema"]["type"] for p in parameters}
    return operations


def check_tables(operations: dict[str, dict[str, str]]) -> None:
    """Every operation whose path names an object has a real one; no row names an operation that is gone."""
    rows = path_rows()
    named = set(rows) | {label(row) for row in BODIES}
    unknown = sorted(named - set(operations))
    missing = sorted(
        operation
        for operation, parameters in operations.items()
        if set(parameters) - set(DEFAULT_PATH) - set(rows.get(operation, {}))
    )
    if unknown or missing:
        raise SystemExit(
            "fuzz_objects is out of date with the schema:\n"
            + "".join(f"  not in the schema: {operation}\n" for operation in unknown)
            + "".join(f"  no real object for: {operation}\n" for operation in missing)
        )


def real_paths(operations: dict[str, dict[str, str]], objects: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{operation: {path parameter: the real value}}, typed as the schema types the parameter."""
    rows = path_rows()
    paths = {}
    for operation, parameters in operations.items():
        keys = {**DEFAULT_PATH, **rows.get(operation, {})}
        paths[operation] = {
            name: objects[keys[name]] if kind == "integer" else str(objects[keys[name]])
            for name, kind in parameters.items()
        }
    return paths


def toml(value: Any) -> str:
    """A TOML string, integer or list of them: written as JSON writes them."""
    return json.dumps(value, ensure_ascii=False)


def config_text(paths: dict[str, dict[str, Any]], objects: dict[str, Any]) -> str:
    """.ci/schemathesis.toml, then each operation's real path parameters and body dictionaries."""
    bodies = {label(row): fields for row, fields in BODIES.items()}
    lines = [(ROOT / ".ci/schemathesis.toml").read_text()]
    for name in sorted({name for fields in bodies.values() for name in fields.values()}):
        lines += [f"[dictionaries.{name}]", f"values = {toml(objects[name])}", ""]
    for operation in sorted(set(paths) | set(bodies)):
        parameters = [f"{toml('path.' + name)} = {toml(value)}" for name, value in paths[operation].items()]
        parameters += [
            f'{toml("body." + field)} = {{ dictionary = "{name}", probability = {BODY_PROBABILITY} }}'
            for field, name in bodies.get(operation, {}).items()
        ]
        if parameters:
            lines += [
                "[[operations]]",
                f"include-name = {toml(operation)}",
                f"parameters = {{ {', '.join(parameters)} }}",
                "",
            ]
    return "\n".join(lines)


def examples_json(paths: dict[str, dict[str, Any]], objects: dict[str, Any]) -> str:
    """fuzz_objects.examples with each operation's real path parameters, for the hook."""
    requests = {}
    for row, example in examples(objects).items():
        operation = label(row)
        requests[operation] = {
            "path_parameters": paths[operation],
            "media_type": "application/json",
            **example,
        }
    return json.dumps(requests)


def run_phase(phase: str, *, config: Path, port: int, token: str, max_examples: int, env: dict) -> int:
    command = [
        str(Path(PYTHON).with_name("schemathesis")), "--config-file", str(config),
        "run", schema_url(port), "--header", f"Authorization: Token {token}",
        # Every check runs (each is on by default); .ci/schemathesis.toml says what it adjusts.
        "--phases", phase, "--max-examples", str(max_examples), "--seed", str(SEED),
        # One worker: CPython 3.11's ast.parse is not thread-safe ("AST constructor recursion depth
        # mismatch"), and hypothesis calls it while describing strategies.
        "--workers", "1",
        "--no-color", "--output-truncate", "true", "--generation-database", "none",
    ]  # fmt: skip
    started = time.monotonic()
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    print(run.stdout[-15000:], run.stderr[-5000:], sep="\n")
    print(f"fuzz: phase {phase} took {time.monotonic() - started:.0f} s, exit {run.returncode}")
    return run.returncode


def tally(responses: Path, operations: list[str]) -> dict[str, Counter]:
    """{operation: Counter of "cases", "2xx", "4xx", "5xx" and "seconds"} from the hook's lines."""
    counts = {operation: Counter() for operation in operations}
    for line in responses.read_text().splitlines():
        operation, status, seconds = line.split("\t")
        counts[operation].update({"cases": 1, f"{status[0]}xx": 1, "seconds": float(seconds)})
    return counts


def report(counts: dict[str, Counter]) -> list[str]:
    """Print the table, by path; return what fails the run (a 5xx, or no 2xx where one is required)."""
    columns = ("cases", "2xx", "4xx", "5xx")
    print(
        f"\n{'operation (under /api/v1/organizers/{organizer_slug})':<74}",
        *(f"{c:>5}" for c in columns),
        "    s",
    )
    for operation, count in sorted(counts.items(), key=lambda item: item[0].split(" ", 1)[::-1]):
        method, path = operation.split(" ", 1)
        name = f"{method:<6} {path.removeprefix('/api/v1/organizers/{organizer_slug}')}"
        print(f"{name:<74}", *(f"{count[c]:>5}" for c in columns), f"{count['seconds']:>5.0f}")
    total = sum(counts.values(), Counter())
    print(
        f"{f'all {len(counts)} operations':<74}",
        *(f"{total[c]:>5}" for c in columns),
        f"{total['seconds']:>5.0f}",
    )
    problems = []
    for operation, count in counts.items():
        if count["5xx"]:
            problems.append(f"{operation}: {count['5xx']} answers 5xx")
        if not count["2xx"] and operation not in NO_2XX:
            problems.append(f"{operation}: no 2xx")
        if count["2xx"] and operation in NO_2XX:
            problems.append(f"{operation}: {count['2xx']} answers 2xx, so it should leave NO_2XX")
    return problems


def run_phases(phases: list[str], operations: dict, *, port: int, token: str, files: Path, responses: Path,
               max_examples: int) -> list[int]:  # fmt: skip
    """Make the run's objects, then run each phase with objects of its own; schemathesis' exit codes."""
    api = Api(port, token)
    demo = demo_objects(api)
    shared = shared_objects(api, demo)
    requests = files / "examples.json"
    hooks = {
        "SCHEMATHESIS_HOOKS": ROOT / ".ci/fuzz_hooks.py",
        "FUZZ_RESPONSES": responses,
        "FUZZ_EXAMPLES": requests,
    }
    env = {**os.environ, **{name: str(path) for name, path in hooks.items()}}
    exits = []
    for phase in phases:
        objects = {**demo, **shared, **phase_objects(api, phase, demo, shared)}
        paths = real_paths(operations, objects)
        config = files / f"{phase}.toml"
        config.write_text(config_text(paths, objects))
        requests.write_text(examples_json(paths, objects))
        exits.append(
            run_phase(phase, config=config, port=port, token=token, max_examples=max_examples, env=env)
        )
    return exits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/ticketshop_fuzz")
    parser.add_argument(
        "--examples", type=int, default=25, help="test cases per operation and phase (at most)"
    )
    parser.add_argument("--phases", default=",".join(PHASES), help="schemathesis phases, in this order")
    parser.add_argument(
        "--responses", type=Path, help="keep the hook's lines in this file (default: temporary)"
    )
    args = parser.parse_args()
    phases = args.phases.split(",")

    started = time.monotonic()
    recreate_database(args.database_url, marker="fuzz")
    env = fuzz_env(args.database_url)
    token = load_demo(env)
    port = free_port()
    server = start_server(args.database_url, port, workers=4, threads=1, env=env)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch:
        responses = args.responses or Path(scratch, "responses.tsv")
        responses.write_text("")
        try:
            operations = path_parameters(wait_for_schema(server, schema_url(port)))
            check_tables(operations)
            exits = run_phases(phases, operations, port=port, token=token, files=Path(scratch),
                               responses=responses, max_examples=args.examples)  # fmt: skip
        finally:
            stop_server(server)
        problems = report(tally(responses, list(operations)))
    print(f"\nfuzz: seed {SEED}, phases {', '.join(phases)}, at most {args.examples} examples per operation "
          f"and phase; schemathesis exits {exits}; {time.monotonic() - started:.0f} s in all")  # fmt: skip
    for problem in problems:
        print(f"FAIL {problem}")
    return 1 if problems or any(exits) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Schemathesis against the served schema on PostgreSQL with the demo data and its token. CI runs it.

    python .ci/fuzz.py [--database-url postgres://postgres@127.0.0.1:5432/ticketshop_fuzz] [--examples 25]

Recreates the database (its name must contain ``fuzz``), loads the demo, serves it with
gunicorn on loopback (DEBUG off, the public throttles raised so that requests reach the
logic), and runs every check of schemathesis (no 5xx, responses match the schema, status
codes documented, ...) over every operation, seeded and bounded. Prints the operations
and test cases run; exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from checkout import PYTHON, env_for, recreate_database, start_server, stop_server  # noqa: E402

PORT = 8799
SEED = 20261201


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


def wait_for_schema(server: subprocess.Popen) -> str:
    url = f"http://127.0.0.1:{PORT}/api/schema/?format=json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return url
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not serve the schema within 60 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/ticketshop_fuzz")
    parser.add_argument("--examples", type=int, default=25, help="test cases per operation and phase")
    args = parser.parse_args()

    recreate_database(args.database_url, marker="fuzz")
    env = fuzz_env(args.database_url)
    token = load_demo(env)
    server = start_server(args.database_url, PORT, workers=4, threads=1, env=env)
    try:
        schema_url = wait_for_schema(server)
        command = [
            str(Path(PYTHON).with_name("schemathesis")), "--config-file", str(ROOT / ".ci/schemathesis.toml"),
            "run", schema_url, "--header", f"Authorization: Token {token}",
            # Every check runs (each is on by default); .ci/schemathesis.toml says what it adjusts.
            "--phases", "examples,coverage,fuzzing",
            "--max-examples", str(args.examples), "--seed", str(SEED),
            # One worker: CPython 3.11's ast.parse is not thread-safe ("AST constructor recursion depth
            # mismatch"), and hypothesis calls it while describing strategies.
            "--workers", "1",
            "--no-color", "--output-truncate", "true", "--generation-database", "none",
        ]  # fmt: skip
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    finally:
        stop_server(server)
    print(run.stdout[-20000:], run.stderr[-5000:], sep="\n")
    tested = re.search(r"Tested: (\d+)", run.stdout)
    cases = re.search(r"(\d+) generated, (\d+) found (\d+) unique failures|(\d+) generated", run.stdout)
    print(
        f"fuzz: seed {SEED}, {args.examples} examples per operation and phase; "
        f"operations tested: {tested.group(1) if tested else '?'}; "
        f"test cases: {cases.group(0) if cases else '?'}; exit {run.returncode}"
    )
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())

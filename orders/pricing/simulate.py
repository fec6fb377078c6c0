"""Price a JSON file of cases (docs/pricing.md, section 4) and print the results.

Usage: ``python manage.py simulate_pricing FILE`` (the management command is a thin wrapper around
:func:`main` that passes it the project's currency table; the engine has none of its own).

Writes on stdout a JSON list with one element per case: the list of
``{"price": "<decimal>", "discount": <rule id or null>}`` for its positions.
Exit status 0 on success; 2 (with a one-line message on stderr, and nothing on
stdout) for a usage error, an unreadable file, invalid JSON, or a malformed
case, whose message names the case and the field. Every case is parsed before
any is priced, so a bad file never yields partial output.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import TextIO

from .cases import CaseError, Places, parse_cases, price_case, serialise_outcomes

__all__ = ["main"]

USAGE = "usage: python manage.py simulate_pricing FILE"


def main(argv: Sequence[str], stdout: TextIO, stderr: TextIO, *, places: Places) -> int:
    """Run the simulator; ``argv`` excludes the program name. Returns the exit status."""
    args = list(argv)
    if args in (["-h"], ["--help"]):
        stdout.write(USAGE + "\n")
        return 0
    if len(args) != 1:
        stderr.write(f"error: expected exactly one FILE argument\n{USAGE}\n")
        return 2
    path = args[0]
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        stderr.write(f"error: cannot read {path}: {_reason(exc)}\n")
        return 2
    try:
        # Decimal for JSON numbers so that a number given as 10.10 stays exact.
        raw = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        stderr.write(f"error: {path} is not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}\n")
        return 2
    try:
        cases = parse_cases(raw, places=places)
    except CaseError as exc:
        stderr.write(f"error: {path}: {exc}\n")
        return 2
    rendered = [json.dumps(serialise_outcomes(price_case(case))) for case in cases]
    stdout.write("[\n" + ",\n".join(rendered) + "\n]\n" if rendered else "[]\n")
    return 0


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


"""Benchmark of the pricing engine (``orders/pricing``). Plain script, not a test.

    python bench/pricing.py [--runs N] [--quick]

Prints, for carts of 10 … 10,000 positions and 1 or 20 rules, the median time
of ``price_cart`` over N runs, both wall clock and CPU time of this process
(the CPU figure is the one to trust on a shared, busy machine), and the CPU
time per n·log2(n) so that growth can be read off (flat or falling means no
worse than n log n). Carts: 30% add-ons, a
few dates, some lines with a voucher and an order-wide coupon; rules are mostly
cheapest-n rules over limited products, in every date mode.

The last row times the whole ``python manage.py simulate_pricing FILE`` process
over 3,000 generated typical cases (up to 24 positions, up to 5 rules), as a
subprocess. Targets: 10,000 positions with 20 rules under 250 ms; 3,000 cases
under 2 s.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orders.pricing import (  # noqa: E402
    CartLine,
    Code,
    CodeMode,
    CodeScope,
    Currency,
    DateGrouping,
    Rule,
    price_cart,
)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
FIRST_DATE = datetime(2026, 6, 18, 12, tzinfo=UTC)
ITEMS = range(1, 13)
DATES = range(1, 5)
PRICES = [Decimal(p) for p in ("5.00", "9.90", "12.00", "19.99", "25.00", "39.00", "49.50", "80.00")]


def make_cart(size: int, rng: random.Random) -> list[CartLine]:
    """``size`` lines: 30% add-ons of earlier tickets, 4 dates, 10% with a voucher."""
    lines: list[CartLine] = []
    tickets: list[int] = []
    for index in range(size):
        date = rng.choice(DATES)
        is_addon = bool(tickets) and rng.random() < 0.3
        parent = rng.choice(tickets[-20:]) if is_addon else None
        lines.append(
            CartLine(
                item=rng.choice(ITEMS),
                list_price=rng.choice(PRICES),
                event=1,
                subevent=date,
                subevent_date_from=FIRST_DATE + timedelta(weeks=date),
                addon_to=parent,
                is_bundled=is_addon and rng.random() < 0.1,
                code="VOUCHER" if rng.random() < 0.1 else None,
            )
        )
        if not is_addon:
            tickets.append(index)
    return lines


def make_rules(count: int, rng: random.Random) -> list[Rule]:
    """Mostly cheapest-n rules over a few products; one in five by minimum value."""
    rules = []
    for rule_id in range(1, count + 1):
        mode = rng.choice(list(DateGrouping))
        limited = frozenset(rng.sample(list(ITEMS), 3))
        if rule_id % 5 == 0 and mode != DateGrouping.DISTINCT:
            shape = {"condition_min_value": Decimal("100.00")}
        else:
            shape = {
                "condition_min_count": rng.choice([2, 3, 4]),
                "benefit_only_apply_to_cheapest_n_matches": rng.choice([1, 1, 2]),
            }
        rules.append(
            Rule(
                id=rule_id,
                position=rng.randrange(5),
                subevent_mode=mode,
                condition_all_products=False,
                condition_limit_products=limited,
                condition_apply_to_addons=rng.random() < 0.7,
                benefit_discount_matching_percent=rng.choice([Decimal("10"), Decimal("50"), Decimal("100")]),
                **shape,
            )
        )
    return rules


CODES = [
    Code("VOUCHER", CodeScope.POSITION, CodeMode.PERCENT, Decimal("20"), budget=Decimal("500.00")),
    Code("COUPON", CodeScope.ORDER, CodeMode.PERCENT, Decimal("5"), max_tickets=50),
]


def time_engine(size: int, rule_count: int, runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of one ``price_cart`` call."""
    rng = random.Random(size * 1000 + rule_count)
    lines, rules = make_cart(size, rng), make_rules(rule_count, rng)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        price_cart(lines, rules, CODES, now=NOW, channel="web", currency=Currency("EUR", 2))
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), statistics.median(cpus)


def typical_cases(count: int, rng: random.Random) -> list[dict]:
    """Cases in the section-4 format: up to 24 positions, up to 5 rules."""
    cases = []
    for number in range(count):
        cart = make_cart(rng.randint(1, 24), rng)
        rules = make_rules(rng.randint(0, 5), rng)
        cases.append(
            {
                "name": f"typical {number}",
                "currency": "EUR",
                "now": NOW.isoformat(),
                "sales_channel": "web",
                "rules": [_rule_json(rule) for rule in rules],
                "positions": [_position_json(line) for line in cart],
            }
        )
    return cases


def _rule_json(rule: Rule) -> dict:
    return {
        "id": rule.id,
        "position": rule.position,
        "subevent_mode": rule.subevent_mode.value,
        "condition_all_products": rule.condition_all_products,
        "condition_limit_products": sorted(rule.condition_limit_products),
        "condition_apply_to_addons": rule.condition_apply_to_addons,
        "condition_min_count": rule.condition_min_count,
        "condition_min_value": str(rule.condition_min_value),
        "benefit_discount_matching_percent": str(rule.benefit_discount_matching_percent),
        "benefit_only_apply_to_cheapest_n_matches": rule.benefit_only_apply_to_cheapest_n_matches,
    }


def _position_json(line: CartLine) -> dict:
    return {
        "item": line.item,
        "subevent": line.subevent,
        "subevent_date_from": line.subevent_date_from.isoformat().replace("+00:00", "Z"),
        "price": str(line.list_price),
        "addon_to": line.addon_to,
        "is_bundled": line.is_bundled,
        "voucher_discount": "2.00" if line.code else "0.00",
    }


SIMULATORS = {
    "manage.py simulate_pricing": ["manage.py", "simulate_pricing"],
}


def time_simulate(runs: int, command: list[str]) -> tuple[float, float, int]:
    """Median wall-clock and CPU (user + system) seconds of the whole process."""
    cases = typical_cases(3000, random.Random(3000))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.json"
        path.write_text(json.dumps(cases), encoding="utf-8")
        walls, cpus = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, *command, str(path)],
                cwd=ROOT, capture_output=True, check=False,
            )  # fmt: skip
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if done.returncode != 0:
                raise SystemExit(f"simulate failed: {done.stderr.decode()}")
    return statistics.median(walls), statistics.median(cpus), len(cases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (median; at least 5)")
    parser.add_argument("--quick", action="store_true", help="stop at 1,000 positions")
    args = parser.parse_args()
    runs = max(args.runs, 5)
    sizes = [10, 100, 1_000] if args.quick else [10, 100, 1_000, 10_000]

    print(f"pricing engine: price_cart, median of {runs} runs (wall clock; CPU time of this process)")
    print(f"{'positions':>10} {'rules':>6} {'wall ms':>10} {'cpu ms':>10} {'cpu ns per n·log2 n':>20}")
    for rule_count in (1, 20):
        for size in sizes:
            wall, cpu = time_engine(size, rule_count, runs)
            per_nlogn = cpu * 1e9 / (size * math.log2(size))
            print(f"{size:>10,} {rule_count:>6} {wall * 1e3:>10.2f} {cpu * 1e3:>10.2f} {per_nlogn:>20.1f}")
    print(f"\nsimulating 3,000 typical cases (<=24 positions, <=5 rules), median of {runs} runs:")
    print(f"{'command':>36} {'wall ms':>10} {'cpu ms':>10}")
    for label, command in SIMULATORS.items():
        wall, cpu, _count = time_simulate(runs, command)
        print(f"{label:>36} {wall * 1e3:>10.0f} {cpu * 1e3:>10.0f}")


if __name__ == "__main__":
    main()

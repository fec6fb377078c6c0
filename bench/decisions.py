"""What the order service's code decisions cost on top of one pricing. Plain script, not a test.

    python bench/decisions.py [--runs N]

Setting aside a code that would make the order dearer and working out each code's saving
price the cart again without a code, once per set of codes (memoised): with k coupons or
promo codes and nothing set aside, 1 + k pricings, and one more without any of them when
k > 1 (the floor no decision may leave the order above). This prints, for carts of 3, 100 and
1,000 positions with the benchmark's two rules ("3 for 2", "10 % off from 100.00") and 0 … 3
combinable codes, the median CPU time of one pricing alone (``price_cart``), of the priced
decisions (``decide``), the ratio, and how many pricings ``decide`` ran.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")  # settings need it or a SECRET_KEY; nothing here serves requests

import django  # noqa: E402

django.setup()

from orders.checkout.adapter import code_from  # noqa: E402
from orders.checkout.decide import decide  # noqa: E402
from orders.pricing import CartLine, Currency, Rule, price_cart  # noqa: E402
from vouchers.choices import CodeKind  # noqa: E402
from vouchers.resolution import ResolvedCode  # noqa: E402

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
D = Decimal
RULES = [
    Rule(id=1, position=1, condition_min_count=3, benefit_discount_matching_percent=D("100"),
         benefit_only_apply_to_cheapest_n_matches=1),
    Rule(id=2, position=2, condition_min_value=D("100.00"), benefit_discount_matching_percent=D("10")),
]  # fmt: skip
CODES = [
    ResolvedCode(kind=CodeKind.COUPON, id=1, code="TEN-PCT", mode="percent", value=D("10")),
    ResolvedCode(kind=CodeKind.PROMO_CODE, id=2, code="THREE-OFF", mode="fix", value=D("3.00")),
    ResolvedCode(
        kind=CodeKind.COUPON, id=3, code="ONE-LEFT", mode="percent", value=D("5"), tickets_remaining=1
    ),
]


def cart(size: int) -> list[CartLine]:
    prices = [D("50.00"), D("23.00"), D("30.00")]
    return [CartLine(item=1 + i % 3, list_price=prices[i % 3], event=1) for i in range(size)]


def cpu_median(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times)


def measure(lines: list[CartLine], codes: list[ResolvedCode], runs: int) -> tuple[float, float, int]:
    """Median CPU seconds of one pricing and of ``decide``; how many pricings ``decide`` ran."""
    calls = 0

    def price_with(chosen):
        nonlocal calls
        calls += 1
        engine_codes = [code_from(c) for c in chosen]
        return price_cart(lines, RULES, engine_codes, now=NOW, channel="web", currency=Currency("EUR", 2))

    def never(code) -> bool:
        return False

    alone = cpu_median(lambda: price_with(codes), runs)
    decided = cpu_median(lambda: decide(codes, price_with, keep=never), runs)
    calls = 0
    decide(codes, price_with, keep=never)
    return alone, decided, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    print(f"{'positions':>10} {'codes':>6} {'price ms':>10} {'decide ms':>10} {'ratio':>6} {'pricings':>9}")
    for size in (3, 100, 1000):
        lines = cart(size)
        for count in range(4):
            alone, decided, calls = measure(lines, CODES[:count], args.runs)
            print(f"{size:>10,} {count:>6} {alone * 1000:>10.3f} {decided * 1000:>10.3f} "
                  f"{decided / alone:>6.2f} {calls:>9}")  # fmt: skip


if __name__ == "__main__":
    main()

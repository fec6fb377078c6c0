"""Automatic discount rules (docs/pricing.md, section 2), callable on their own.

:func:`apply_rules` takes the positions with their line prices (after codes) and
the event's rules, and says for every position its final price and which rule
consumed it. Rules run in ascending (position, id); each sees only the
positions no earlier rule consumed; bundled positions never take part.

The work per rule is linear in the visible positions plus one sort where the
rule needs an order (cheapest-n, distinct dates), so a cart of n positions with
r rules costs O(r · n log n).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

from .distinct import deal_distinct_groups
from .money import Currency, percent_off, zero
from .types import DateGrouping, Position, Rule, RuleOutcome

__all__ = ["CartColumns", "apply_rules", "rule_runs", "run_rules"]


def rule_runs(rule: Rule, *, now: datetime, channel: str) -> bool:
    """Whether ``rule`` takes part in a checkout at ``now`` on ``channel``.

    Both ends of the availability window are inclusive and either may be open.
    A rule whose window is empty (from after until) never runs.
    """
    if not rule.active:
        return False
    if rule.available_from is not None and now < rule.available_from:
        return False
    if rule.available_until is not None and now > rule.available_until:
        return False
    return rule.sales_channels is None or channel in rule.sales_channels


def apply_rules(
    positions: Sequence[Position],
    rules: Sequence[Rule],
    *,
    now: datetime,
    channel: str,
    currency: Currency,
) -> list[RuleOutcome]:
    """Run the rules that apply at ``now`` on ``channel`` over ``positions``.

    Returns one outcome per position, in order: its final price (line price
    less the rule's percentage, rounded to ``currency``), the consuming rule's
    id (``None`` if no rule consumed it) and the discount.
    """
    cart = CartColumns(
        prices=[p.line_price for p in positions],
        items=[p.item for p in positions],
        dates=[p.subevent for p in positions],
        starts=[p.subevent_date_from for p in positions],
        addon_to=[p.addon_to for p in positions],
        no_voucher=[not p.voucher_discount for p in positions],
    )
    visible = [i for i, p in enumerate(positions) if not p.is_bundled]
    new_prices, consumed_by = run_rules(cart, visible, rules, now=now, channel=channel, currency=currency)
    nothing = zero(currency)
    outcomes = []
    for i, position in enumerate(positions):
        price = new_prices.get(i)
        if price is None:
            outcomes.append(RuleOutcome(position.line_price, None, nothing))
        else:
            outcomes.append(RuleOutcome(price, consumed_by[i], position.line_price - price))
    return outcomes


def run_rules(
    cart: CartColumns,
    visible: list[int],
    rules: Sequence[Rule],
    *,
    now: datetime,
    channel: str,
    currency: Currency,
) -> tuple[dict[int, Decimal], dict[int, int]]:
    """:func:`apply_rules` on columns: the fast path :func:`~.engine.price_cart` uses.

    ``visible`` are the cart indices that take part (not bundled), in cart
    order. Returns the new price and the consuming rule id of every consumed
    index; an index absent from both keeps its line price.
    """
    running = sorted(
        (rule for rule in rules if rule_runs(rule, now=now, channel=channel)),
        key=lambda rule: (rule.position, rule.id),
    )
    new_prices: dict[int, Decimal] = {}
    consumed_by: dict[int, int] = {}
    for rule in running:
        if not visible:
            break
        result = _evaluate_rule(rule, cart, visible, currency)
        if not result:
            continue
        new_prices.update(result)
        consumed_by.update(dict.fromkeys(result, rule.id))
        visible = [i for i in visible if i not in result]
    return new_prices, consumed_by


class CartColumns:
    """The positions' fields as parallel lists indexed by cart position.

    Per-rule loops run over these instead of attribute look-ups on objects,
    and the engine builds them straight from cart lines without creating a
    :class:`Position` per line. ``no_voucher[i]`` is true when position i's
    voucher discount is zero.
    """

    __slots__ = ("prices", "items", "dates", "starts", "addon_to", "no_voucher", "ranks", "_price_ranks")

    def __init__(
        self,
        *,
        prices: list[Decimal],
        items: list[int],
        dates: list[int | None],
        starts: list[datetime | None],
        addon_to: list[int | None],
        no_voucher: list[bool],
    ) -> None:
        self.prices = prices
        self.items = items
        self.dates = dates
        self.starts = starts
        self.addon_to = addon_to
        self.no_voucher = no_voucher
        # Add-on ranks depend on what is still visible, so they are recomputed
        # (once) by every rule that sorts; non-add-ons keep rank 0.
        self.ranks = [0] * len(prices)
        self._price_ranks: list[int] | None = None

    def price_ranks(self) -> list[int]:
        """Each line price's rank among the cart's distinct prices (computed once).

        Sorting by these ints orders exactly as sorting by the Decimals, and
        comparing ints is several times cheaper.
        """
        if self._price_ranks is None:
            rank_of = {price: rank for rank, price in enumerate(sorted(set(self.prices)))}
            self._price_ranks = [rank_of[price] for price in self.prices]
        return self._price_ranks

    def rank_addons(self, visible: Sequence[int]) -> list[int]:
        """Number each visible add-on among the visible add-ons of its parent."""
        seen: dict[int, int] = {}
        ranks = self.ranks
        addon_to = self.addon_to
        for i in visible:
            parent = addon_to[i]
            if parent is not None:
                rank = seen.get(parent, 0)
                ranks[i] = rank
                seen[parent] = rank + 1
        return ranks


def _condition_candidates(rule: Rule, cart: CartColumns, visible: list[int]) -> list[int]:
    """Section 2.1, condition side; keeps cart order."""
    found = visible
    if not rule.condition_all_products:
        limit, items = rule.condition_limit_products, cart.items
        found = [i for i in found if items[i] in limit]
    if not rule.condition_apply_to_addons:
        addon_to = cart.addon_to
        found = [i for i in found if addon_to[i] is None]
    if rule.condition_ignore_voucher_discounted:
        no_voucher = cart.no_voucher
        found = [i for i in found if no_voucher[i]]
    starts = cart.starts
    # A position without a date is not held to the window (section 2.5).
    if rule.subevent_date_from is not None:
        earliest = rule.subevent_date_from
        found = [i for i in found if starts[i] is None or starts[i] >= earliest]
    if rule.subevent_date_until is not None:
        latest = rule.subevent_date_until
        found = [i for i in found if starts[i] is None or starts[i] <= latest]
    return found


def _benefit_candidates(rule: Rule, cart: CartColumns, visible: list[int], condition: list[int]) -> list[int]:
    """Section 2.1, benefit side (no date window here); keeps cart order."""
    if rule.benefit_same_products:
        return condition
    limit, items = rule.benefit_limit_products, cart.items
    found = [i for i in visible if items[i] in limit]
    if not rule.benefit_apply_to_addons:
        addon_to = cart.addon_to
        found = [i for i in found if addon_to[i] is None]
    if rule.benefit_ignore_voucher_discounted:
        no_voucher = cart.no_voucher
        found = [i for i in found if no_voucher[i]]
    return found


def _evaluate_rule(
    rule: Rule, cart: CartColumns, visible: list[int], currency: Currency
) -> dict[int, Decimal]:
    """Run one rule; returns consumed cart index -> new price."""
    condition = _condition_candidates(rule, cart, visible)
    by_value = rule.condition_min_value > 0
    if not condition and (by_value or rule.condition_min_count > 0):
        return {}  # the condition cannot be met
    benefit = _benefit_candidates(rule, cart, visible, condition)
    cheapest_n = 0 if by_value else (rule.benefit_only_apply_to_cheapest_n_matches or 0)
    mode = rule.subevent_mode
    distinct = mode == DateGrouping.DISTINCT and not by_value
    order_key = None
    if cheapest_n or distinct:
        ranks = cart.rank_addons(visible)
        price_ranks = cart.price_ranks()
        size = len(price_ranks)
        # (line price, add-on rank) as one int per position; cheap to compare.
        by_price = {i: price_ranks[i] * size + ranks[i] for i in visible}
        if cheapest_n:
            # Section 2.3 sort key: (line price, add-on rank, cart index descending).
            members = condition if benefit is condition else set(condition).union(benefit)
            order_key = {i: by_price[i] * size + (size - 1 - i) for i in members}.__getitem__

    if mode == DateGrouping.SAME:
        groups = _group_by_date(condition, benefit, cart.dates)
    elif distinct:
        is_condition = _flags(len(cart.prices), condition)
        is_benefit = is_condition if benefit is condition else _flags(len(cart.prices), benefit)
        dealt = deal_distinct_groups(
            visible, is_condition, cart.dates, by_price, rule.condition_min_count, cheapest_n
        )
        groups = []
        for members in dealt:
            in_condition = [i for i in members if is_condition[i]]
            in_benefit = in_condition if is_benefit is is_condition else [i for i in members if is_benefit[i]]
            groups.append((in_condition, in_benefit))
    else:
        # Mixed, and (invalid) distinct-by-value: one group of everything.
        groups = [(condition, benefit)]

    apply = _Discounter(rule.benefit_discount_matching_percent, currency)
    prices = cart.prices
    result: dict[int, Decimal] = {}
    for in_condition, in_benefit in groups:
        if by_value:
            if sum(prices[i] for i in in_condition) >= rule.condition_min_value:
                # Condition candidates that are not benefit candidates stay
                # visible to later rules.
                apply.discount(in_benefit, prices, result)
        else:
            _apply_min_count(rule, in_condition, in_benefit, prices, order_key, cheapest_n, apply, result)
    return result


def _flags(size: int, members: list[int]) -> list[bool]:
    flags = [False] * size
    for i in members:
        flags[i] = True
    return flags


def _group_by_date(
    condition: list[int], benefit: list[int], dates: Sequence[int | None]
) -> list[tuple[list[int], list[int]]]:
    """Section 2.2 ``same``: one group per date of the condition candidates.

    Positions without a date form a group of their own and are discounted
    like any other (a deliberate difference from pretix, section 2.5).
    """
    by_date: dict[int | None, list[int]] = {}
    for i in condition:
        by_date.setdefault(dates[i], []).append(i)
    if benefit is condition:
        return [(members, members) for members in by_date.values()]
    benefit_by_date: dict[int | None, list[int]] = {}
    for i in benefit:
        benefit_by_date.setdefault(dates[i], []).append(i)
    return [(members, benefit_by_date.get(date, [])) for date, members in by_date.items()]


class _Discounter:
    """Applies a rule's percentage, rounding each distinct line price once."""

    __slots__ = ("percent", "currency", "memo")

    def __init__(self, percent: Decimal, currency: Currency) -> None:
        self.percent = percent
        self.currency = currency
        self.memo: dict[Decimal, Decimal] = {}

    def discount(self, benefit: list[int], prices: list[Decimal], result: dict[int, Decimal]) -> None:
        memo = self.memo
        for i in benefit:
            price = prices[i]
            new = memo.get(price)
            if new is None:
                new = memo[price] = percent_off(price, self.percent, self.currency)
            result[i] = new


def _apply_min_count(
    rule: Rule,
    condition: list[int],
    benefit: list[int],
    prices: list[Decimal],
    order_key: Callable[[int], int] | None,
    cheapest_n: int,
    apply: _Discounter,
    result: dict[int, Decimal],
) -> None:
    """Minimum count (section 2.3), with or without the cheapest-n limit."""
    min_count = rule.condition_min_count
    if len(condition) < min_count:
        return
    if cheapest_n:
        assert order_key is not None
        same = benefit is condition
        condition = sorted(condition, key=order_key)
        benefit = condition if same else sorted(benefit, key=order_key)
        benefit_rounds = -(-len(benefit) // cheapest_n)
        # min_count 0 is invalid with cheapest-n; treat the condition as always met.
        applications = min(len(condition) // min_count, benefit_rounds) if min_count else benefit_rounds
        condition = condition[: applications * min_count]
        benefit = benefit[: applications * cheapest_n]
    apply.discount(benefit, prices, result)
    for i in condition:
        if i not in result:
            result[i] = prices[i]  # consumed without a price change

"""Properties that hold for every cart, checked with hypothesis."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from orders.pricing import (
    CartLine,
    Code,
    CodeMode,
    CodeScope,
    DateGrouping,
    Position,
    Rule,
    allocate,
    apply_rules,
    price_cart,
    quantize,
)
from orders.pricing.distinct import deal_distinct_groups

from .builders import NOW, as_currency, assert_valid, date_start

PRICES = st.sampled_from(["0.00", "0.01", "5.00", "9.99", "10.00", "10.00", "23.45", "100.00"]).map(Decimal)
PERCENTS = st.sampled_from(["0", "10", "12.5", "33.33", "50", "99.99", "100"]).map(Decimal)
ITEMS = st.integers(1, 3)
ITEM_SETS = st.frozensets(ITEMS, max_size=3)


@st.composite
def positions(draw) -> list[Position]:
    count = draw(st.integers(0, 14))
    result = []
    for index in range(count):
        date = draw(st.one_of(st.none(), st.integers(1, 4)))
        addon_to = draw(st.one_of(st.none(), st.integers(0, count - 1))) if count > 1 else None
        if addon_to == index:
            addon_to = None
        result.append(
            Position(
                item=draw(ITEMS),
                line_price=draw(PRICES),
                subevent=date,
                subevent_date_from=date_start(date) if date is not None else None,
                addon_to=addon_to,
                is_bundled=draw(st.booleans()) if addon_to is not None else False,
                voucher_discount=draw(st.sampled_from([Decimal("0.00"), Decimal("2.00")])),
            )
        )
    return result


@st.composite
def rules(draw, min_size: int = 0) -> list[Rule]:
    """Valid rules (docs/pricing.md, section 2, *valid configurations*) with distinct ids."""
    count = draw(st.integers(min_size, 4))
    result = []
    for rule_id in range(1, count + 1):
        mode = draw(st.sampled_from(list(DateGrouping)))
        by_value = mode != DateGrouping.DISTINCT and draw(st.booleans())
        same_products = mode == DateGrouping.DISTINCT or draw(st.booleans())
        rule = Rule(
            id=rule_id,
            position=draw(st.integers(0, 2)),
            active=draw(st.booleans()) or draw(st.booleans()),
            sales_channels=draw(st.sampled_from([None, frozenset({"web"}), frozenset({"box"})])),
            subevent_mode=mode,
            subevent_date_from=draw(st.sampled_from([None, date_start(2)])),
            condition_all_products=draw(st.booleans()),
            condition_limit_products=draw(ITEM_SETS),
            condition_apply_to_addons=draw(st.booleans()),
            condition_ignore_voucher_discounted=draw(st.booleans()),
            condition_min_count=0 if by_value else draw(st.integers(1, 4)),
            condition_min_value=draw(st.sampled_from(["5.00", "30.00", "100.00"]).map(Decimal))
            if by_value
            else Decimal("0.00"),
            benefit_same_products=same_products,
            benefit_limit_products=draw(ITEM_SETS),
            benefit_apply_to_addons=draw(st.booleans()),
            benefit_ignore_voucher_discounted=draw(st.booleans()),
            benefit_discount_matching_percent=draw(PERCENTS),
            benefit_only_apply_to_cheapest_n_matches=None
            if by_value
            else draw(st.sampled_from([None, 1, 2])),
        )
        assert_valid(rule)
        result.append(rule)
    return result


def outcomes(cart: list[Position], rule_list: list[Rule], currency: str = "EUR"):
    return apply_rules(cart, rule_list, now=NOW, channel="web", currency=as_currency(currency))


@settings(max_examples=300, deadline=None)
@given(positions(), rules(), st.sampled_from(["EUR", "JPY", "KWD"]))
def test_final_price_between_zero_and_line_price(cart, rule_list, currency):
    # Line prices in the currency's units, as price_cart makes them (a JPY line
    # price of 9.99 would round *up* to 10 under a 0% rule, as in pretix).
    cart = [replace(p, line_price=quantize(p.line_price, as_currency(currency))) for p in cart]
    for position, outcome in zip(cart, outcomes(cart, rule_list, currency), strict=True):
        assert 0 <= outcome.price <= position.line_price
        assert outcome.discount == position.line_price - outcome.price
        if outcome.rule is None:
            assert outcome.price == position.line_price
        if position.is_bundled:
            assert outcome.rule is None


@settings(max_examples=300, deadline=None)
@given(positions(), rules(min_size=1))
def test_consumed_positions_are_hidden_from_later_rules(cart, rule_list):
    """A position is consumed by at most one rule: the first rule's consumption,
    then the others over what is left (as if consumed positions were bundled),
    gives the same result as running all of them."""
    ordered = sorted(rule_list, key=lambda r: (r.position, r.id))
    first, rest = ordered[0], ordered[1:]
    together = outcomes(cart, ordered)
    alone = outcomes(cart, [first])
    leftover_cart = [
        replace(p, is_bundled=True) if o.rule is not None else p for p, o in zip(cart, alone, strict=True)
    ]
    afterwards = outcomes(leftover_cart, rest)
    for before, after, combined in zip(alone, afterwards, together, strict=True):
        expected = before if before.rule is not None else after
        assert combined == expected
        assert combined.rule is None or combined.rule in {r.id for r in ordered}


@settings(max_examples=200, deadline=None)
@given(positions(), rules(), rules(min_size=1))
def test_inactive_rules_change_nothing(cart, rule_list, extra):
    inactive = [replace(r, id=r.id + 100, active=False) for r in extra]
    assert outcomes(cart, rule_list + inactive) == outcomes(cart, rule_list)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 100_000), max_size=12),
    st.integers(0, 100_000),
    st.sampled_from(["EUR", "JPY", "KWD"]),
)
def test_allocation_shares_sum_to_the_discount(weights_units, total_units, currency):
    exponent = {"EUR": 2, "JPY": 0, "KWD": 3}[currency]
    weights = [Decimal(w).scaleb(-exponent) for w in weights_units]
    total = min(Decimal(total_units).scaleb(-exponent), sum(weights, Decimal(0)))
    shares = allocate(total, weights, as_currency(currency))
    assert len(shares) == len(weights)
    if sum(weights_units):
        assert sum(shares) == total
    for share, weight in zip(shares, weights, strict=True):
        assert 0 <= share <= weight
        assert share.as_tuple().exponent == -exponent


def naive_distinct_groups(visible, is_condition, dates, prices, ranks, min_count, cheapest_n):
    """Section 2.4 written out literally (quadratic): the reference for the fast version."""
    queues: dict = {}
    for i in visible:
        queues.setdefault(dates[i], []).append(i)
    for queue in queues.values():
        queue.sort(key=lambda i: (prices[i], ranks[i]))
    initial = {date: len(queue) for date, queue in queues.items()}
    groups, current = [], []
    while True:
        current_dates = {dates[i] for i in current}
        collected, cardinality = [], None
        for date, queue in queues.items():
            if date in current_dates:
                continue
            found = [i for i in queue if is_condition[i]]
            if cardinality and len(found) != cardinality:
                continue
            collected += found
            cardinality = len(found)
        if not collected:
            break
        collected.sort(key=lambda i: (prices[i], ranks[i]))
        current.append(collected[0] if len(current) < cheapest_n else collected[-1])
        if len(current) >= max(min_count, 1):
            groups.append(current)
            for i in current:
                queues[dates[i]].remove(i)
            current = []
    for date in sorted(queues, key=lambda d: -initial[d]):
        queue = queues[date]
        for group in groups:
            if not queue:
                break
            if date not in {dates[i] for i in group}:
                group.append(queue.pop())
    return groups


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 6), st.sampled_from([1, 2, 3, 5]), st.integers(0, 2), st.booleans()),
        max_size=30,
    ),
    st.integers(1, 4),
    st.integers(0, 3),
)
def test_fast_distinct_dealing_matches_the_literal_algorithm(rows, min_count, cheapest_n):
    dates = [date for date, _, _, _ in rows]
    prices = [Decimal(price) for _, price, _, _ in rows]
    ranks = [rank for _, _, rank, _ in rows]
    is_condition = [flag for _, _, _, flag in rows]
    visible = list(range(len(rows)))
    # The fast version takes (price, rank) encoded as one comparable int.
    code = {key: number for number, key in enumerate(sorted(set(zip(prices, ranks, strict=True))))}
    order = [code[key] for key in zip(prices, ranks, strict=True)]
    fast = deal_distinct_groups(visible, is_condition, dates, order, min_count, cheapest_n)
    assert fast == naive_distinct_groups(visible, is_condition, dates, prices, ranks, min_count, cheapest_n)


@st.composite
def cart_lines(draw) -> list[CartLine]:
    cart = draw(positions())
    codes = [None, "V", "C"]
    return [
        CartLine(
            item=p.item,
            list_price=p.line_price,
            subevent=p.subevent,
            subevent_date_from=p.subevent_date_from,
            addon_to=p.addon_to,
            is_bundled=p.is_bundled,
            code=draw(st.sampled_from(codes)),
        )
        for p in cart
    ]


CODES = st.tuples(
    st.sampled_from([CodeMode.SET, CodeMode.SUBTRACT, CodeMode.PERCENT, CodeMode.NONE]),
    st.sampled_from([CodeMode.PERCENT, CodeMode.FIX, CodeMode.FIX_PER_ITEM]),
    st.sampled_from(["0", "5", "12", "50", "100"]).map(Decimal),
    st.one_of(st.none(), st.integers(0, 3)),
    st.one_of(st.none(), st.sampled_from(["0", "3", "20"]).map(Decimal)),
)


@settings(max_examples=300, deadline=None)
@given(cart_lines(), rules(), CODES)
def test_priced_cart_adds_up(lines, rule_list, code_params):
    voucher_mode, coupon_mode, value, max_tickets, budget = code_params
    codes = [
        Code("V", CodeScope.POSITION, voucher_mode, value, budget=budget),
        Code("C", CodeScope.ORDER, coupon_mode, value, max_tickets=max_tickets, budget=budget),
    ]
    cart = price_cart(lines, rule_list, codes, now=NOW, channel="web", currency=as_currency("EUR"))
    assert cart.total == cart.list_total - cart.code_discount_total - cart.rule_discount_total
    assert sum((ln.price for ln in cart.lines), Decimal(0)) == cart.total
    for ln in cart.lines:
        assert ln.line_price >= 0 and ln.price >= 0
        assert 0 <= ln.rule_discount <= ln.line_price
        assert ln.price == ln.list_price - ln.code_discount - ln.rule_discount
        if ln.code_discount < 0:  # only a voucher set above the list price
            assert voucher_mode == CodeMode.SET

"""The order service's code decisions (``orders.checkout.decide``, docs/pricing.md, section 3.2) around the
pure engine: codes that would make the order dearer set aside, what each applied code saved, and
``partly_applied`` warnings.

No database: codes are built as :class:`ResolvedCode` directly and priced through the one adapter
(``orders.checkout.adapter.code_from``) and ``orders.pricing.price_cart``. Expected numbers in the
example tests are worked out by hand in the comments next to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from orders.checkout.adapter import code_from
from orders.checkout.decide import NOT_BENEFICIAL, PARTLY_APPLIED, Decision, decide
from orders.pricing import CartLine, CodeShare, Currency, PricedCart, Rule, price_cart
from orders.tests.pricing.builders import NOW, assert_valid
from orders.tests.pricing.test_properties import rules as engine_rules
from vouchers.choices import CodeKind
from vouchers.resolution import ResolvedCode

D = Decimal
VOUCHER = "V"


def never(code: ResolvedCode) -> bool:
    return False


def pricer(lines: Sequence[CartLine], rules: Sequence[Rule]):
    """``price_with`` as the price stage builds it: the same lines and rules, only the codes vary."""

    def price_with(codes: Sequence[ResolvedCode]) -> PricedCart:
        return price_cart(
            lines, rules, [code_from(c) for c in codes], now=NOW, channel="web", currency=Currency("EUR", 2)
        )

    return price_with


def promo(code: str, mode: str, value: str, **fields) -> ResolvedCode:
    return ResolvedCode(kind=CodeKind.PROMO_CODE, id=1, code=code, mode=mode, value=D(value), **fields)


def coupon(code: str, mode: str, value: str, **fields) -> ResolvedCode:
    return ResolvedCode(kind=CodeKind.COUPON, id=2, code=code, mode=mode, value=D(value), **fields)


def voucher(code: str, mode: str, value: str, **fields) -> ResolvedCode:
    return ResolvedCode(kind=CodeKind.VOUCHER, id=3, code=code, mode=mode, value=D(value), **fields)


def tickets(*prices: str, code: str | None = None) -> list[CartLine]:
    return [CartLine(item=1, list_price=D(price), code=code) for price in prices]


def ten_percent_from_100() -> Rule:
    """The rule "10 % off from 100.00": every position 10 % off once the cart's line prices reach 100.00."""
    return Rule(id=1, condition_min_value=D("100.00"), benefit_discount_matching_percent=D("10"))


def three_for_two() -> Rule:
    return Rule(
        id=2,
        condition_min_count=3,
        benefit_discount_matching_percent=D("100"),
        benefit_only_apply_to_cheapest_n_matches=1,
    )


# --- random carts, rules and codes ---------------------------------------------------------------

ITEMS = st.integers(1, 3)
ITEM_SETS = st.frozensets(ITEMS, min_size=1, max_size=3)
#: 0.00–200.00 in cents, with the round prices that meet rule thresholds exactly.
PRICES = st.one_of(
    st.integers(0, 20_000).map(lambda cents: D(cents).scaleb(-2)),
    st.sampled_from(["0.00", "10.00", "23.00", "25.00", "33.33", "50.00", "51.00", "100.00"]).map(D),
)
RULE_PERCENTS = st.sampled_from(["5", "10", "15", "20", "25", "33.33", "50", "100"]).map(D)


@st.composite
def cart(draw, with_voucher: bool) -> list[CartLine]:
    count = draw(st.integers(1, 8))
    lines = []
    for index in range(count):
        addon_to = draw(st.one_of(st.none(), st.integers(0, index - 1))) if index else None
        lines.append(
            CartLine(
                item=draw(ITEMS),
                list_price=draw(PRICES),
                addon_to=addon_to,
                is_bundled=addon_to is not None and draw(st.integers(0, 4)) == 0,
                code=VOUCHER if with_voucher and draw(st.booleans()) else None,
            )
        )
    return lines


@st.composite
def realistic_rule(draw, rule_id: int) -> Rule:
    """One of the rules shops set up: "10 % off from 100.00", "3 for 2", "20 % off from 4 tickets",
    and the same limited to some products (condition and benefit products may differ)."""
    kind = draw(st.sampled_from(["min_value", "min_value", "cheapest_n", "cheapest_n", "min_count"]))
    fields: dict = {}
    if kind == "min_value":
        fields["condition_min_value"] = draw(
            st.one_of(
                st.sampled_from(["50.00", "100.00", "100.00", "150.00", "200.00", "300.00"]).map(D),
                st.integers(1, 30_000).map(lambda cents: D(cents).scaleb(-2)),
            )
        )
        fields["benefit_discount_matching_percent"] = draw(RULE_PERCENTS)
    elif kind == "cheapest_n":  # "3 for 2", "buy 2, the third half price", "4 for 2"
        fields["condition_min_count"] = draw(st.integers(2, 4))
        fields["benefit_only_apply_to_cheapest_n_matches"] = draw(st.integers(1, 2))
        fields["benefit_discount_matching_percent"] = draw(st.sampled_from(["100", "100", "50"]).map(D))
    else:
        fields["condition_min_count"] = draw(st.integers(1, 4))
        fields["benefit_discount_matching_percent"] = draw(RULE_PERCENTS)
    if draw(st.integers(0, 3)) == 0:
        fields["condition_all_products"] = False
        fields["condition_limit_products"] = draw(ITEM_SETS)
    if draw(st.integers(0, 3)) == 0:
        fields["benefit_same_products"] = False
        fields["benefit_limit_products"] = draw(ITEM_SETS)
    rule = Rule(
        id=rule_id,
        position=draw(st.integers(0, 2)),
        condition_apply_to_addons=draw(st.booleans()) or draw(st.booleans()),
        benefit_apply_to_addons=draw(st.booleans()) or draw(st.booleans()),
        condition_ignore_voucher_discounted=draw(st.integers(0, 3)) == 0,
        benefit_ignore_voucher_discounted=draw(st.integers(0, 3)) == 0,
        **fields,
    )
    assert_valid(rule)
    return rule


@st.composite
def rule_set(draw) -> list[Rule]:
    """0–3 realistic rules, or now and then the engine property tests' wider rule mix."""
    if draw(st.integers(0, 4)) == 0:
        return draw(engine_rules())
    return [draw(realistic_rule(rule_id)) for rule_id in range(1, draw(st.integers(0, 3)) + 1)]


ORDER_PERCENTS = st.one_of(
    st.sampled_from(["1", "2", "5", "10", "12.5", "20", "50", "100"]),
    st.integers(0, 10_000).map(lambda hundredths: str(D(hundredths).scaleb(-2))),
).map(D)
FIX_AMOUNTS = st.one_of(
    st.sampled_from(["0.50", "1.00", "2.00", "5.00", "10.00", "20.00", "50.00"]).map(D),
    st.integers(0, 10_000).map(lambda cents: D(cents).scaleb(-2)),
)


@st.composite
def order_wide_code(draw, text: str) -> ResolvedCode:
    kind, mode = draw(
        st.sampled_from(
            [
                (CodeKind.COUPON, "percent"),
                (CodeKind.COUPON, "fix"),
                (CodeKind.COUPON, "fix_per_item"),
                (CodeKind.PROMO_CODE, "percent"),
                (CodeKind.PROMO_CODE, "fix"),
            ]
        )
    )
    value = draw(ORDER_PERCENTS if mode == "percent" else FIX_AMOUNTS)
    max_value = draw(st.one_of(st.none(), FIX_AMOUNTS)) if mode == "percent" else None
    return ResolvedCode(
        kind=kind,
        id=draw(st.integers(1, 1000)),
        code=text,
        mode=mode,
        value=value,
        tickets_remaining=draw(st.one_of(st.none(), st.integers(0, 3))),
        discount_max_value=max_value,
        item_ids=draw(st.one_of(st.none(), st.none(), ITEM_SETS)),
    )


@st.composite
def a_voucher(draw) -> ResolvedCode:
    mode = draw(st.sampled_from(["none", "set", "subtract", "percent"]))
    value = draw(ORDER_PERCENTS if mode == "percent" else FIX_AMOUNTS)
    budget = draw(st.one_of(st.none(), st.none(), FIX_AMOUNTS))
    return ResolvedCode(
        kind=CodeKind.VOUCHER, id=1, code=VOUCHER, mode=mode, value=value, budget_remaining=budget
    )


@dataclass(frozen=True)
class Scenario:
    lines: list[CartLine]
    rules: list[Rule]
    codes: list[ResolvedCode]  # in the order they were added to the cart


@st.composite
def scenarios(draw) -> Scenario:
    order_wide = [draw(order_wide_code(f"C{n}")) for n in range(1, draw(st.integers(0, 3)) + 1)]
    codes = list(order_wide)
    with_voucher = draw(st.booleans())
    if with_voucher:  # added to the cart at any point among the others
        codes.insert(draw(st.integers(0, len(codes))), draw(a_voucher()))
    lines = draw(cart(with_voucher))
    rules = draw(rule_set())
    if draw(st.booleans()):
        rules.append(draw(threshold_rule(lines)))
    return Scenario(lines=lines, rules=rules, codes=codes)


@st.composite
def threshold_rule(draw, lines: Sequence[CartLine]) -> Rule:
    """A minimum-value rule the cart just reaches at list prices (up to 5.00 to spare), so that a
    small code may push it below: where setting aside matters."""
    reachable = sum((line.list_price for line in lines if not line.is_bundled), D("0.00"))
    spare = draw(st.integers(0, 500).map(lambda cents: D(cents).scaleb(-2)))
    return Rule(
        id=99,
        position=draw(st.integers(0, 2)),
        condition_min_value=max(reachable - spare, D("0.01")),
        benefit_discount_matching_percent=draw(RULE_PERCENTS),
    )


def is_order_wide(code: ResolvedCode) -> bool:
    return code.kind != CodeKind.VOUCHER


def without(codes: Sequence[ResolvedCode], code: ResolvedCode) -> list[ResolvedCode]:
    return [c for c in codes if c is not code]


def decided(scenario: Scenario) -> tuple[Decision, PricedCart]:
    """``decide`` with nothing kept, and the cart priced with its vouchers only."""
    price_with = pricer(scenario.lines, scenario.rules)
    decision = decide(scenario.codes, price_with, keep=never)
    return decision, price_with([c for c in scenario.codes if not is_order_wide(c)])


# Two 1 % codes on 2 × 50.00 with "10 % off from 100.00" (worked out in
# test_two_codes_that_each_keep_the_cart_below_a_threshold_are_both_kept below).
TWO_SMALL_CODES = Scenario(
    lines=tickets("50.00", "50.00"),
    rules=[ten_percent_from_100()],
    codes=[promo("P1", "percent", "1"), coupon("K1", "percent", "1")],
)

PROPERTY_SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(scenarios())
def test_setting_aside_stops_where_no_single_code_makes_the_order_dearer(scenario):
    """What ``decide`` guarantees by construction, for every cart."""
    decision, _ = decided(scenario)
    price_with = pricer(scenario.lines, scenario.rules)
    total = decision.result.total

    # The result is the cart priced with exactly the applied codes, kept in the order they were added.
    assert decision.result == price_with(decision.codes)
    assert decision.codes == [c for c in scenario.codes if any(c is kept for kept in decision.codes)]
    # Applied and set aside split the codes; vouchers are never set aside.
    aside = [entry.code for entry in decision.set_aside]
    assert all(not any(code is applied for applied in decision.codes) for code in aside)
    assert {c.code for c in aside}.isdisjoint(c.code for c in decision.codes)
    assert sorted(c.code for c in aside + decision.codes) == sorted(c.code for c in scenario.codes)
    assert all(is_order_wide(code) for code in aside)

    for entry in decision.set_aside:
        assert entry.reason == NOT_BENEFICIAL
        assert entry.total_with > total

    applied_order_wide = [c for c in decision.codes if is_order_wide(c)]
    assert set(decision.savings) == {c.code for c in applied_order_wide}
    for code in applied_order_wide:
        # Priced again here: no remaining code's removal would lower the total further.
        total_without = price_with(without(decision.codes, code)).total
        assert total_without >= total
        assert decision.savings[code.code] == total_without - total
        assert decision.savings[code.code] >= 0


@PROPERTY_SETTINGS
@example(TWO_SMALL_CODES)
@given(scenarios())
def test_codes_never_make_the_order_dearer_than_no_code_at_all(scenario):
    """The headline of docs/pricing.md, section 3.2: the total after ``decide`` is never above the total
    with no coupon or promo code at all (vouchers kept)."""
    decision, vouchers_only = decided(scenario)
    assert decision.result.total <= vouchers_only.total


# --- examples, worked out by hand ----------------------------------------------------------------


def test_a_code_that_loses_a_threshold_rule_is_set_aside():
    # 2 × 50.00 = 100.00 reaches "10 % off from 100.00": 45.00 + 45.00 = 90.00.
    # With the 1 % promo code: 1 % of 100.00 = 1.00, 0.50 per ticket → 49.50 + 49.50 = 99.00,
    # below 100.00, so no rule: 99.00. Without it the order is cheaper, so it is set aside.
    code = promo("SMALL1", "percent", "1")
    decision = decide([code], pricer(tickets("50.00", "50.00"), [ten_percent_from_100()]), keep=never)

    assert decision.result.total == D("90.00")
    assert [line.price for line in decision.result.lines] == [D("45.00"), D("45.00")]
    assert all(line.codes == () for line in decision.result.lines)
    assert decision.codes == []
    assert len(decision.set_aside) == 1
    (entry,) = decision.set_aside
    assert entry.code is code
    assert entry.total_with == D("99.00")
    assert entry.reason == NOT_BENEFICIAL
    assert decision.savings == {}
    assert decision.warnings == []


def test_a_fix_coupon_before_three_for_two_saves_less_than_it_takes_off():
    # 3 × 23.00, fix 10.00: 10.00 split by price → 3.33 each and the missing cent to the first
    # line (ties: earlier) → 3.34 / 3.33 / 3.33, line prices 19.66 / 19.67 / 19.67 (59.00).
    # "3 for 2" makes the cheapest (19.66) free: 19.67 + 19.67 = 39.34.
    # Without the coupon: 23.00 × 3 with one free = 46.00. Saving 46.00 − 39.34 = 6.66.
    code = coupon("TENOFF", "fix", "10.00")
    decision = decide([code], pricer(tickets("23.00", "23.00", "23.00"), [three_for_two()]), keep=never)

    result = decision.result
    assert [line.codes for line in result.lines] == [
        (CodeShare("TENOFF", D("3.34")),),
        (CodeShare("TENOFF", D("3.33")),),
        (CodeShare("TENOFF", D("3.33")),),
    ]
    assert [line.line_price for line in result.lines] == [D("19.66"), D("19.67"), D("19.67")]
    assert [line.price for line in result.lines] == [D("0.00"), D("19.67"), D("19.67")]
    assert result.code_discount_total == D("10.00")
    assert result.total == D("39.34")
    assert decision.codes == [code]
    assert decision.set_aside == []
    assert decision.savings == {"TENOFF": D("6.66")}


def test_a_code_that_is_kept_is_never_set_aside():
    # The cart of the first example: with the 1 % code 99.00, without it 90.00. The code unlocks an
    # item of the cart (keep is true), so it stays: total 99.00, saving 90.00 − 99.00 = −9.00.
    code = promo("UNLOCK", "percent", "1")
    price_with = pricer(tickets("50.00", "50.00"), [ten_percent_from_100()])

    decision = decide([code], price_with, keep=lambda c: c.code == "UNLOCK")

    assert decision.codes == [code]
    assert decision.set_aside == []
    assert decision.result.total == D("99.00")
    assert decision.savings == {"UNLOCK": D("-9.00")}
    # keep() is asked about each code: another code in the same place is still set aside.
    other = promo("OTHER", "percent", "1")
    decision = decide([other], price_with, keep=lambda c: c.code == "UNLOCK")
    assert [entry.code for entry in decision.set_aside] == [other]


def test_a_voucher_that_raises_the_price_is_never_set_aside():
    # A set voucher of 60.00 on a 50.00 ticket raises the total from 50.00 to 60.00 on purpose.
    code = voucher("SET60", "set", "60.00")
    decision = decide([code], pricer(tickets("50.00", code="SET60"), []), keep=never)

    assert decision.codes == [code]
    assert decision.set_aside == []
    assert decision.result.total == D("60.00")
    assert decision.savings == {}  # savings are for coupons and promo codes only


@pytest.mark.parametrize(
    ("order", "set_aside", "kept", "total", "saving"),
    [
        (["A2", "B1"], "B1", "A2", "90.00", "1.80"),
        (["B1", "A2"], "A2", "B1", "90.90", "0.90"),
    ],
)
def test_the_most_recently_added_code_is_examined_first(order, set_aside, kept, total, saving):
    # 2 × 51.00 with "10 % off from 100.00"; A2 is fix 2.00, B1 fix 1.00 (each split half/half).
    #   no code:  102.00 ≥ 100.00 → 45.90 + 45.90 = 91.80
    #   A2 alone: 50.00 + 50.00 = 100.00 ≥ 100.00 → 45.00 + 45.00 = 90.00
    #   B1 alone: 50.50 + 50.50 = 101.00 ≥ 100.00 → 45.45 + 45.45 = 90.90
    #   both:     49.50 + 49.50 = 99.00 < 100.00 → 99.00
    # With both, removing either lowers the total. The later code goes first: without it the
    # total falls from 99.00 to what the earlier code alone gives; removing that one as well
    # would give 91.80, dearer, so it stays. Its saving: 91.80 − the final total.
    codes = {"A2": promo("A2", "fix", "2.00"), "B1": coupon("B1", "fix", "1.00")}
    decision = decide(
        [codes[text] for text in order], pricer(tickets("51.00", "51.00"), [ten_percent_from_100()]),
        keep=never,
    )  # fmt: skip

    assert [(entry.code.code, entry.total_with) for entry in decision.set_aside] == [(set_aside, D("99.00"))]
    assert [code.code for code in decision.codes] == [kept]
    assert decision.result.total == D(total)
    assert decision.savings == {kept: D(saving)}


def test_setting_aside_is_repeated_until_no_code_lowers_the_total():
    # "10 % off every ticket bought without a code" (min count 1, positions a code changed do not
    # count) on two 50.00 tickets of items 1 and 2. A: fix 1.00 for item 1, B: fix 1.00 for item 2,
    # added in that order; a ticket a code changed keeps its 49.00, the others cost 45.00.
    #   both: 49.00 + 49.00 = 98.00;  A alone: 49.00 + 45.00 = 94.00;  no code: 45.00 + 45.00 = 90.00
    # B (the later) first: without it 94.00 < 98.00, set aside. Examined again, A: without it
    # 90.00 < 94.00, set aside as well.
    lines = [CartLine(item=1, list_price=D("50.00")), CartLine(item=2, list_price=D("50.00"))]
    rule = Rule(
        id=3,
        condition_min_count=1,
        condition_ignore_voucher_discounted=True,
        benefit_discount_matching_percent=D("10"),
    )
    a = coupon("A", "fix", "1.00", item_ids=frozenset({1}))
    b = promo("B", "fix", "1.00", item_ids=frozenset({2}))

    decision = decide([a, b], pricer(lines, [rule]), keep=never)

    set_aside = [(entry.code, entry.total_with) for entry in decision.set_aside]
    assert set_aside == [(b, D("98.00")), (a, D("94.00"))]
    assert decision.codes == []
    assert decision.result.total == D("90.00")
    assert decision.savings == {}


def test_two_codes_that_only_together_lose_a_threshold_rule_are_both_set_aside():
    # 2 × 50.00 with "10 % off from 100.00", a 1 % promo code P1 then a 1 % coupon K1.
    #   no code: 100.00 → 90.00
    #   P1 alone: 1.00 off → 99.00 (no rule); K1 alone: the same, 99.00
    #   both: P1 takes 1.00 (99.00 left), K1 1 % of 99.00 = 0.99 → 98.01 (no rule)
    # Removing either code alone gives 99.00, dearer than 98.01; but 98.01 is above the 90.00
    # without any code, so the most recently added, K1, goes (total 99.00), and then P1 does.
    decision, vouchers_only = decided(TWO_SMALL_CODES)

    assert vouchers_only.total == D("90.00")
    assert decision.result.total == D("90.00")
    assert [(entry.code.code, entry.total_with) for entry in decision.set_aside] == [
        ("K1", D("98.01")), ("P1", D("99.00"))
    ]  # fmt: skip
    assert (decision.codes, decision.savings) == ([], {})


def test_codes_that_together_lose_the_rule_stop_going_once_the_floor_is_reached():
    # 2 × 50.00 with "10 % off from 100.00": a fix 20.00 coupon BIG, then two 1 % codes P1, K1.
    #   BIG alone: 80.00 (no rule); none: 90.00. All three: 80.00 − 0.80 − 0.79 = 78.41.
    #   Removing K1: 79.20; P1: 79.20; BIG: 98.01. None lowers the total, which is below 90.00:
    #   nothing is set aside.
    scenario = Scenario(
        lines=tickets("50.00", "50.00"),
        rules=[ten_percent_from_100()],
        codes=[coupon("BIG", "fix", "20.00"), promo("P1", "percent", "1"), coupon("K1", "percent", "1")],
    )
    decision, vouchers_only = decided(scenario)
    assert (vouchers_only.total, decision.result.total, decision.set_aside) == (D("90.00"), D("78.41"), [])
    assert decision.savings == {"BIG": D("19.60"), "P1": D("0.79"), "K1": D("0.79")}


def test_a_coupon_short_of_tickets_is_partly_applied():
    # 10 % coupon with 1 ticket left on 30.00 / 20.00 / 10.00: it goes to the dearest (30.00),
    # 3.00 off → 27.00 + 20.00 + 10.00 = 57.00; eligible 3, discounted 1. Saving 60.00 − 57.00.
    code = coupon("ONE", "percent", "10", tickets_remaining=1)
    decision = decide([code], pricer(tickets("30.00", "20.00", "10.00"), []), keep=never)

    assert decision.result.total == D("57.00")
    assert decision.savings == {"ONE": D("3.00")}
    assert len(decision.warnings) == 1
    (warning,) = decision.warnings
    assert warning.code is code
    assert (warning.discounted, warning.eligible, warning.reason) == (1, 3, PARTLY_APPLIED)


def test_partly_warnings_for_a_voucher_come_from_the_check_stage():
    # Line 0 carries the voucher (subtract 5.00 → 35.00); lines 1–3 carry no code and are the
    # coupon's eligible positions, of which its one ticket reaches the dearest (40.00 → 36.00).
    # The check stage attached the voucher to 1 of 2 positions that could take it (partly).
    lines = tickets("40.00", code="V5") + tickets("40.00", "30.00", "20.00")
    v5 = voucher("V5", "subtract", "5.00")
    one = coupon("ONE", "percent", "10", tickets_remaining=1)
    partly = {"V5": (1, 2), "ONE": (0, 9)}  # the entry for a coupon is not read: the engine counts

    decision = decide([v5, one], pricer(lines, []), keep=never, partly=partly)

    assert decision.result.total == D("35.00") + D("36.00") + D("30.00") + D("20.00")
    warnings = [(w.code.code, w.discounted, w.eligible) for w in decision.warnings]
    assert warnings == [("V5", 1, 2), ("ONE", 1, 3)]
    # Without the partly entry the voucher, applied to all it was attached to, gets no warning.
    decision = decide([v5, one], pricer(lines, []), keep=never)
    assert [(w.code.code, w.discounted, w.eligible) for w in decision.warnings] == [("ONE", 1, 3)]


def test_a_set_aside_code_gets_no_partly_warning():
    # The first example's cart with the promo code limited to 1 ticket: 0.50 off one ticket →
    # 49.50 + 50.00 = 99.50, no rule; without it 90.00. Set aside, so no warning about its tickets.
    code = promo("SMALL1", "percent", "1", tickets_remaining=1)
    decision = decide([code], pricer(tickets("50.00", "50.00"), [ten_percent_from_100()]), keep=never)

    assert [(entry.code, entry.total_with) for entry in decision.set_aside] == [(code, D("99.50"))]
    assert decision.warnings == []

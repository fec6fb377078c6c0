"""Small builders so that engine tests read as specifications.

``pos(...)`` makes a position, ``rule(...)`` a rule with pretix defaults and
plain-string money, ``run(...)`` applies rules and returns ``(price, rule id)``
pairs as strings, which is how the tables state their expectations.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from orders.pricing import Currency, DateGrouping, Position, Rule, apply_rules
from ticketing.currency import currency_places

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def as_currency(code: str) -> Currency:
    """The engine's currency for ``code``, with its minor units from the project's ISO 4217 table."""
    return Currency(code, currency_places(code))
FIRST_DATE = datetime(2026, 7, 1, 18, 0, tzinfo=UTC)


def date_start(subevent: int) -> datetime:
    """Date (sub-event) ``n`` starts ``n`` weeks after the first one."""
    return FIRST_DATE + timedelta(weeks=subevent - 1)


def pos(
    price: str,
    item: int = 1,
    *,
    date: int | None = None,
    addon_to: int | None = None,
    bundled: bool = False,
    voucher: str = "0.00",
) -> Position:
    """A position; ``date`` is a sub-event id (its start is :func:`date_start`)."""
    return Position(
        item=item,
        line_price=Decimal(price),
        subevent=date,
        subevent_date_from=date_start(date) if date is not None else None,
        addon_to=addon_to,
        is_bundled=bundled,
        voucher_discount=Decimal(voucher),
    )


def rule(id: int = 1, **fields: Any) -> Rule:
    """A rule; money as strings, product limits as lists, mode as a string."""
    for key in ("condition_min_value", "benefit_discount_matching_percent"):
        if key in fields:
            fields[key] = Decimal(fields[key])
    for key in ("condition_limit_products", "benefit_limit_products"):
        if key in fields:
            fields[key] = frozenset(fields[key])
    if "sales_channels" in fields and fields["sales_channels"] is not None:
        fields["sales_channels"] = frozenset(fields["sales_channels"])
    if "subevent_mode" in fields:
        fields["subevent_mode"] = DateGrouping(fields["subevent_mode"])
    if "condition_limit_products" in fields:
        fields.setdefault("condition_all_products", False)
    if "benefit_limit_products" in fields:
        fields.setdefault("benefit_same_products", False)
    return Rule(id=id, **fields)


def run(
    positions: list[Position],
    rules: list[Rule],
    *,
    now: datetime = NOW,
    channel: str = "web",
    currency: str = "EUR",
) -> list[tuple[str, int | None]]:
    """Apply ``rules`` and return each position's (final price, consuming rule)."""
    outcomes = apply_rules(positions, rules, now=now, channel=channel, currency=as_currency(currency))
    return [(str(o.price), o.rule) for o in outcomes]


RULE_FIELDS = (
    "active", "position", "available_from", "available_until", "subevent_mode", "subevent_date_from",
    "subevent_date_until", "condition_all_products", "condition_apply_to_addons",
    "condition_ignore_voucher_discounted", "condition_min_count", "condition_min_value",
    "benefit_same_products", "benefit_apply_to_addons", "benefit_ignore_voucher_discounted",
    "benefit_discount_matching_percent", "benefit_only_apply_to_cheapest_n_matches",
)  # fmt: skip


def assert_valid(rule: Rule) -> None:
    """The generated rule is one an organizer could save: the domain's own validation
    (``discounts.models.validate_discount``) accepts its fields."""
    from discounts.models import validate_discount

    validate_discount(**{name: getattr(rule, name) for name in RULE_FIELDS})

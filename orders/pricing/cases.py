"""The JSON case format of docs/pricing.md, section 4: parse, price, serialise.

A case is a cart (positions with line prices), the event's rules, the checkout
time, sales channel and currency, and optionally the expected result. Parsing
turns it into the engine's dataclasses and rejects a malformed case with a
:class:`CaseError` that names the case and the field. Missing rule fields take
the defaults of the pretix discount resource (see :class:`~.types.Rule`).

Parsing is on the hot path of ``simulate`` (thousands of cases per second), so
field checks are written out inline rather than through a schema library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .money import Currency
from .rules import apply_rules
from .types import DateGrouping, Position, Rule, RuleOutcome

__all__ = [
    "Case",
    "CaseError",
    "Expected",
    "Places",
    "parse_case",
    "parse_cases",
    "parse_expected",
    "price_case",
    "serialise_outcomes",
]

_ZERO = Decimal("0.00")
_HUNDRED = Decimal(100)
_MODES = {mode.value: mode for mode in DateGrouping}


class CaseError(ValueError):
    """A malformed case: which case (name, else its index), which field, what is wrong."""

    def __init__(self, case: str, field: str, message: str) -> None:
        super().__init__(f"case {case}: {field}: {message}")
        self.case = case
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Expected:
    """One position's expected outcome: final price and consuming rule id."""

    price: Decimal
    discount: int | None


@dataclass(frozen=True, slots=True)
class Case:
    """A parsed case, ready for :func:`price_case`."""

    name: str
    currency: Currency
    now: datetime
    channel: str
    rules: tuple[Rule, ...]
    positions: tuple[Position, ...]


class _Fail(Exception):
    """Internal: a field is wrong; turned into CaseError with the case label."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.field = field
        self.message = message


def _label(raw: Any, index: int) -> str:
    name = raw.get("name") if isinstance(raw, dict) else None
    if isinstance(name, str) and name:
        return f'#{index} "{name}"'
    return f"#{index}"


#: How many minor units a currency code has; raises ``KeyError`` for a code it does not know. The engine
#: has no table of currencies, so whoever parses cases passes one (``ticketing.currency.currency_places``).
Places = Callable[[str], int]


def parse_cases(raw: Any, *, places: Places) -> list[Case]:
    """Parse a whole file's content (a JSON list of cases)."""
    if not isinstance(raw, list):
        raise CaseError("(file)", "(top level)", "expected a JSON list of cases")
    return [parse_case(item, index, places=places) for index, item in enumerate(raw)]


def parse_case(raw: Any, index: int = 0, *, places: Places) -> Case:
    """Parse one case; raises :class:`CaseError` naming the case and field."""
    try:
        return _parse_case(raw, places)
    except _Fail as fail:
        raise CaseError(_label(raw, index), fail.field, fail.message) from None


def _parse_case(raw: Any, places: Places) -> Case:
    if not isinstance(raw, dict):
        raise _Fail("(case)", "expected a JSON object")
    name = raw.get("name", "")
    if not isinstance(name, str):
        raise _Fail("name", "expected a string")
    code = _required(raw, "currency", "")
    if not (isinstance(code, str) and len(code) == 3 and code.isalpha() and code.isupper()):
        raise _Fail("currency", f"expected an ISO 4217 code such as EUR, got {code!r}")
    try:
        currency = Currency(code, places(code))
    except KeyError:
        raise _Fail("currency", f"{code!r} is not an ISO 4217 currency") from None
    now = _datetime(_required(raw, "now", ""), "now")
    if now is None:
        raise _Fail("now", "must not be null")
    channel = _required(raw, "sales_channel", "")
    if not isinstance(channel, str) or not channel:
        raise _Fail("sales_channel", "expected a non-empty string")
    raw_rules = _required(raw, "rules", "")
    if not isinstance(raw_rules, list):
        raise _Fail("rules", "expected a list")
    rules = tuple(_parse_rule(r, f"rules[{k}]") for k, r in enumerate(raw_rules))
    ids = [rule.id for rule in rules]
    if len(set(ids)) != len(ids):
        raise _Fail("rules", "rule ids must be unique")
    raw_positions = _required(raw, "positions", "")
    if not isinstance(raw_positions, list):
        raise _Fail("positions", "expected a list")
    count = len(raw_positions)
    positions = tuple(_parse_position(p, k, count) for k, p in enumerate(raw_positions))
    return Case(name, currency, now, channel, rules, positions)


def _required(raw: dict, key: str, prefix: str) -> Any:
    try:
        return raw[key]
    except KeyError:
        raise _Fail(prefix + key, "missing") from None


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, str):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise _Fail(field, f"not a decimal number: {value!r}") from None
    elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        raise _Fail(field, f"expected a decimal string, got {value!r}")
    if not result.is_finite():
        raise _Fail(field, f"not a finite number: {value!r}")
    return result


def _datetime(value: Any, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Fail(field, f"expected an ISO 8601 date-time string or null, got {value!r}")
    try:
        result = datetime.fromisoformat(value)
    except ValueError:
        raise _Fail(field, f"not an ISO 8601 date-time: {value!r}") from None
    if result.tzinfo is None:
        raise _Fail(field, f"needs a time zone (e.g. Z or +00:00): {value!r}")
    return result


def _int(value: Any, field: str, *, minimum: int | None = None) -> int:
    if type(value) is not int:
        raise _Fail(field, f"expected an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise _Fail(field, f"must be at least {minimum}, got {value}")
    return value


def _bool(value: Any, field: str) -> bool:
    if type(value) is not bool:
        raise _Fail(field, f"expected true or false, got {value!r}")
    return value


def _ids(value: Any, field: str) -> frozenset[int]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or any(type(v) is not int for v in value):
        raise _Fail(field, f"expected a list of item ids, got {value!r}")
    return frozenset(value)


# Rule fields by kind; any field not given keeps the Rule dataclass default,
# which is the pretix discount resource's default.
_RULE_BOOLS = (
    "active",
    "condition_all_products",
    "condition_apply_to_addons",
    "condition_ignore_voucher_discounted",
    "benefit_same_products",
    "benefit_apply_to_addons",
    "benefit_ignore_voucher_discounted",
)
_RULE_DATETIMES = ("available_from", "available_until", "subevent_date_from", "subevent_date_until")
_RULE_ID_SETS = ("condition_limit_products", "benefit_limit_products")


def _parse_rule(raw: Any, prefix: str) -> Rule:
    if not isinstance(raw, dict):
        raise _Fail(prefix, "expected a JSON object")
    p = prefix + "."
    fields: dict[str, Any] = {"id": _int(_required(raw, "id", p), p + "id")}
    get = raw.get
    if "position" in raw:
        fields["position"] = _int(raw["position"], p + "position", minimum=0)
    for key in _RULE_BOOLS:
        if key in raw:
            fields[key] = _bool(raw[key], p + key)
    for key in _RULE_DATETIMES:
        value = get(key)
        if value is not None:
            fields[key] = _datetime(value, p + key)
    for key in _RULE_ID_SETS:
        if key in raw:
            fields[key] = _ids(raw[key], p + key)
    channels = get("sales_channels")
    if channels is not None:
        if not isinstance(channels, list) or any(not isinstance(c, str) for c in channels):
            raise _Fail(p + "sales_channels", f"expected null or a list of channel names, got {channels!r}")
        fields["sales_channels"] = frozenset(channels)
    if "subevent_mode" in raw:
        mode = _MODES.get(raw["subevent_mode"]) if isinstance(raw["subevent_mode"], str) else None
        if mode is None:
            got = raw["subevent_mode"]
            raise _Fail(p + "subevent_mode", f"expected one of mixed, same, distinct, got {got!r}")
        fields["subevent_mode"] = mode
    if "condition_min_count" in raw:
        fields["condition_min_count"] = _int(raw["condition_min_count"], p + "condition_min_count", minimum=0)
    if "condition_min_value" in raw:
        value = _decimal(raw["condition_min_value"], p + "condition_min_value")
        if value < 0:
            raise _Fail(p + "condition_min_value", "must not be negative")
        fields["condition_min_value"] = value
    if "benefit_discount_matching_percent" in raw:
        key = "benefit_discount_matching_percent"
        value = _decimal(raw[key], p + key)
        # Section 2.5: limited to 0..100 (pretix would produce negative prices).
        if not 0 <= value <= _HUNDRED:
            raise _Fail(p + key, f"must be between 0 and 100, got {value}")
        fields[key] = value
    cheapest = get("benefit_only_apply_to_cheapest_n_matches")
    if cheapest is not None:
        key = "benefit_only_apply_to_cheapest_n_matches"
        # pretix stores "no limit" as null or 0; both mean no limit here.
        fields[key] = _int(cheapest, p + key, minimum=0) or None
    return Rule(**fields)


def _parse_position(raw: Any, index: int, count: int) -> Position:
    p = f"positions[{index}]."
    if not isinstance(raw, dict):
        raise _Fail(p[:-1], "expected a JSON object")
    item = raw.get("item")
    if type(item) is not int:
        item = _int(_required(raw, "item", p), p + "item")
    price = _decimal(_required(raw, "price", p), p + "price")
    if price < 0:
        raise _Fail(p + "price", f"a line price is never negative, got {price}")
    subevent = raw.get("subevent")
    if subevent is not None and type(subevent) is not int:
        raise _Fail(p + "subevent", f"expected an integer or null, got {subevent!r}")
    start = raw.get("subevent_date_from")
    if start is not None:
        start = _datetime(start, p + "subevent_date_from")
    addon_to = raw.get("addon_to")
    if addon_to is not None:
        _int(addon_to, p + "addon_to")
        if not 0 <= addon_to < count or addon_to == index:
            message = f"must be the index of another position (0..{count - 1}), got {addon_to}"
            raise _Fail(p + "addon_to", message)
    is_bundled = raw.get("is_bundled", False)
    if type(is_bundled) is not bool:
        raise _Fail(p + "is_bundled", f"expected true or false, got {is_bundled!r}")
    voucher_discount = raw.get("voucher_discount")
    if voucher_discount is None:
        voucher_discount = _ZERO
    else:
        voucher_discount = _decimal(voucher_discount, p + "voucher_discount")
        if voucher_discount < 0:
            raise _Fail(p + "voucher_discount", f"is never negative, got {voucher_discount}")
    return Position(item, price, subevent, start, addon_to, is_bundled, voucher_discount)


def parse_expected(raw: Any, index: int = 0) -> tuple[Expected, ...]:
    """Parse a case's ``expected`` list (used by tests; ``simulate`` ignores it)."""
    try:
        entries = _required(raw, "expected", "")
        if not isinstance(entries, list):
            raise _Fail("expected", "expected a list")
        parsed = []
        for k, entry in enumerate(entries):
            field = f"expected[{k}]"
            if not isinstance(entry, dict):
                raise _Fail(field, "expected a JSON object")
            price = _decimal(_required(entry, "price", field + "."), field + ".price")
            discount = entry.get("discount")
            if discount is not None:
                _int(discount, field + ".discount")
            parsed.append(Expected(price, discount))
        return tuple(parsed)
    except _Fail as fail:
        raise CaseError(_label(raw, index), fail.field, fail.message) from None


def price_case(case: Case) -> list[RuleOutcome]:
    """Run section 2 over a parsed case."""
    return apply_rules(case.positions, case.rules, now=case.now, channel=case.channel, currency=case.currency)


def serialise_outcomes(outcomes: Sequence[RuleOutcome]) -> list[dict[str, Any]]:
    """``[{"price": "<decimal string>", "discount": <rule id or null>}]``.

    A price no rule changed is written exactly as it came in (the vectors keep
    e.g. ``"62.99"`` in a JPY case: line prices are the caller's, the engine
    only rounds what it computes).
    """
    return [{"price": str(o.price), "discount": o.rule} for o in outcomes]

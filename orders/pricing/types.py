"""Plain data crossing the pricing engine's boundary.

Everything here is a frozen dataclass or a string enum: the order service builds
these from models, hands them to the engine, and stores what comes back. Money is
always ``Decimal``; a position's place in the cart is its index in the list given
to the engine (``addon_to`` refers to that index).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .money import Currency

__all__ = [
    "Code",
    "CodeScope",
    "CodeMode",
    "CodeResult",
    "CodeShare",
    "CartLine",
    "Position",
    "PricedCart",
    "PricedLine",
    "Rule",
    "RuleOutcome",
    "DateGrouping",
]

_ZERO = Decimal("0.00")


class DateGrouping(enum.StrEnum):
    """How a rule treats the dates (sub-events) of an event series (section 2.2).

    The engine's form of a rule's ``subevent_mode`` (the stored choices are ``discounts.models.SubeventMode``;
    the engine imports nothing but the standard library, so the adapter maps one onto the other)."""

    MIXED = "mixed"
    SAME = "same"
    DISTINCT = "distinct"


class CodeScope(enum.StrEnum):
    """What a code changes; decides how it is applied (section 3).

    A voucher works on the positions that carry it; a coupon or a promo code gives one discount over the
    order. (Where a code comes from is the domain's ``CodeKind``; the engine needs only this.)"""

    POSITION = "position"  # changes the positions that carry it (a voucher)
    ORDER = "order"  # one discount over the order (a coupon or a promo code)


class CodeMode(enum.StrEnum):
    """How a code's ``value`` changes a price.

    Vouchers use ``none``/``set``/``subtract``/``percent``; coupons use
    ``percent``/``fix``/``fix_per_item``; a promo code with ``percentage: true``
    is ``percent`` and with ``percentage: false`` is ``fix``.
    """

    NONE = "none"
    SET = "set"
    SUBTRACT = "subtract"
    PERCENT = "percent"
    FIX = "fix"
    FIX_PER_ITEM = "fix_per_item"


@dataclass(frozen=True, slots=True)
class Rule:
    """An automatic discount rule with every field of section 2.

    Defaults are those of the pretix discount resource, so a rule built from a
    partial description behaves as pretix would. ``sales_channels=None`` means
    every channel; product limits are sets of item ids. A percentage in 0..100
    and the other *valid configurations* are the caller's business (the rule's
    own validation, ``discounts.models.validate_discount``); the engine prices
    whatever it is given without failing.
    """

    id: int
    position: int = 0
    active: bool = True
    sales_channels: frozenset[str] | None = None
    available_from: datetime | None = None
    available_until: datetime | None = None
    subevent_mode: DateGrouping = DateGrouping.MIXED
    subevent_date_from: datetime | None = None
    subevent_date_until: datetime | None = None
    condition_all_products: bool = True
    condition_limit_products: frozenset[int] = frozenset()
    condition_apply_to_addons: bool = True
    condition_ignore_voucher_discounted: bool = False
    condition_min_count: int = 0
    condition_min_value: Decimal = _ZERO
    benefit_same_products: bool = True
    benefit_limit_products: frozenset[int] = frozenset()
    benefit_apply_to_addons: bool = True
    benefit_ignore_voucher_discounted: bool = False
    benefit_discount_matching_percent: Decimal = _ZERO
    #: ``None`` (or 0, as pretix stores it) means "every benefit candidate".
    benefit_only_apply_to_cheapest_n_matches: int | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """One cart position as automatic rules see it (section 2).

    ``line_price`` is the price after any code (the *line price*);
    ``voucher_discount`` is what that code took off (never negative).
    ``subevent`` identifies the date of an event series (``None`` outside a
    series) and ``subevent_date_from`` is that date's start.
    """

    item: int
    line_price: Decimal
    subevent: int | None = None
    subevent_date_from: datetime | None = None
    addon_to: int | None = None
    is_bundled: bool = False
    voucher_discount: Decimal = _ZERO


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """What automatic rules did to one position.

    ``price`` is the final price (line price less ``discount``); ``rule`` is the
    id of the rule that consumed the position, ``None`` if none did. A consumed
    position may have ``discount == 0`` (it was counted, or the rule's
    percentage is 0).
    """

    price: Decimal
    rule: int | None
    discount: Decimal


@dataclass(frozen=True, slots=True)
class Code:
    """A voucher, coupon or promo code as the engine needs it (section 3).

    ``key`` is how cart lines refer to the code (its upper-cased code string,
    for instance). ``budget`` is what is left of the code's discount budget and
    ``max_tickets`` how many more positions it may change (``None``: no limit).
    ``max_value`` is the coupon/promo ``discount_max_value`` cap for
    percentage discounts. ``event_ids``/``item_ids`` restrict organizer-wide
    codes (``None``: all). ``all_addons_included``/``all_bundles_included`` are
    the voucher flags: add-ons / bundled positions of a line that carries the
    voucher cost 0 (they do not touch the budget: only the voucher's own
    discount counts).
    """

    key: str
    scope: CodeScope
    mode: CodeMode
    value: Decimal | None = None
    budget: Decimal | None = None
    max_tickets: int | None = None
    max_value: Decimal | None = None
    event_ids: frozenset[int] | None = None
    item_ids: frozenset[int] | None = None
    all_addons_included: bool = False
    all_bundles_included: bool = False


@dataclass(frozen=True, slots=True)
class CartLine:
    """One cart position as the order service hands it to :func:`price_cart`.

    ``list_price`` is the item's price, its variation's, or the date's override
    (a bundled position carries the price its bundle designates). ``code`` is
    the key of the code attached to this position, or ``None``: a voucher only
    changes lines that carry its key, a coupon or promo code may change lines
    that carry its key or no code at all.
    """

    item: int
    list_price: Decimal
    event: int = 0
    variation: int | None = None
    subevent: int | None = None
    subevent_date_from: datetime | None = None
    addon_to: int | None = None
    is_bundled: bool = False
    code: str | None = None


@dataclass(frozen=True, slots=True)
class CodeShare:
    """What one code took off one line (``amount``; negative only for a ``set`` voucher above the
    list price)."""

    code: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CodeResult:
    """What one code did to the whole cart.

    ``discount`` is the sum of its shares. ``eligible`` counts the lines it could have
    changed (for a coupon or promo code: of allowed events and items, not bundled, carrying
    no other code; for a voucher: the lines carrying it in its scope); ``discounted`` how
    many of them it was applied to, which is fewer when its ``max_tickets`` ran out.
    """

    code: str
    discount: Decimal
    eligible: int
    discounted: int


@dataclass(frozen=True, slots=True)
class PricedLine:
    """The price of one cart line and where every change came from.

    ``price = list_price − code_discount − rule_discount``. ``codes`` lists every code
    applied to the line with what it took off, in application order (a voucher alone, or
    the stacked coupons and promo codes); ``code_discount`` is their sum, negative only for
    a ``set`` voucher whose value is above the list price. ``line_price`` is the price
    after the codes and before automatic rules. ``rule`` is the id of the automatic rule
    that consumed the line and ``rule_discount`` what that rule took off.
    """

    list_price: Decimal
    codes: tuple[CodeShare, ...]
    code_discount: Decimal
    line_price: Decimal
    rule: int | None
    rule_discount: Decimal
    price: Decimal

    @property
    def code(self) -> str | None:
        """The first code applied to the line (the voucher it carries, or the first stacked code)."""
        return self.codes[0].code if self.codes else None


@dataclass(frozen=True, slots=True)
class PricedCart:
    """A priced cart: one :class:`PricedLine` per input line, in order, and totals.

    ``total = list_total − code_discount_total − rule_discount_total``; fees
    are not part of the engine's result. ``codes`` has one :class:`CodeResult` per code
    given, in application order (vouchers first).
    """

    currency: Currency
    lines: tuple[PricedLine, ...]
    list_total: Decimal
    code_discount_total: Decimal
    rule_discount_total: Decimal
    total: Decimal
    codes: tuple[CodeResult, ...] = ()

"""Plain data crossing the resolution service's boundary: what goes in, what comes out, what fails.

The orders app builds a :class:`CartSummary`, calls ``resolve_code`` and adapts
the :class:`ResolvedCode` it gets back to the pricing engine's input; nothing
here is a model instance.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from core.errors import DomainError
from vouchers.choices import CodeKind


class CodeErrorCode(enum.StrEnum):
    """The stable reasons a typed code is refused."""

    INVALID = "invalid"  # no such code
    INACTIVE = "inactive"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    NOT_VALID_FOR_EVENT = "not_valid_for_event"
    NOT_VALID_FOR_ITEMS = "not_valid_for_items"
    NOT_COMBINABLE = "not_combinable"
    CUSTOMER_MISMATCH = "customer_mismatch"
    CART_TOO_SMALL = "cart_too_small"
    CART_TOO_LARGE = "cart_too_large"
    BUDGET_EXHAUSTED = "budget_exhausted"
    HELD_IN_OTHER_CART = "held_in_other_cart"  # its remaining uses are held by unexpired carts


ERROR_DETAILS = {
    CodeErrorCode.INVALID: "This code is not known.",
    CodeErrorCode.INACTIVE: "This code has been deactivated.",
    CodeErrorCode.NOT_YET_VALID: "This code is not valid yet.",
    CodeErrorCode.EXPIRED: "This code has expired.",
    CodeErrorCode.EXHAUSTED: "This code has been used as often as it may be.",
    CodeErrorCode.NOT_VALID_FOR_EVENT: "This code is not valid for this event.",
    CodeErrorCode.NOT_VALID_FOR_ITEMS: "This code is not valid for any product in the cart.",
    CodeErrorCode.NOT_COMBINABLE: "This code cannot be combined with the other codes in the cart.",
    CodeErrorCode.CUSTOMER_MISMATCH: "This code belongs to another customer.",
    CodeErrorCode.CART_TOO_SMALL: "The cart holds too few tickets for this code.",
    CodeErrorCode.CART_TOO_LARGE: "The cart holds too many tickets for this code.",
    CodeErrorCode.BUDGET_EXHAUSTED: "This code's discount budget is used up.",
    CodeErrorCode.HELD_IN_OTHER_CART: (
        "This code is held in another cart; it may become available again if that cart expires."
    ),
}


class CodeError(DomainError):
    """A typed code was refused; ``code`` is one of :class:`CodeErrorCode` (a 400 in the API)."""

    status_code = 400

    def __init__(self, reason: CodeErrorCode | str, *, detail: str | None = None, **context) -> None:
        reason = CodeErrorCode(reason)
        super().__init__(detail or ERROR_DETAILS[reason], code=reason.value, **context)
        self.reason = reason

    def naming(self, code_text: str) -> CodeError:
        """This error, naming the code it is about (``code_text``, as the cart holds it)."""
        self.context.setdefault("code_text", code_text)
        return self


@dataclass(frozen=True, slots=True)
class CartLineSummary:
    """``count`` cart positions of one product. ``code`` is the (normalised) code a line carries, if any."""

    item: int
    count: int = 1
    variation: int | None = None
    subevent: int | None = None
    event: int | None = None  # None: the event the code is resolved for
    is_addon: bool = False
    is_bundled: bool = False
    code: str | None = None


@dataclass(frozen=True, slots=True)
class CartSummary:
    """What the cart-dependent checks need to know about a cart."""

    lines: tuple[CartLineSummary, ...] = ()
    email: str | None = None

    @property
    def ticket_count(self) -> int:
        """Tickets in the cart: positions that are neither add-ons nor bundled."""
        return sum(line.count for line in self.lines if not line.is_addon and not line.is_bundled)


@dataclass(frozen=True, slots=True)
class ResolvedCode:
    """A code that passed every check, with what the pricing engine and the checkout need.

    ``id`` is the voucher's or the coupon row's id (a promo code's id is its
    coupon row, as in the promo-codes API). ``mode`` is the voucher's
    ``price_mode`` or the coupon's ``discount_type`` (a promo code: ``percent``
    or ``fix``). ``uses_remaining`` counts positions for vouchers and orders for
    coupons and promo codes, after ``held_elsewhere``; ``None`` means unlimited,
    as for every other limit. Scope: ``event_ids``/``item_ids`` (None: all) and
    ``variation_ids`` (None: any variation of an allowed item; a set: a position
    with a variation must have one of these) — use :meth:`covers`.
    Hidden items: ``unlocks_hidden_items`` reveals those in scope; ``unlocked_item_ids`` are hidden items a
    series unlocks whether in its scope or not (its discount still applies only in scope) — use
    :meth:`unlocks`.
    """

    kind: CodeKind
    id: int
    code: str
    mode: str
    value: Decimal | None
    name: str = ""
    series_id: int | None = None
    discount_max_value: Decimal | None = None
    budget_remaining: Decimal | None = None
    tickets_remaining: int | None = None
    uses_remaining: int | None = None
    min_positions: int = 1
    event_ids: frozenset[int] | None = None
    item_ids: frozenset[int] | None = None
    variation_ids: frozenset[int] | None = None
    subevent_id: int | None = None
    quota_id: int | None = None
    block_quota: bool = False
    allow_ignore_quota: bool = False
    all_addons_included: bool = False
    all_bundles_included: bool = False
    unlocks_hidden_items: bool = False
    unlocked_item_ids: frozenset[int] = frozenset()
    can_be_combined: bool = True
    min_tickets_in_cart: int | None = None
    max_tickets_in_cart: int | None = None
    tags: tuple[str, ...] = ()
    customer_email: str | None = None
    deactivate_on_use: bool = False
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    @property
    def scope(self) -> str:
        """``event``: every ticket of the event(s); ``items``: listed tickets only."""
        return "event" if self.item_ids is None else "items"

    def covers(
        self,
        *,
        item: int,
        variation: int | None = None,
        event: int | None = None,
        subevent: int | None = None,
    ) -> bool:
        """Whether a position of this product may use the code (``event`` None: not checked)."""
        if event is not None and self.event_ids is not None and event not in self.event_ids:
            return False
        if self.item_ids is not None and item not in self.item_ids:
            return False
        if variation is not None and self.variation_ids is not None and variation not in self.variation_ids:
            return False
        return self.subevent_id is None or subevent == self.subevent_id

    def unlocks(self, *, item: int, event: int | None = None) -> bool:
        """Whether a cart holding this code may buy the hidden item (of ``event``): revealed in scope, or
        one of the items it unlocks."""
        if event is not None and self.event_ids is not None and event not in self.event_ids:
            return False
        if item in self.unlocked_item_ids:
            return True
        return self.unlocks_hidden_items and self.covers(item=item, event=event)

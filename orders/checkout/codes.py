"""Checking the codes of a draft (check stage): each resolved, attached and kept to its limits.

Every code goes through the vouchers app's own checks (``resolve_found``,
``check_cart``: what makes a code valid), each code alone first, then whether they
may be combined; on the rows the gather stage read (locked, for a cart change or an
order). This module adds what only the order side knows:

- a voucher changes the positions that carry it; one applied to the whole order
  is attached to the positions it may change, largest saving first, as far as
  its uses go;
- uses held by *other* unexpired carts are not available to a cart or order that
  takes a use anew (vouchers count held positions, coupons and promo codes held
  carts); a cart's own holds are its own;
- every position carrying a voucher is in its scope, there are no more of them
  than uses left, and at least ``min_usages`` of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from orders.checkout.adapter import voucher_saving
from orders.checkout.catalog import Catalog
from orders.checkout.draft import PositionSpec
from orders.checkout.gather import Gathered
from vouchers.choices import CodeKind
from vouchers.resolution import (
    CartLineSummary,
    CartSummary,
    CodeError,
    CodeErrorCode,
    FoundCode,
    ResolvedCode,
    check_cart,
    resolve_found,
)
from vouchers.resolution.lookup import NOT_FOUND


@dataclass(frozen=True)
class AppliedCodes:
    """Positions with their vouchers attached, and the codes in the order the engine applies them.

    ``partly``: vouchers applied to the whole order whose uses reached fewer positions than
    they could change, as code text → (positions attached, positions eligible).
    ``gift_cards``: the gift cards that may pay, in order (not codes: they change no price; the check
    stage sets them, ``orders.checkout.giftcards``); ``refused_gift_cards``: a stored cart's cards that
    may not, with why (tolerated outside an order).
    """

    positions: list[PositionSpec]
    codes: list[ResolvedCode]
    partly: dict[str, tuple[int, int]] = field(default_factory=dict)
    gift_cards: list = field(default_factory=list)
    refused_gift_cards: list = field(default_factory=list)

    def by_code(self) -> dict[str, ResolvedCode]:
        return {code.code: code for code in self.codes}

    def unlocks(self, catalog: Catalog):
        """``unlocks(index, item_id)`` for ``orders.checkout.availability``: the position's voucher, or an
        order-wide code of the cart, unlocks that hidden item."""
        codes = self.by_code()
        order_wide = [c for c in self.codes if c.kind != CodeKind.VOUCHER]
        event_id = catalog.event.pk

        def unlocks(index: int, item_id: int) -> bool:
            spec = self.positions[index]
            own = codes.get(spec.voucher) if spec.voucher else None
            if own is not None and own.unlocks_hidden_items and covers(own, spec, event_id):
                return True
            return any(code.unlocks(item=item_id, event=event_id) for code in order_wide)

        return unlocks

    def unlocks_in_cart(self, catalog: Catalog) -> Callable[[ResolvedCode], bool]:
        """``unlocks_in_cart(code)``: the order-wide code unlocks a hidden item one of the positions
        is for — revealed in its scope, or among the items its series unlocks (such a code is never set
        aside: the position could not be bought without it)."""
        event_id = catalog.event.pk
        hidden = {
            p.item for p in self.positions if not p.is_bundled and catalog.items[p.item].hide_without_voucher
        }

        def unlocks_in_cart(code: ResolvedCode) -> bool:
            return any(code.unlocks(item=i, event=event_id) for i in hidden)

        return unlocks_in_cart


def covers(resolved: ResolvedCode, spec: PositionSpec, event_id: int) -> bool:
    return not spec.is_bundled and resolved.covers(
        item=spec.item, variation=spec.variation, event=event_id, subevent=spec.subevent
    )


def summary(positions: Sequence[PositionSpec], email: str | None) -> CartSummary:
    return CartSummary(
        lines=tuple(
            CartLineSummary(
                item=p.item,
                variation=p.variation,
                subevent=p.subevent,
                is_addon=p.addon_to is not None and not p.is_bundled,
                is_bundled=p.is_bundled,
                code=p.voucher,
            )
            for p in positions
        ),
        email=email,
    )


def held_elsewhere(gathered: Gathered, found: FoundCode) -> int:
    """Uses of the code other unexpired carts hold (counted only for codes this operation takes
    uses of: a cart's own holds are its own)."""
    counts = gathered.counts
    if found.voucher is not None:
        return counts.held_vouchers.get(found.voucher.pk, 0)
    if found.coupon is not None:
        return counts.held_coupons.get(found.coupon.pk, 0)
    return 0


def check_codes(gathered: Gathered) -> AppliedCodes:
    """Resolve every code of the draft from its fresh row and attach it; the first code that may not
    be used as asked raises :class:`~vouchers.resolution.CodeError` (400, stable code) naming it
    (``code_text``).

    Each code is checked alone first, in the order given (known, active, valid now, for this
    event, uses left, customer, cart size); only when every one is valid alone are they checked
    together, so an unknown or expired code is named as such whatever else the cart holds.

    An order's change carries only the codes the order redeemed: they are valid for it as they were
    when it was placed (a voucher that has expired since still prices the order it was used for)."""
    positions, texts = gathered.positions, gathered.codes
    if not texts:
        return AppliedCodes(positions=list(positions), codes=[])
    event = gathered.catalog.event
    email = gathered.draft.email or None
    cart = summary(positions, email)
    resolved: list[ResolvedCode] = []
    held: dict[str, int] = {}
    change = gathered.draft.change
    when = change.order.datetime if change is not None else gathered.now
    for text in texts:
        found = gathered.found.get(text, NOT_FOUND)
        held[text] = held_elsewhere(gathered, found)
        try:
            code = resolve_found(
                found, event=event, now=when, held_elsewhere=held[text], email=email, has_cart=True
            )
            check_cart(code, cart=cart, event_id=event.pk)
        except CodeError as exc:
            raise exc.naming(text) from None  # the same error, now naming its code
        resolved.append(code)
    check_together(resolved)
    kinds = {code.code: code.kind for code in resolved}
    # A coupon or promo code typed on a position applies to the order as a whole.
    positions = [
        replace(p, voucher=None) if p.voucher and kinds[p.voucher] != CodeKind.VOUCHER else p
        for p in positions
    ]
    return attach_and_check(
        catalog=gathered.catalog, positions=positions, prices=gathered.prices, codes=resolved, held=held
    )


def check_together(codes: Sequence[ResolvedCode]) -> None:
    """A code that may not be combined is the only code of its cart (docs/pricing.md, section 3):
    with others, the first such code is named, not the one that happened to be checked against it."""
    if len(codes) < 2:
        return
    alone = next((code for code in codes if not code.can_be_combined), None)
    if alone is not None:
        raise CodeError(CodeErrorCode.NOT_COMBINABLE, kind=alone.kind.value, code_text=alone.code)


def attach_and_check(
    *,
    catalog: Catalog,
    positions: Sequence[PositionSpec],
    prices: Sequence[Decimal],
    codes: Sequence[ResolvedCode],
    held: dict[str, int],
) -> AppliedCodes:
    """Attach order-wide vouchers and check every voucher's limits against the positions.

    ``positions`` carry the vouchers typed on them (``prices``: their list prices);
    ``codes`` are resolved (in the order the engine applies them), their
    ``uses_remaining`` net of ``held``, the uses other carts hold.
    """
    event = catalog.event
    event_id = event.pk
    positions = list(positions)
    partly: dict[str, tuple[int, int]] = {}
    for code in codes:
        if code.kind != CodeKind.VOUCHER:
            continue  # uses of coupons and promo codes are whole orders: checked when resolved
        left = code.uses_remaining
        carriers = [i for i, p in enumerate(positions) if p.voucher == code.code]
        if not carriers:
            positions, carriers, eligible = attach_voucher(
                code, positions, prices, left, event_id, event.currency
            )
            if len(carriers) < eligible:
                partly[code.code] = (len(carriers), eligible)
        if any(not covers(code, positions[i], event_id) for i in carriers):
            raise CodeError(CodeErrorCode.NOT_VALID_FOR_ITEMS, kind=code.kind.value, code_text=code.code)
        if left is not None and len(carriers) > left:
            without_holds = left + held.get(code.code, 0)
            reason = (
                CodeErrorCode.HELD_IN_OTHER_CART
                if len(carriers) <= without_holds
                else CodeErrorCode.EXHAUSTED
            )
            raise CodeError(reason, kind=code.kind.value, code_text=code.code)
        if len(carriers) < code.min_positions:
            raise CodeError(CodeErrorCode.CART_TOO_SMALL, kind=code.kind.value, code_text=code.code)
    return AppliedCodes(positions=positions, codes=list(codes), partly=partly)


def attach_voucher(
    code: ResolvedCode,
    positions: list[PositionSpec],
    prices: Sequence[Decimal],
    left: int | None,
    event_id: int,
    currency: str,
) -> tuple[list[PositionSpec], list[int], int]:
    """Give an order-wide voucher to the positions it may change: largest saving first, ties to
    the earlier position, as far as uses remain (at least one: resolving it checked that). The
    positions, those it was given to, and how many could have taken it."""
    eligible = [i for i, p in enumerate(positions) if p.voucher is None and covers(code, p, event_id)]
    if not eligible:
        raise CodeError(CodeErrorCode.NOT_VALID_FOR_ITEMS, kind=code.kind.value, code_text=code.code)
    eligible.sort(key=lambda i: (-voucher_saving(code, prices[i], currency), i))
    chosen = sorted(eligible if left is None else eligible[:left])
    positions = list(positions)
    for i in chosen:
        positions[i] = replace(positions[i], voucher=code.code)
    return positions, chosen, len(eligible)

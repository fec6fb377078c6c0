"""The codes of a cart or order: resolved, attached to positions, and checked against their limits.

Every code goes through ``vouchers.resolution.resolve_code`` (the one place that
knows what makes a code valid); this module adds what only the order side knows:

- a voucher changes the positions that carry it; one applied to the whole order
  is attached to the positions it may change, largest saving first, as far as
  its uses go (``VOUCHERS.md``);
- uses held by *other* unexpired carts are not available (vouchers count held
  positions, coupons and promo codes held carts);
- every position carrying a voucher is in its scope, there are no more of them
  than uses left, and at least ``min_usages`` of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from django.db.models import Count

from orders.adapters import list_prices, voucher_saving
from orders.catalog import Catalog
from orders.drafts import PositionSpec
from orders.models import CartCode, CartPosition
from vouchers.codes import normalise_code
from vouchers.resolution import (
    CartLineSummary,
    CartSummary,
    CodeError,
    CodeErrorCode,
    CodeKind,
    ResolvedCode,
    resolve_code,
)


@dataclass(frozen=True)
class AppliedCodes:
    """Positions with their vouchers attached, and the codes in the order the engine applies them."""

    positions: list[PositionSpec]
    codes: list[ResolvedCode]

    def by_code(self) -> dict[str, ResolvedCode]:
        return {code.code: code for code in self.codes}

    def unlocks(self, catalog: Catalog):
        """``unlocks(index, item_id)`` for ``orders.availability``: the position's voucher, or an
        order-wide code of the cart, unlocks that hidden item."""
        codes = self.by_code()
        order_wide = [c for c in self.codes if c.kind != CodeKind.VOUCHER and c.unlocks_hidden_items]
        event_id = catalog.event.pk

        def unlocks(index: int, item_id: int) -> bool:
            spec = self.positions[index]
            own = codes.get(spec.voucher) if spec.voucher else None
            if own is not None and own.unlocks_hidden_items and covers(own, spec, event_id):
                return True
            return any(code.covers(item=item_id, event=event_id) for code in order_wide)

        return unlocks


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


def held_by_other_carts(
    codes: Sequence[ResolvedCode], *, now: datetime, exclude_cart: UUID | None
) -> dict[str, int]:
    """Uses of the limited codes that other unexpired carts hold (one query per kind, only if needed)."""
    limited = [c for c in codes if c.uses_remaining is not None]
    held: dict[str, int] = {}
    vouchers = {c.id: c.code for c in limited if c.kind == CodeKind.VOUCHER}
    coupons = {c.id: c.code for c in limited if c.kind != CodeKind.VOUCHER}
    if vouchers:
        rows = (
            CartPosition.objects.filter(voucher_id__in=vouchers, cart__expires__gt=now)
            .exclude(cart_id=exclude_cart)
            .values("voucher_id")
            .annotate(n=Count("id"))
            .values_list("voucher_id", "n")
        )
        held.update({vouchers[voucher_id]: n for voucher_id, n in rows})
    if coupons:
        rows = (
            CartCode.objects.filter(coupon_id__in=coupons, cart__expires__gt=now)
            .exclude(cart_id=exclude_cart)
            .values("coupon_id")
            .annotate(n=Count("cart_id", distinct=True))
            .values_list("coupon_id", "n")
        )
        held.update({coupons[coupon_id]: n for coupon_id, n in rows})
    return held


def apply_codes(
    *,
    catalog: Catalog,
    positions: Sequence[PositionSpec],
    codes: Sequence[str],
    now: datetime,
    channel: str,
    email: str | None,
    exclude_cart: UUID | None = None,
) -> AppliedCodes:
    """Resolve the positions' vouchers and the order-wide ``codes`` and attach them.

    Raises :class:`~vouchers.resolution.CodeError` (400, stable code) for the first
    code that may not be used as asked.
    """
    event = catalog.event
    order_wide = [normalise_code(c) for c in codes]
    carried = [p.voucher for p in positions if p.voucher]
    texts = list(dict.fromkeys([*carried, *order_wide]))
    if not texts:
        return AppliedCodes(positions=list(positions), codes=[])
    cart = summary(positions, email)
    resolved: dict[str, ResolvedCode] = {}
    for text in texts:
        others = [t for t in texts if t != text]
        code = resolve_code(
            organizer=event.organizer, event=event, code=text, now=now, channel=channel,
            cart=cart, customer_email=email, other_codes=others,
        )  # fmt: skip
        resolved[code.code] = code
    # A coupon or promo code typed on a position applies to the order as a whole.
    positions = [
        replace(p, voucher=None) if p.voucher and resolved[p.voucher].kind != CodeKind.VOUCHER else p
        for p in positions
    ]
    held = held_by_other_carts(list(resolved.values()), now=now, exclude_cart=exclude_cart)

    def uses_left(code: ResolvedCode) -> int | None:
        if code.uses_remaining is None:
            return None
        return code.uses_remaining - held.get(code.code, 0)

    event_id = event.pk
    prices = list_prices(positions, catalog)
    for code in resolved.values():
        left = uses_left(code)
        if code.kind != CodeKind.VOUCHER:
            if left is not None and left < 1:
                raise CodeError(CodeErrorCode.EXHAUSTED, kind=code.kind.value)
            continue
        carriers = [i for i, p in enumerate(positions) if p.voucher == code.code]
        if not carriers:
            positions, carriers = attach_voucher(code, positions, prices, left, event_id, event.currency)
        if any(not covers(code, positions[i], event_id) for i in carriers):
            raise CodeError(CodeErrorCode.NOT_VALID_FOR_ITEMS, kind=code.kind.value)
        if left is not None and len(carriers) > left:
            raise CodeError(CodeErrorCode.EXHAUSTED, kind=code.kind.value)
        if len(carriers) < code.min_positions:
            raise CodeError(CodeErrorCode.CART_TOO_SMALL, kind=code.kind.value)
    ordered = [resolved[t] for t in texts if t in resolved]
    return AppliedCodes(positions=positions, codes=ordered)


def attach_voucher(
    code: ResolvedCode,
    positions: list[PositionSpec],
    prices: list,
    left: int | None,
    event_id: int,
    currency: str,
) -> tuple[list[PositionSpec], list[int]]:
    """Give an order-wide voucher to the positions it may change: largest saving first, ties to
    the earlier position, as far as uses remain."""
    if left is not None and left < 1:
        raise CodeError(CodeErrorCode.EXHAUSTED, kind=code.kind.value)
    eligible = [i for i, p in enumerate(positions) if p.voucher is None and covers(code, p, event_id)]
    if not eligible:
        raise CodeError(CodeErrorCode.NOT_VALID_FOR_ITEMS, kind=code.kind.value)
    eligible.sort(key=lambda i: (-voucher_saving(code, prices[i], currency), i))
    chosen = sorted(eligible if left is None else eligible[:left])
    positions = list(positions)
    for i in chosen:
        positions[i] = replace(positions[i], voucher=code.code)
    return positions, chosen

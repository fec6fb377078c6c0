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
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from django.db import connection

from orders.adapters import list_prices, voucher_saving
from orders.catalog import Catalog
from orders.drafts import PositionSpec
from orders.models import Cart, CartCode, CartPosition
from vouchers.codes import normalise_code
from vouchers.models import Coupon, Voucher
from vouchers.resolution import (
    CartLineSummary,
    CartSummary,
    CodeError,
    CodeErrorCode,
    CodeKind,
    FoundCode,
    ResolvedCode,
    check_cart,
    check_combination,
    resolve_code,
    resolve_found,
)


@dataclass(frozen=True)
class AppliedCodes:
    """Positions with their vouchers attached, and the codes in the order the engine applies them."""

    positions: list[PositionSpec]
    codes: list[ResolvedCode]
    #: the positions before order-wide vouchers were attached, and uses held by other carts
    asked: list[PositionSpec] = field(default_factory=list)
    held: dict[str, int] = field(default_factory=dict)

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


HELD_SQL = {
    # Vouchers: positions carrying them; coupons and promo codes: carts holding them.
    "voucher": "SELECT p.voucher_id, COUNT(*) FROM {cartpos} p JOIN {cart} c ON c.id = p.cart_id "
    "WHERE p.voucher_id IN ({ids}) AND c.expires > %s{other_cart} GROUP BY p.voucher_id",
    "coupon": "SELECT k.coupon_id, COUNT(DISTINCT k.cart_id) FROM {cartcode} k "
    "JOIN {cart} c ON c.id = k.cart_id "
    "WHERE k.coupon_id IN ({ids}) AND c.expires > %s{other_cart} GROUP BY k.coupon_id",
}


def held_by_other_carts(
    codes: Sequence[ResolvedCode], *, now: datetime, exclude_cart: UUID | None
) -> dict[str, int]:
    """Uses of the limited codes that other unexpired carts hold (one query per kind, only if needed)."""
    limited = [c for c in codes if c.uses_remaining is not None]
    by_kind = {
        "voucher": {c.id: c.code for c in limited if c.kind == CodeKind.VOUCHER},
        "coupon": {c.id: c.code for c in limited if c.kind != CodeKind.VOUCHER},
    }
    held: dict[str, int] = {}
    for kind, ids in by_kind.items():
        if not ids:
            continue
        params: list = [*ids, connection.ops.adapt_datetimefield_value(now)]
        other_cart = ""
        if exclude_cart is not None:
            other_cart = " AND c.id <> %s"
            params.append(Cart._meta.pk.get_db_prep_value(exclude_cart, connection))
        sql = HELD_SQL[kind].format(
            cartpos=CartPosition._meta.db_table, cart=Cart._meta.db_table, cartcode=CartCode._meta.db_table,
            ids=", ".join(["%s"] * len(ids)), other_cart=other_cart,
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            held.update({ids[row_id]: n for row_id, n in cursor.fetchall()})
    return held


def code_texts(positions: Sequence[PositionSpec], codes: Sequence[str]) -> list[str]:
    """The codes of an order in the order the engine applies them: vouchers typed on positions,
    then the order-wide codes; normalised, each once."""
    carried = [p.voucher for p in positions if p.voucher]
    return list(dict.fromkeys([*carried, *(normalise_code(c) for c in codes)]))


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
    texts = code_texts(positions, codes)
    if not texts:
        return AppliedCodes(positions=list(positions), codes=[], asked=list(positions))
    cart = summary(positions, email)
    resolved = [
        resolve_code(
            organizer=event.organizer, event=event, code=text, now=now, channel=channel, cart=cart,
            customer_email=email, other_codes=[t for t in texts if t != text],
        )  # fmt: skip
        for text in texts
    ]
    return finish(catalog, positions, resolved, now=now, exclude_cart=exclude_cart)


def apply_locked_codes(
    *,
    catalog: Catalog,
    positions: Sequence[PositionSpec],
    codes: Sequence[str],
    rows: dict,
    now: datetime,
    email: str | None,
    exclude_cart: UUID | None = None,
) -> AppliedCodes:
    """:func:`apply_codes` for the checkout, from the code rows it has just locked (fresh).

    Runs the code service's own checks on those rows (``resolve_found``, ``check_cart``,
    ``check_combination``) instead of looking every code up again; a code without a row
    goes through ``resolve_code``, which raises its precise error.
    """
    event = catalog.event
    texts = code_texts(positions, codes)
    if not texts:
        return AppliedCodes(positions=list(positions), codes=[], asked=list(positions))
    cart = summary(positions, email)
    resolved = []
    for text in texts:
        others = [t for t in texts if t != text]
        row = rows.get(text)
        if row is None:
            resolve_code(organizer=event.organizer, event=event, code=text, now=now, cart=cart,
                         customer_email=email, other_codes=others)  # fmt: skip
            raise CodeError(CodeErrorCode.INVALID)  # found meanwhile but not locked: treat as unknown
        found = FoundCode(
            voucher=row if isinstance(row, Voucher) else None,
            coupon=row if isinstance(row, Coupon) else None,
            voucher_elsewhere=False,
        )
        code = resolve_found(found, event=event, now=now, held_elsewhere=0, email=email, has_cart=True)
        check_cart(code, cart=cart, event_id=event.pk)
        check_combination(code, organizer_id=event.organizer_id, event_id=event.pk, others=others)
        resolved.append(code)
    return finish(catalog, positions, resolved, now=now, exclude_cart=exclude_cart)


def finish(
    catalog: Catalog,
    positions: Sequence[PositionSpec],
    resolved: list[ResolvedCode],
    *,
    now: datetime,
    exclude_cart: UUID | None,
) -> AppliedCodes:
    kinds = {code.code: code.kind for code in resolved}
    # A coupon or promo code typed on a position applies to the order as a whole.
    positions = [
        replace(p, voucher=None) if p.voucher and kinds[p.voucher] != CodeKind.VOUCHER else p
        for p in positions
    ]
    held = held_by_other_carts(resolved, now=now, exclude_cart=exclude_cart)
    return attach_and_check(catalog=catalog, positions=positions, codes=resolved, held=held)


def attach_and_check(
    *,
    catalog: Catalog,
    positions: Sequence[PositionSpec],
    codes: Sequence[ResolvedCode],
    held: dict[str, int],
) -> AppliedCodes:
    """Attach order-wide vouchers and check every code's limits against the positions.

    ``positions`` carry the vouchers typed on them; ``codes`` are resolved (in the order
    the engine applies them); ``held`` are uses other carts hold. Run again under the
    checkout's locks with freshly resolved codes when their counters moved meanwhile.
    """
    event = catalog.event
    base = list(positions)

    def uses_left(code: ResolvedCode) -> int | None:
        if code.uses_remaining is None:
            return None
        return code.uses_remaining - held.get(code.code, 0)

    event_id = event.pk
    prices = list_prices(base, catalog)
    positions = base
    for code in codes:
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
    return AppliedCodes(positions=positions, codes=list(codes), asked=base, held=held)


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

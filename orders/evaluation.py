"""One evaluation of positions and codes, shared by carts, previews and the checkout.

:func:`evaluate` runs the checks in a fixed order — structure, codes, availability,
quotas — and :func:`price` hands the result to the engine. What comes back is
plain data (:class:`PricedView`) that the API renders and the checkout stores.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from config.errors import DomainError
from discounts.models import Discount
from orders.adapters import price_positions
from orders.availability import check_known, check_positions, check_structure
from orders.catalog import Catalog
from orders.codes import AppliedCodes, apply_codes
from orders.drafts import LoadedRule, PositionSpec
from orders.pricing import PricedCart, PricedLine
from orders.quotas import check_quotas
from vouchers.resolution import ResolvedCode

#: A cart or order holds at most this many positions (bundled ones included).
MAX_POSITIONS = 500


@dataclass(frozen=True)
class PricedPosition:
    spec: PositionSpec
    line: PricedLine
    rule: Discount | None


@dataclass(frozen=True)
class PricedView:
    """Positions with their price breakdown, the totals, and the codes that were applied."""

    currency: str
    positions: list[PricedPosition]
    codes: list[ResolvedCode]
    list_total: Decimal
    code_discount_total: Decimal
    rule_discount_total: Decimal
    total: Decimal


def evaluate(
    *,
    catalog: Catalog,
    positions: Sequence[PositionSpec],
    codes: Sequence[str],
    now: datetime,
    channel: str,
    email: str | None,
    exclude_cart: UUID | None = None,
    new: Collection[int] | None = None,
    complete: bool = False,
    check_items: bool = True,
    quotas: bool = True,
    own_held: bool = False,
) -> AppliedCodes:
    """Check the positions with their codes; return them with vouchers attached, codes resolved.

    ``new``: indices of positions being added (availability and quota room are
    checked for these only; None: all). ``complete``: a whole order (minimum counts
    apply). ``check_items``: check availability and counts at all (a read of a
    stored cart does not). ``quotas``: check quota room without locks (the checkout
    locks and checks quotas itself).
    """
    if len(positions) > MAX_POSITIONS:
        raise DomainError(f"At most {MAX_POSITIONS} positions per order.", code="too_many_positions")
    check_structure(positions)
    check_known(positions, catalog)
    applied = apply_codes(
        catalog=catalog, positions=positions, codes=codes, now=now, channel=channel, email=email,
        exclude_cart=exclude_cart,
    )  # fmt: skip
    if check_items:
        check_positions(
            applied.positions, catalog, channel=channel, now=now, unlocks=applied.unlocks(catalog),
            new=new, complete=complete,
        )  # fmt: skip
    if quotas:
        check_quotas(
            catalog=catalog, positions=applied.positions, codes=applied.by_code(), counted=new,
            own_held=own_held,
        )  # fmt: skip
    return applied


def price(
    *,
    catalog: Catalog,
    applied: AppliedCodes,
    rules: Sequence[LoadedRule],
    now: datetime,
    channel: str,
) -> PricedView:
    result: PricedCart = price_positions(
        applied.positions, catalog, rules=rules, codes=applied.codes, now=now, channel=channel
    )
    by_id = {rule.discount.pk: rule.discount for rule in rules}
    return PricedView(
        currency=result.currency,
        positions=[
            PricedPosition(spec=spec, line=line, rule=by_id.get(line.rule) if line.rule else None)
            for spec, line in zip(applied.positions, result.lines, strict=True)
        ],
        codes=list(applied.codes),
        list_total=result.list_total,
        code_discount_total=result.code_discount_total,
        rule_discount_total=result.rule_discount_total,
        total=result.total,
    )

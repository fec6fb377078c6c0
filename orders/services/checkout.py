"""The checkout: one transaction that locks, re-validates, prices, stores the order and redeems codes.

``order_place`` is the one workflow behind ``carts/<id>/checkout/`` and ``POST
orders/``. Inside a single transaction with a lock timeout it

1. locks the limited quotas the positions draw from, then the vouchers and coupons
   named by the codes (``select_for_update()``, primary-key order: ``orders.locking``);
2. re-validates everything from fresh rows: availability, codes (validity, uses,
   ``min_usages``, ticket allowance, budget, combinability, cart size, customer),
   quota room;
3. prices through the pure engine and refuses with 409 ``price_changed`` when the
   caller's ``expected_total`` differs;
4. stores the order, its positions with their price breakdown, one redemption per
   code used, the usage counters, the coupon series' tags; deactivates a one-time
   promo code; deletes the cart.

The number of queries does not depend on the number of positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from config.errors import ConflictError, DomainError
from orders.availability import check_known, check_positions, check_structure
from orders.catalog import load_catalog, load_rules, quota_membership, with_bundles
from orders.codes import apply_locked_codes, code_texts
from orders.drafts import PositionSpec
from orders.evaluation import MAX_POSITIONS, price
from orders.locking import lock_codes, locking_transaction
from orders.models import Cart, Order
from orders.pricing.money import quantize
from orders.quotas import limited_quotas, quota_needs, usage_besides_orders, verify_quotas
from orders.selectors import cart_content
from orders.services.storing import store_order
from ticketing.models import Event, SalesChannel


class CartGone(ConflictError):
    status_code = 404
    code = "not_found"
    default_detail = "This cart does not exist (any more)."


class PriceChanged(ConflictError):
    code = "price_changed"
    default_detail = "The total is not the expected one any more; check the new price and confirm again."


def order_place(
    *,
    event: Event,
    sales_channel: SalesChannel,
    positions: Sequence[PositionSpec] = (),
    codes: Sequence[str] = (),
    email: str,
    name: str = "",
    now: datetime,
    expected_total: Decimal | None = None,
    cart: Cart | None = None,
    expand_bundles: bool = True,
) -> Order:
    """Create a pending order from ``positions`` and ``codes`` (see the module docstring).

    ``expand_bundles``: positions as asked for, whose bundled positions are added
    here. ``cart``: check out this cart instead of ``positions`` and ``codes``: it is
    locked first (a second checkout of the same cart waits, then finds it gone), its
    own holds are given back before counting, and it is deleted.

    What other checkouts do not change (the products, the rules, carts and blocking
    vouchers) is read before the quota and code locks are taken; the codes are resolved
    from their freshly locked rows and the orders are counted under the locks.
    """
    channel = sales_channel.identifier
    with locking_transaction():
        if cart is not None:
            if not Cart.objects.select_for_update().filter(pk=cart.pk).exists():
                raise CartGone()
            content = cart_content(cart)
            positions, codes, expand_bundles = content.positions, content.codes, False
        if len(positions) > MAX_POSITIONS:
            raise DomainError(f"At most {MAX_POSITIONS} positions per order.", code="too_many_positions")
        check_structure(positions)
        catalog = load_catalog(event, positions)
        check_known(positions, catalog)
        if expand_bundles:
            positions = with_bundles(positions, catalog)
        rules = load_rules(event)
        quotas, membership = quota_membership(event, positions)
        limited = sorted({q for ids in membership for q in ids if quotas[q].size is not None})
        others = usage_besides_orders([quotas[q] for q in limited], event=event)

        # The locks: quotas, then vouchers, then coupons, each by primary key. From here on
        # every checkout of the same products waits for this one: only what needs fresh
        # figures happens below.
        locked_quotas = limited_quotas(limited, lock=True)
        rows = lock_codes(event=event, codes=code_texts(positions, codes))
        applied = apply_locked_codes(
            catalog=catalog, positions=positions, codes=codes, rows=rows, now=now, email=email,
            exclude_cart=cart.pk if cart is not None else None,
        )  # fmt: skip
        unlocks = applied.unlocks(catalog)
        check_positions(applied.positions, catalog, channel=channel, now=now, unlocks=unlocks, complete=True)
        needs = quota_needs(
            positions=applied.positions, quotas=quotas, membership=membership, codes=applied.by_code(),
            own_held=cart is not None and cart.expires > now,
        )  # fmt: skip
        verify_quotas(locked_quotas, needs, besides_orders=others)
        view = price(catalog=catalog, applied=applied, rules=rules, now=now, channel=channel)
        if expected_total is not None:
            expected_total = quantize(expected_total, view.currency)
            if expected_total != view.total:
                raise PriceChanged(total=str(view.total), expected_total=str(expected_total))
        order = store_order(
            event=event, sales_channel=sales_channel, view=view, email=email, name=name, now=now
        )
        if cart is not None:
            cart.delete()
    return order


def cart_checkout(
    *, cart: Cart, email: str, name: str = "", now: datetime, expected_total: Decimal | None = None
) -> Order:
    """Turn the cart into a pending order (``order_place``) and delete the cart."""
    return order_place(
        event=cart.event, sales_channel=cart.sales_channel, email=email, name=name, now=now,
        expected_total=expected_total, cart=cart,
    )  # fmt: skip

"""Carts: create with positions and codes, add and remove positions, apply and remove codes.

Creating, adding and applying run the one checkout path (``orders.checkout``) in
its cart mode: under the same locks as an order (the cart, its quotas, vouchers,
coupons, by primary key), what is added is checked against what is sold and held
by every unexpired cart, and the cart's new holds are stored before the locks are
let go. So holds never exceed a quota or a code's remaining uses. Removing only
gives holds back. Gift cards are stored with the cart to pay at checkout; they hold no balance.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from core.errors import DomainError
from core.locks import lock_in_order
from orders.checkout import run
from orders.checkout.commit import Outcome
from orders.checkout.draft import Draft, PositionSpec
from orders.checkout.mode import CART
from orders.models import Cart, CartPosition
from ticketing.models import Event, SalesChannel
from vouchers.codes import normalise_code


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


def cart_create(
    *,
    event: Event,
    sales_channel: SalesChannel,
    positions: Sequence[PositionSpec] = (),
    codes: Sequence[str] = (),
    email: str = "",
    now: datetime,
    gift_cards: Sequence[str] = (),
) -> Outcome:
    """A new cart holding ``positions`` (``addon_to``: index in the list) with ``codes`` applied and
    ``gift_cards`` to pay with."""
    draft = Draft(
        event=event, sales_channel=sales_channel, email=email, positions=tuple(positions), codes=tuple(codes),
        gift_cards=tuple(gift_cards),
    )
    return run(draft, mode=CART, now=now)


def cart_position_add(*, cart: Cart, position: PositionSpec, addon_to: int | None, now: datetime) -> Outcome:
    """Add one position (``addon_to``: id of a position of this cart) and the bundles it includes."""
    draft = Draft(
        event=cart.event, sales_channel=cart.sales_channel, email=cart.email, cart=cart,
        positions=(position,), parent_ref=addon_to,
    )  # fmt: skip
    return run(draft, mode=CART, now=now)


def cart_code_apply(*, cart: Cart, code: str, now: datetime) -> Outcome:
    """Apply a code to the cart: a voucher is attached to the positions it may change; a coupon or
    promo code applies to the cart as a whole. A refused code is a 400 with its stable code."""
    draft = Draft(
        event=cart.event, sales_channel=cart.sales_channel, email=cart.email, cart=cart, codes=(code,)
    )
    return run(draft, mode=CART, now=now)


def cart_gift_card_add(*, cart: Cart, code: str, now: datetime) -> Outcome:
    """Pay with this gift card too at checkout (after the cart's others); a refused card is a 400 with
    its stable code (``gift_card_invalid``, ``gift_card_empty`` …)."""
    draft = Draft(
        event=cart.event, sales_channel=cart.sales_channel, email=cart.email, cart=cart, gift_cards=(code,)
    )
    return run(draft, mode=CART, now=now)


@transaction.atomic
def cart_gift_card_remove(*, cart: Cart, code: str) -> None:
    lock_cart(cart)
    deleted, _ = cart.gift_cards.filter(code=normalise_code(code)).delete()
    if not deleted:
        raise NotFound("This gift card is not in the cart.", code="not_found")


def lock_cart(cart: Cart) -> None:
    """Wait for a change or checkout of the same cart that is under way (the path locks it first)."""
    lock_in_order(cart=lambda: list(Cart.objects.select_for_update().filter(pk=cart.pk).values_list("pk")))


@transaction.atomic
def cart_position_delete(*, cart: Cart, position_id: int) -> None:
    """Remove a position with its add-ons and bundled positions; a voucher no position carries
    any more leaves the cart."""
    lock_cart(cart)
    position = cart.positions.filter(pk=position_id).first()
    if position is None:
        raise NotFound("The cart has no such position.", code="not_found")
    if position.is_bundled:
        raise DomainError(
            "A bundled position goes with its parent: remove the parent instead.", code="position_bundled"
        )
    position.delete()
    carried = CartPosition.objects.filter(cart=cart, voucher__isnull=False).values("voucher_id")
    cart.codes.filter(voucher__isnull=False).exclude(voucher_id__in=carried).delete()


@transaction.atomic
def cart_code_remove(*, cart: Cart, code: str) -> None:
    lock_cart(cart)
    text = normalise_code(code)
    row = cart.codes.filter(code=text).first()
    if row is None:
        raise NotFound("This code is not applied to the cart.", code="not_found")
    if row.voucher_id is not None:
        cart.positions.filter(voucher_id=row.voucher_id).update(voucher=None)
    row.delete()


def cart_delete(*, cart: Cart) -> None:
    cart.delete()

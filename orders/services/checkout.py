"""The checkout: a cart, or positions and codes sent directly, become a pending order.

Both run the one checkout path (``orders.checkout``) in its order mode, in one
transaction with a lock timeout: lock the cart, the limited quotas of the
positions, then the vouchers and the coupons named by the codes (primary-key
order); check everything again from those fresh rows and what is sold and held
under them; price through the engine (409 ``price_changed`` when the caller's
``expected_total`` differs); store the order, its positions, one redemption per
code, the usage counters (through the vouchers app); delete the cart (and the carts the order
consumes). A simulation runs the same path without the locks and stores nothing.

The number of queries does not depend on the number of positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from core.metrics import checkout_counted
from orders.checkout import run
from orders.checkout.draft import Draft, FeeSpec, PositionSpec
from orders.checkout.mode import ORDER, SIMULATE
from orders.models import Cart, Order
from ticketing.models import Event, SalesChannel


def order_place(
    *,
    event: Event,
    sales_channel: SalesChannel,
    positions: Sequence[PositionSpec],
    codes: Sequence[str] = (),
    email: str,
    name: str = "",
    now: datetime,
    expected_total: Decimal | None = None,
    gift_cards: Sequence[str] = (),
    consume_carts: Sequence[UUID] = (),
    simulate: bool = False,
    fees: Sequence[FeeSpec] = (),
    expires: datetime | None = None,
) -> Order:
    """A pending order from ``positions`` (``addon_to``: index; bundles are added; ``price``: a manual
    price) and ``codes``; ``gift_cards`` pay its total in the order given (when they pay all of it, the
    order is paid). ``consume_carts``: carts of the event the order replaces (their holds are its own,
    they are deleted with it). ``simulate``: everything checked and priced, nothing stored or redeemed;
    the order returned is unsaved (code ``PREVIEW``). ``fees``: fee lines its total includes; ``expires``:
    its payment deadline while pending (default: from the event's payment terms)."""
    draft = Draft(
        event=event, sales_channel=sales_channel, email=email, name=name, positions=tuple(positions),
        codes=tuple(codes), expected_total=expected_total, gift_cards=tuple(gift_cards),
        consume_carts=tuple(consume_carts), fees=tuple(fees), expires=expires,
    )  # fmt: skip
    if simulate:
        return run(draft, mode=SIMULATE, now=now).order
    with checkout_counted():
        return run(draft, mode=ORDER, now=now).order


def cart_checkout(
    *,
    cart: Cart,
    email: str,
    name: str = "",
    now: datetime,
    expected_total: Decimal | None = None,
    gift_cards: Sequence[str] = (),
) -> Order:
    """Turn the cart into a pending order and delete the cart. A second checkout of the same cart
    waits on the first one's lock, then finds the cart gone (404 ``not_found``).

    The cart's unexpired holds are its own: its positions need room only among what
    is sold, its codes only among what is used (other carts' holds do not count). ``gift_cards`` pay
    after the cart's own.
    """
    draft = Draft(
        event=cart.event, sales_channel=cart.sales_channel, email=email, name=name, cart=cart,
        expected_total=expected_total, gift_cards=tuple(gift_cards),
    )  # fmt: skip
    with checkout_counted():
        return run(draft, mode=ORDER, now=now).order

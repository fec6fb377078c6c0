"""What is to be priced: positions and codes asked for, on their own or added to a stored cart.

A ``POST orders/`` body, a price preview, a new cart and a change to a stored cart
all become one :class:`Draft`; the gather stage reads the stored cart's positions
(with ``ref``) and puts the positions asked for after them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from core.errors import DomainError
from orders.models import Cart, Order
from ticketing.models import Event, SalesChannel


@dataclass(frozen=True, slots=True)
class PositionSpec:
    """One position. ``voucher`` is the normalised code typed on it (None: none).

    ``addon_to`` is the index of its parent among the positions it is listed with.
    ``ref`` is the stored cart position's id when the spec comes from a cart.
    ``is_bundled`` positions are never asked for: they come from the parent
    item's bundle configuration (:func:`orders.checkout.catalog.with_bundles`).
    ``price`` is a manual price set by the caller (``POST orders/`` by a token that may change
    orders): the position costs exactly that, no code or rule changes it.
    ``list_price``: the list price a position of a stored order keeps when the order changes (codes and
    rules start from it, not from today's catalog price); None: the catalog's.
    """

    item: int
    variation: int | None = None
    subevent: int | None = None
    addon_to: int | None = None
    is_bundled: bool = False
    voucher: str | None = None
    ref: int | None = None
    price: Decimal | None = None
    list_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class FeeSpec:
    """A fee line the caller adds to the order (pretix's ``fees`` of a new order): the total includes it;
    no code or rule changes it."""

    fee_type: str
    value: Decimal
    description: str = ""
    internal_type: str = ""


@dataclass(frozen=True)
class OrderChangeSpec:
    """A change of a stored order (``orders.services.changes``): the draft's ``positions`` are the whole
    order as it is to be, the order's positions that stay first (``ref``: their ``positionid``), in their
    order, then the new ones (``addon_to``: an index in that list).

    ``order``: the order, locked by the caller; ``held``: its live positions before the change (their
    places are its own: what orders have sold counts without them); ``rows``: those rows by
    ``positionid``; ``patched``: the ``positionid`` of the positions whose item, variation or date change
    (they take their places anew); ``canceled``: the ids (primary keys) of the rows canceled;
    ``last_positionid``: the highest ``positionid`` the order ever had (new ones follow it).
    """

    order: Order
    held: tuple[PositionSpec, ...]
    rows: dict
    patched: frozenset[int] = frozenset()
    canceled: tuple[int, ...] = ()
    last_positionid: int = 0


@dataclass(frozen=True)
class Draft:
    """One request to the checkout path.

    ``positions``: asked for now (``addon_to``: index in this tuple), after those of
    ``cart`` when there is one; ``parent_ref``: the cart position the first of them
    is an add-on to. ``codes``: order-wide codes as typed, after the cart's.
    ``expected_total``: the total the customer saw (an order is refused if it differs).
    ``gift_cards``: codes of gift cards to pay with, as typed, after the cart's; they change no price.
    ``consume_carts``: ids of this event's carts that the order replaces: they are locked with the
    order's rows, what they hold counts as the order's own, and they are deleted with it.
    ``fees``: fee lines of the order (service, shipping …); the total includes them.
    ``expires``: the payment deadline of the order when it is stored pending.
    ``change``: the draft is a change of a stored order (:class:`OrderChangeSpec`).
    """

    event: Event
    sales_channel: SalesChannel
    email: str = ""
    name: str = ""
    positions: tuple[PositionSpec, ...] = ()
    codes: tuple[str, ...] = ()
    cart: Cart | None = None
    parent_ref: int | None = None
    expected_total: Decimal | None = None
    gift_cards: tuple[str, ...] = ()
    consume_carts: tuple[UUID, ...] = ()
    fees: tuple[FeeSpec, ...] = ()
    expires: datetime | None = None
    change: OrderChangeSpec | None = None


def refuse(code: str, detail: str, index: int, spec: PositionSpec, **context) -> DomainError:
    """The error of one position: its ``position`` (index in the request) or, from a cart, its
    cart position ``id`` (``position_id``)."""
    where = {"position": index} if spec.ref is None else {"position_id": spec.ref}
    return DomainError(detail, code=code, **where, **context)

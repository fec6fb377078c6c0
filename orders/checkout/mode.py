"""The three ways through the one checkout path: what differs between pricing, a cart change and an order.

- :data:`PRICE`: a price preview, or reading a stored cart. No locks, nothing stored;
  what is asked for anew is checked (a preview asks for everything), minimum counts
  are not (more may be added).
- :data:`CART`: creating or changing a cart. Under the locks; what is added is
  checked against what is sold and held, and the cart's new holds are stored.
- :data:`ORDER`: a checkout (of a cart, or ``POST orders/``). Under the locks;
  everything is checked, minimum counts too, and the order is stored.
- :data:`SIMULATE`: ``POST orders/`` with ``simulate: true``. Everything is checked
  as for an order, from what is sold and held now but without the locks (a simulation
  never makes a checkout wait); the order is built in memory, nothing is stored or redeemed.
- :data:`CHANGE`: ``POST orders/<code>/change/``: a stored order's positions change. Under the locks
  (the order's first, taken by the caller); what is new or changed is checked, the positions that stay
  hold their places (``orders.checkout.change``); the order's rows are updated.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Store(enum.StrEnum):
    """What the commit stage writes."""

    NOTHING = "nothing"
    CART = "cart"
    ORDER = "order"
    SIMULATED_ORDER = "simulated_order"
    ORDER_CHANGE = "order_change"


@dataclass(frozen=True)
class Mode:
    #: Take the row locks (cart, quotas, vouchers, coupons) and count room under them.
    locks: bool
    stores: Store
    #: The positions are a whole order: every one is checked again, minimum counts apply.
    complete: bool


PRICE = Mode(locks=False, stores=Store.NOTHING, complete=False)
CART = Mode(locks=True, stores=Store.CART, complete=False)
ORDER = Mode(locks=True, stores=Store.ORDER, complete=True)
SIMULATE = Mode(locks=False, stores=Store.SIMULATED_ORDER, complete=True)
CHANGE = Mode(locks=True, stores=Store.ORDER_CHANGE, complete=False)

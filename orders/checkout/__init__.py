"""The one checkout path: a price preview, a priced cart, a cart change and an order all run it.

Stages, in the order data flows (each value crosses each stage once):

1. ``gather``: the stored cart, the products and rules (``catalog``), the quotas the
   positions draw from, the code rows, and, under the locks when the mode takes
   them, what is sold and held (``orders.counting``);
2. ``check``: items known, codes (``codes``), positions on sale (``availability``),
   quota room;
3. ``price``: through the one adapter (``adapter``) to the pure engine (``orders.pricing``);
4. ``commit``: the order (redemptions, and usage through ``vouchers.services.usage``)
   or the cart's holds, or nothing (a simulated order is built, not stored); an order's change
   (``commit_change``).

:func:`run` is the path; the :mod:`~orders.checkout.mode` says what differs:
locks taken or not, what is stored, whether the positions are a whole order.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime

from core.locks import locking_transaction
from orders.checkout.check import check
from orders.checkout.commit import Outcome, commit
from orders.checkout.commit_change import commit_change
from orders.checkout.draft import Draft
from orders.checkout.gather import gather
from orders.checkout.mode import Mode, Store
from orders.checkout.price import price


def run(draft: Draft, *, mode: Mode, now: datetime) -> Outcome:
    """Gather, check, price and commit ``draft`` in one transaction (with the lock timeout when
    the mode locks); the first refusal raises and changes nothing."""
    with locking_transaction() if mode.locks else nullcontext():
        gathered = gather(draft, mode=mode, now=now)
        applied = check(gathered, mode=mode)
        view = price(gathered, applied, whole_order=mode.complete or mode.stores == Store.ORDER_CHANGE)
        if mode.stores == Store.ORDER_CHANGE:
            return Outcome(view=view, order=commit_change(gathered, view))
        return commit(gathered, applied, view, mode=mode)

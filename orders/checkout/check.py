"""Stage 2, check: whether what was gathered may be sold together now, in this order.

1. the codes: each valid alone, then together, attached to the positions they change,
   within their uses (``orders.checkout.codes``);
2. the positions to check (those taken anew; all of an order's) are on sale on this
   channel, with the counts per order and per parent (``orders.checkout.availability``);
3. the quotas have room (:func:`check_rooms`);
4. the gift cards to pay with (``orders.checkout.giftcards``).

(The shape of the request, add-ons after their parents and ids of this event, is
checked where the gather stage reads it.)

Each refusal raises a :class:`~core.errors.DomainError` with a stable code; the
first one wins. What passes is :class:`~orders.checkout.codes.AppliedCodes`:
the positions with their vouchers attached and the codes resolved.

**The room rule** (for a limited quota; ``sold``: positions of pending and paid
orders; ``held``: what other unexpired carts hold; ``blocked``: what valid blocking vouchers
hold back):

- an operation that takes places anew (a new cart position, a direct order, an
  expired cart's checkout) needs ``sold + held + blocked + its own positions <= size``;
- a cart whose unexpired holds are all it asks for needs ``sold + blocked + its own
  positions <= size``: its holds are its own, so if the quota was lowered below
  what carts hold, checkouts succeed while room remains and are refused after;
- a position carrying a voucher that blocks this quota takes the place its voucher holds:
  the voucher's hold (its remaining uses) is left out of ``blocked``, and the position
  counts among the operation's own. So it fits exactly when the voucher's hold is real
  room, never on room other vouchers hold or orders have sold. (A voucher scoped to one
  quota blocks only that one: in the item's other quotas its position needs room as any.)

So orders never exceed a quota, and holds never exceed it either (they are only
taken under the quota's lock with room for them; blocking vouchers too,
``vouchers.quotas.blocks_check``, and a quota is never made smaller than what orders
and vouchers hold of it, ``ticketing.quotas``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Protocol

from core.errors import ConflictError
from orders.checkout.availability import check_positions
from orders.checkout.codes import AppliedCodes, check_codes
from orders.checkout.gather import Gathered
from orders.checkout.giftcards import check_gift_cards
from orders.checkout.mode import Mode
from orders.counting import Counts
from ticketing.models import Quota
from vouchers.resolution import FoundCode, ResolvedCode


class RoomInputs(Protocol):
    """What the room rule reads, named as :class:`Gathered` names it (a ``Gathered`` is one; an expired
    order taking its places again, ``orders.services.expiry``, builds the same from the order's rows)."""

    membership: list[list[int]]
    checked: frozenset[int]
    taking: frozenset[int]
    limited: list[Quota]
    counts: Counts
    blocking: dict[int, int]
    found: dict[str, FoundCode]


def check(gathered: Gathered, *, mode: Mode) -> AppliedCodes:
    catalog = gathered.catalog
    applied = check_codes(gathered)
    check_positions(
        applied.positions, catalog, channel=gathered.channel, now=gathered.now,
        unlocks=applied.unlocks(catalog), checked=gathered.checked, complete=mode.complete,
    )  # fmt: skip
    check_rooms(gathered, applied)
    if gathered.gift_cards:
        usable, refused = check_gift_cards(gathered, mode=mode)
        applied = replace(applied, gift_cards=usable, refused_gift_cards=refused)
    return applied


def ignores_quota(code: ResolvedCode | None) -> bool:
    """A position carrying a voucher that may ignore the quota needs no room."""
    return code is not None and code.allow_ignore_quota


def blocks(code: ResolvedCode | None, quota_id: int) -> bool:
    """Whether the voucher a position carries holds its place in this quota (every quota of the position's
    product, or only the one it is scoped to)."""
    return code is not None and code.block_quota and code.quota_id in (None, quota_id)


def voucher_holds(gathered: RoomInputs, codes: dict[str, ResolvedCode]) -> dict[str, int]:
    """What each blocking voucher the positions carry holds back now (its remaining uses, read under its
    lock), by code."""
    held = {}
    for text, code in codes.items():
        found = gathered.found.get(text)
        if code.block_quota and found is not None and found.voucher is not None:
            held[text] = max(found.voucher.max_usages - found.voucher.redeemed, 0)
    return held


def check_rooms(gathered: RoomInputs, applied: AppliedCodes) -> None:
    """409 ``quota_exceeded`` naming the first quota (by id) without room, by the room rule above;
    409 ``no_quota`` for a checked position in no quota of its date."""
    codes = applied.by_code()
    own: Counter[int] = Counter()
    anew: Counter[int] = Counter()
    carried: dict[int, set[str]] = {}  # quota id → the blocking vouchers whose places the positions take
    for index, (spec, quota_ids) in enumerate(zip(applied.positions, gathered.membership, strict=True)):
        if not quota_ids:
            if index in gathered.checked:
                raise ConflictError(
                    "This item is not available: it is in no quota of its date.",
                    code="no_quota", position=index, item=spec.item,
                )  # fmt: skip
            continue
        code = codes.get(spec.voucher) if spec.voucher else None
        if ignores_quota(code):
            continue
        for quota_id in quota_ids:
            own[quota_id] += 1
            if blocks(code, quota_id):
                carried.setdefault(quota_id, set()).add(spec.voucher)
            elif index in gathered.taking:
                anew[quota_id] += 1
    counts = gathered.counts
    holds = voucher_holds(gathered, codes) if carried else {}
    for quota in gathered.limited:  # fresh rows, by id
        if not own[quota.pk]:
            continue
        own_holds = sum(holds.get(text, 0) for text in carried.get(quota.pk, ()))
        taken = counts.sold.get(quota.pk, 0) + max(gathered.blocking.get(quota.pk, 0) - own_holds, 0)
        if anew[quota.pk]:
            taken += counts.held_places.get(quota.pk, 0)
        room = quota.size - taken
        if own[quota.pk] > room:
            held_by_this = own[quota.pk] - anew[quota.pk]
            raise ConflictError(
                f"Quota '{quota.name}' has not enough left for this order.",
                code="quota_exceeded", quota=quota.pk, available=max(room - held_by_this, 0),
            )  # fmt: skip

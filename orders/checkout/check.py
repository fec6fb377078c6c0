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
orders; ``held``: what other unexpired carts and blocking vouchers hold):

- an operation that takes places anew (a new cart position, a direct order, an
  expired cart's checkout) needs ``sold + held + its own positions <= size``;
- a cart whose unexpired holds are all it asks for needs ``sold + its own
  positions <= size``: its holds are its own, so if the quota was lowered below
  what carts hold, checkouts succeed while room remains and are refused after.

So orders never exceed a quota, and holds never exceed it either (they are only
taken under the quota's lock with room for them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from core.errors import ConflictError
from orders.checkout.availability import check_positions
from orders.checkout.codes import AppliedCodes, check_codes
from orders.checkout.gather import Gathered
from orders.checkout.giftcards import check_gift_cards
from orders.checkout.mode import Mode
from vouchers.resolution import ResolvedCode


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


def needs_no_room(code: ResolvedCode | None) -> bool:
    """A position carrying a voucher that blocks quota (its place is held by the voucher) or may
    ignore it needs no room."""
    return code is not None and (code.block_quota or code.allow_ignore_quota)


def check_rooms(gathered: Gathered, applied: AppliedCodes) -> None:
    """409 ``quota_exceeded`` naming the first quota (by id) without room, by the room rule above;
    409 ``no_quota`` for a checked position in no quota of its date."""
    codes = applied.by_code()
    own: Counter[int] = Counter()
    anew: Counter[int] = Counter()
    for index, (spec, quota_ids) in enumerate(zip(applied.positions, gathered.membership, strict=True)):
        if not quota_ids:
            if index in gathered.checked:
                raise ConflictError(
                    "This item is not available: it is in no quota of its date.",
                    code="no_quota", position=index, item=spec.item,
                )  # fmt: skip
            continue
        if needs_no_room(codes.get(spec.voucher) if spec.voucher else None):
            continue
        for quota_id in quota_ids:
            own[quota_id] += 1
            if index in gathered.taking:
                anew[quota_id] += 1
    counts = gathered.counts
    for quota in gathered.limited:  # fresh rows, by id
        if not own[quota.pk]:
            continue
        taken = counts.sold.get(quota.pk, 0)
        if anew[quota.pk]:
            taken += counts.held_places.get(quota.pk, 0) + gathered.blocking.get(quota.pk, 0)
        room = quota.size - taken
        if own[quota.pk] > room:
            held_by_this = own[quota.pk] - anew[quota.pk]
            raise ConflictError(
                f"Quota '{quota.name}' has not enough left for this order.",
                code="quota_exceeded", quota=quota.pk, available=max(room - held_by_this, 0),
            )  # fmt: skip

"""Stage 1, gather: everything the later stages need, read once, under the locks when the mode takes them.

In this order:

1. the stored cart (locked first when the mode locks: a second change or checkout
   of the same cart waits, then sees the first one's result) and its positions
   and codes; the positions asked for go after the stored ones; then the carts the
   order consumes (``consume_carts``), locked too: their holds are the order's own;
2. the shape of what is asked for (add-ons after their parents), the products and
   the rules (``catalog``), bundles expanded, every id known in the event, the list
   prices, the quotas each position draws from;
3. the locks: the limited quotas to be checked, then the vouchers, then the coupons
   named by the codes, each by primary key (``vouchers.services.usage.codes_lock``),
   read fresh as they are locked; for an order, last, the gift cards it pays with
   (``vouchers.services.giftcards.gift_cards_find``), by primary key, with their
   balances read under that lock;
4. under those locks, in one statement: what orders have sold of those quotas, and
   what other unexpired carts hold of them and of the codes (``orders.counting``),
   plus what blocking vouchers hold when the event has any.

For an order's change (``draft.change``, ``orders.checkout.change``) the order is locked by the caller;
the draft's positions are the whole order as it is to be; the order's code uses are given back under
the codes' locks before the codes are read (the change takes them again from its new pricing), and what
orders have sold counts without the order's own positions (they hold their places).

Nothing here refuses a request but its shape (``addon_parent_invalid``,
``too_many_positions``, ``item_not_found``, ``variation_not_found``,
``subevent_not_found``: what cannot even be read) and a cart that is gone; the
check stage decides the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from core.errors import ConflictError, DomainError
from core.locks import LockKind, lock_in_order
from orders.checkout.catalog import (
    Catalog,
    LoadedRule,
    list_prices,
    load_catalog,
    load_rules,
    quota_membership,
    with_bundles,
)
from orders.checkout.change import order_codes_lock, sold_by_others
from orders.checkout.draft import Draft, PositionSpec, refuse
from orders.checkout.mode import Mode, Store
from orders.counting import Counts, count_taken
from orders.models import Cart, CartCode, CartGiftCard
from ticketing.models import Quota
from ticketing.quotas import limited_quotas
from vouchers.codes import normalise_code
from vouchers.giftcards import GiftCardState
from vouchers.quotas import blocking_voucher_ids, count_blocking_vouchers
from vouchers.resolution import FoundCode
from vouchers.resolution.lookup import find_codes
from vouchers.services.giftcards import gift_cards_find
from vouchers.services.usage import codes_lock

#: A cart or order holds at most this many positions (bundled ones included).
MAX_POSITIONS = 500


class CartGone(ConflictError):
    status_code = 404
    code = "not_found"
    default_detail = "This cart does not exist (any more)."


@dataclass(frozen=True)
class Gathered:
    """What a draft is checked, priced and stored from.

    ``positions``: the stored cart's (with ``ref``), then those asked for, bundles
    expanded; ``prices``: their list prices. ``taking``: indices of the positions whose
    place this operation takes (not held by the cart already); ``checked``: those the
    check stage checks (all of an order's). ``codes``: normalised, in the order the
    engine applies them (vouchers typed on positions, then the order-wide ones);
    ``stored_codes``: the cart's;
    ``held_codes``: those of them it holds (unexpired, or read without locks);
    ``found``: their rows, fresh (locked under the locks).
    ``quotas``/``membership``: every quota each position draws from; ``limited``:
    the fresh rows of the limited quotas to check (locked under the locks).
    ``gift_cards``: the gift cards to pay with (the cart's, then those asked for), each as its normalised
    text and the card found (None: no card of the organizer has it); ``stored_gift_cards``: the cart's.
    """

    draft: Draft
    now: datetime
    catalog: Catalog
    rules: list[LoadedRule]
    positions: list[PositionSpec]
    prices: list[Decimal]
    taking: frozenset[int]
    checked: frozenset[int]
    codes: list[str]
    stored_codes: frozenset[str]
    held_codes: frozenset[str]
    found: dict[str, FoundCode]
    quotas: dict[int, Quota]
    membership: list[list[int]]
    limited: list[Quota]
    counts: Counts
    blocking: dict[int, int] = field(default_factory=dict)
    last_positionid: int = 0
    gift_cards: list[tuple[str, GiftCardState | None]] = field(default_factory=list)
    stored_gift_cards: frozenset[str] = frozenset()
    consumed_carts: tuple[UUID, ...] = ()

    @property
    def channel(self) -> str:
        return self.draft.sales_channel.identifier


@dataclass(frozen=True)
class StoredCart:
    positions: list[PositionSpec]  # in cart order, ``ref`` = cart position id
    codes: list[str]  # normalised, in the order applied
    last_positionid: int
    gift_cards: list[str] = field(default_factory=list)  # normalised, in the order added


def stored_cart(cart: Cart) -> StoredCart:
    """The cart's positions (bundled ones included), codes and gift cards: three queries."""
    rows = list(cart.positions.select_related("voucher").order_by("positionid", "id"))
    index = {row.pk: i for i, row in enumerate(rows)}
    positions = [
        PositionSpec(
            item=row.item_id,
            variation=row.variation_id,
            subevent=row.subevent_id,
            addon_to=index.get(row.addon_to_id) if row.addon_to_id is not None else None,
            is_bundled=row.is_bundled,
            voucher=row.voucher.code.upper() if row.voucher is not None else None,
            ref=row.pk,
        )
        for row in rows
    ]
    codes = list(CartCode.objects.filter(cart=cart).order_by("id").values_list("code", flat=True))
    cards = list(CartGiftCard.objects.filter(cart=cart).order_by("id").values_list("code", flat=True))
    return StoredCart(
        positions=positions, codes=codes, last_positionid=max((r.positionid for r in rows), default=0),
        gift_cards=cards,
    )  # fmt: skip


def check_structure(positions: Sequence[PositionSpec]) -> None:
    """Add-ons point to an earlier position that is itself neither an add-on nor bundled."""
    for index, spec in enumerate(positions):
        parent = spec.addon_to
        if parent is None or spec.is_bundled:
            continue
        if not 0 <= parent < index or positions[parent].addon_to is not None:
            raise refuse(
                "addon_parent_invalid",
                "An add-on must refer to an earlier position that is not itself an add-on.",
                index,
                spec,
            )


def check_known(positions: Sequence[PositionSpec], catalog: Catalog) -> None:
    """Every item, variation and date exists in this event (before codes look at prices)."""
    for index, spec in enumerate(positions):
        if spec.item not in catalog.items:
            raise refuse("item_not_found", "There is no such item in this event.", index, spec)
        if spec.variation is not None:
            variation = catalog.variations.get(spec.variation)
            if variation is None or variation.item_id != spec.item:
                raise refuse("variation_not_found", "There is no such variation of this item.", index, spec)
        dated = spec.subevent is not None and catalog.event.has_subevents
        if dated and spec.subevent not in catalog.subevents:
            raise refuse("subevent_not_found", "There is no such date in this event.", index, spec)


def combine(
    stored: list[PositionSpec], asked: tuple[PositionSpec, ...], parent_ref: int | None
) -> list[PositionSpec]:
    """The stored positions, then those asked for with ``addon_to`` renumbered after them."""
    check_structure(asked)
    offset = len(stored)
    parent_index = None
    if parent_ref is not None:
        parent_index = next((i for i, p in enumerate(stored) if p.ref == parent_ref), None)
        if parent_index is None or stored[parent_index].addon_to is not None:
            raise DomainError("The cart has no such position to add to.", code="addon_parent_invalid")
    combined = list(stored)
    for index, spec in enumerate(asked):
        if spec.addon_to is not None:
            addon_to = spec.addon_to + offset
        elif index == 0 and parent_index is not None:
            addon_to = parent_index
        else:
            addon_to = None
        combined.append(PositionSpec(
            item=spec.item, variation=spec.variation, subevent=spec.subevent, addon_to=addon_to,
            is_bundled=spec.is_bundled, voucher=normalise_code(spec.voucher) if spec.voucher else None,
            price=spec.price,
        ))  # fmt: skip
    return combined


def code_order(positions: list[PositionSpec], codes: list[str]) -> list[str]:
    """The codes in the order the engine applies them: vouchers typed on positions, then the
    order-wide codes; normalised, each once."""
    carried = [p.voucher for p in positions if p.voucher]
    typed = [normalise_code(c) for c in codes]
    return list(dict.fromkeys([*carried, *(text for text in typed if text)]))


def cart_lock(cart_id: UUID):
    """Lock the cart's row; its expiry read under the lock (None: the cart is gone)."""
    return Cart.objects.select_for_update().filter(pk=cart_id).values_list("expires", flat=True).first()


def consumed_carts(draft: Draft, *, lock: bool) -> list[UUID]:
    """The carts of this event among ``draft.consume_carts`` (ids of other events' carts, or of carts
    that are gone, are passed over, as pretix does), locked in primary-key order when the mode locks:
    a checkout or change of one of them waits for this order, then finds it gone. No query when there
    are none."""
    if not draft.consume_carts:
        return []
    rows = Cart.objects.filter(event=draft.event, pk__in=draft.consume_carts)
    if draft.cart is not None:
        rows = rows.exclude(pk=draft.cart.pk)
    if lock:
        rows = rows.select_for_update()
    return list(rows.order_by("pk").values_list("pk", flat=True))


def limits_orders(coupon) -> bool:
    series = coupon.series
    return series.max_orders_per_coupon is not None or series.max_usage_per_event is not None


def gather(draft: Draft, *, mode: Mode, now: datetime) -> Gathered:
    event = draft.event
    cart = draft.cart
    stored = StoredCart(positions=[], codes=[], last_positionid=0, gift_cards=[])
    expires = None
    if cart is not None:
        if mode.locks:
            expires = lock_in_order(cart=lambda: cart_lock(cart.pk))[LockKind.CART]
            if expires is None:
                raise CartGone()
        stored = stored_cart(cart)
    # Without locks nothing is taken, so a stored cart's positions count as held (a read
    # re-checks nothing); under the locks only an unexpired cart holds anything (its expiry
    # read with the lock: a change just committed may have extended it).
    holds = cart is not None and (not mode.locks or expires > now)
    if mode.locks:
        consumed = lock_in_order(cart=lambda: consumed_carts(draft, lock=True))[LockKind.CART]
    else:
        consumed = consumed_carts(draft, lock=False)

    change = draft.change
    if change is not None:  # the whole order as it is to be, the positions that stay first
        check_structure(draft.positions)
        positions = list(draft.positions)
    else:
        positions = combine(stored.positions, draft.positions, draft.parent_ref)
    catalog = load_catalog(event, positions)
    positions = with_bundles(positions, catalog)
    if len(positions) > MAX_POSITIONS:
        raise DomainError(f"At most {MAX_POSITIONS} positions per order.", code="too_many_positions")
    check_known(positions, catalog)
    # A manual price is the position's list price: the engine starts from it, the price stage keeps it.
    prices = [
        p.price if p.price is not None else p.list_price if p.list_price is not None else listed
        for p, listed in zip(positions, list_prices(positions, catalog), strict=True)
    ]
    codes = code_order(positions, [*stored.codes, *draft.codes])
    held_codes = frozenset(stored.codes) if holds else frozenset()
    if change is not None:  # the order's positions that stay as they are hold their places
        taking = frozenset(i for i, p in enumerate(positions) if p.ref is None or p.ref in change.patched)
    else:
        taking = frozenset(i for i, p in enumerate(positions) if p.ref is None or not holds)
    checked = frozenset(range(len(positions))) if mode.complete else taking
    rules = load_rules(event)
    quotas, membership = quota_membership(event, positions)
    to_check = {q for i in checked for q in membership[i] if quotas[q].size is not None}

    blocking_ids = blocking_voucher_ids([event.pk], now=now) if to_check else []

    # The locks, in the one order: (cart above), quotas, codes (gift cards below).
    if mode.locks:
        locked = lock_in_order(
            quota=lambda: limited_quotas(to_check, lock=True),
            code=(lambda: codes_lock(event=event, codes=codes)) if change is None
            else lambda: order_codes_lock(change, codes=codes, now=now),
        )
        limited, found = locked.get(LockKind.QUOTA, []), locked[LockKind.CODE]
    else:
        limited = limited_quotas(to_check, lock=False)
        found = find_codes(organizer_id=event.organizer_id, event_id=event.pk, codes=codes)
    # Holds of other carts matter for the codes this operation takes uses of.
    taken_anew = {c for c in codes if c not in held_codes} | {
        positions[i].voucher for i in taking if positions[i].voucher
    }
    rows = [found[c] for c in sorted(taken_anew) if c in found]
    counts = count_taken(
        quota_ids=[q.pk for q in limited],
        voucher_ids=[f.voucher.pk for f in rows if f.voucher is not None],
        coupon_ids=[f.coupon.pk for f in rows if f.coupon is not None and limits_orders(f.coupon)],
        now=now,
        exclude_cart=cart.pk if cart is not None else None,
        blocking_vouchers=blocking_ids,
        exclude_carts=consumed,
    )
    if change is not None and limited:
        counts = replace(counts, sold=sold_by_others(counts.sold, change, limited))
    blocking = count_blocking_vouchers(limited, now=now) if limited and blocking_ids else {}
    # Gift cards last in the lock order, and only for an order: a cart or a preview holds no balance.
    card_texts = [normalise_code(c) for c in [*stored.gift_cards, *draft.gift_cards]]
    if mode.locks and mode.stores == Store.ORDER:
        cards = lock_in_order(
            gift_card=lambda: gift_cards_find(organizer_id=event.organizer_id, codes=card_texts, lock=True)
        )[LockKind.GIFT_CARD]
    else:
        cards = gift_cards_find(organizer_id=event.organizer_id, codes=card_texts)
    return Gathered(
        draft=draft, now=now, catalog=catalog, rules=rules, positions=positions, prices=prices, taking=taking,
        checked=checked, codes=codes, stored_codes=frozenset(stored.codes), held_codes=held_codes,
        found=found, quotas=quotas, membership=membership, limited=limited,
        counts=counts, blocking=blocking, last_positionid=stored.last_positionid,
        gift_cards=[(text, cards.get(text)) for text in card_texts],
        stored_gift_cards=frozenset(stored.gift_cards), consumed_carts=tuple(consumed),
    )  # fmt: skip

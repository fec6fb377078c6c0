"""Stage 4, commit: store what the mode stores, inside the transaction that holds the locks.

- an order (:func:`commit_order`): the order, its positions with their price
  breakdown, the running sales counts, the coupon series' tags, one redemption per
  code used (linked to the positions it changed, with its amount on each, and with what it
  saved), the codes set aside and the warnings; the codes' usage counters through
  the vouchers app's service (``vouchers.services.usage``); what its gift cards paid
  (``orders.giftcards``: a payment row each, and the cards' ledgers through the vouchers
  app) — an order they pay in full is stored paid, and then issues the gift cards its
  gift-card items stand for; the cart is deleted;
- an order's change (``orders.checkout.commit_change``, called by the path itself): its positions
  canceled, updated and added, its sales counts, redemptions and totals;
- a cart (:func:`commit_cart`): the cart (when new), the positions added, vouchers
  attached to or taken from stored positions, the codes and gift cards added, and a new
  expiry: these are the holds, taken under the same locks as an order (a gift card holds
  no balance).

A fixed number of statements whatever the number of positions: positions are
inserted one level at a time, redemptions and their position links in one INSERT
each, one UPDATE per code.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings

from core import rawsql
from core.audit import record_bulk
from orders.announce import order_placed
from orders.checkout.codes import AppliedCodes
from orders.checkout.draft import PositionSpec
from orders.checkout.gather import Gathered
from orders.checkout.mode import Mode, Store
from orders.checkout.price import PricedView
from orders.checkout.trees import bulk_create_tree
from orders.giftcards import order_gift_cards_issue, order_gift_cards_pay
from orders.models import (
    GIFT_CARD_PROVIDER,
    Cart,
    CartCode,
    CartGiftCard,
    CartPosition,
    Order,
    OrderFee,
    OrderPayment,
    OrderPosition,
    OrderStatus,
    OrderTag,
    PaymentState,
    Redemption,
    RedemptionPosition,
)
from orders.sales import positions_sold, record_sales
from ticketing.payment_terms import payment_deadline
from ticketing.selectors import event_payment_terms
from vouchers.choices import CodeKind
from vouchers.resolution import ResolvedCode
from vouchers.services.usage import CodeUse, code_uses_record

_ZERO = Decimal("0")


def cart_lifetime() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "ORDERS_CART_LIFETIME_MINUTES", 30)))


@dataclass(frozen=True)
class Outcome:
    """What the path produced: the priced view (of a stored cart: with its positions' ids), and the
    order or cart it stored."""

    view: PricedView
    order: Order | None = None
    cart: Cart | None = None


def commit(gathered: Gathered, applied: AppliedCodes, view: PricedView, *, mode: Mode) -> Outcome:
    if mode.stores == Store.ORDER:
        return Outcome(view=view, order=commit_order(gathered, view))
    if mode.stores == Store.SIMULATED_ORDER:
        return Outcome(view=view, order=commit_order(gathered, view, store=False))
    if mode.stores == Store.CART:
        cart, view = commit_cart(gathered, applied, view)
        return Outcome(view=view, cart=cart)
    return Outcome(view=view, cart=gathered.draft.cart)


#: The code of a simulated order (pretix answers a simulation with this code too).
SIMULATED_CODE = "PREVIEW"


def commit_order(gathered: Gathered, view: PricedView, *, store: bool = True) -> Order:
    """Store the order. Without ``store`` (a simulation, :func:`simulated_order`) the same order is
    built in memory only."""
    draft = gathered.draft
    codes = {code.code: code for code in view.codes}
    used = {share.code for line in view.positions for share in line.line.codes}
    used |= unlocking_codes(gathered, view)  # needed for a hidden item even where they took nothing off
    used_codes = [codes[c] for c in codes if c in used]
    # The coupon series' tags (a voucher's tag groups vouchers, not orders).
    series_codes = [code for code in used_codes if code.kind != CodeKind.VOUCHER]
    tags = sorted({tag for code in series_codes for tag in code.tags})
    # Gift cards that pay the whole total make the order paid as it is stored.
    status = OrderStatus.PAID if view.paid_by_gift_cards else OrderStatus.PENDING
    order = Order(
        event=draft.event, status=status, email=draft.email, name=draft.name,
        paid_at=gathered.now if status == OrderStatus.PAID else None,
        sales_channel=draft.sales_channel, datetime=gathered.now, list_total=view.list_total,
        code_discount_total=view.code_discount_total, rule_discount_total=view.rule_discount_total,
        fee_total=view.fee_total, total=view.total, tags=tags, set_aside_codes=set_aside_data(view),
        warnings=warnings_data(view),
        expires=order_deadline(gathered, view) if status == OrderStatus.PENDING else None,
    )  # fmt: skip
    specs = [p.spec for p in view.positions]
    build = position_builder(order, view, codes)
    if not store:
        return simulated_order(order, view, used_codes, build)
    # The INSERTs of a checkout in plain SQL (``core.rawsql``): the ORM's statement building
    # cost more CPU than the database spends on them.
    rawsql.insert([order])
    record_bulk(Order, [order], action="created")
    rows = bulk_create_tree(OrderPosition, specs, build)
    record_sales(positions_sold(((p.item, p.variation, p.subevent) for p in specs), status))
    order.position_list = rows
    order.redemption_list = redeem(order, view, rows, used_codes)
    order.fee_list = OrderFee.objects.bulk_create(fee_rows(order, view)) if view.fees else []
    order.payment_list = order_gift_cards_pay(order, view.gift_cards, now=gathered.now)
    order.refund_list = []
    order.gift_card_issue_list = []
    if status == OrderStatus.PAID:
        items = gathered.catalog.items
        order.gift_card_issue_list = order_gift_cards_issue(
            order, [row for row in rows if items[row.item_id].issues_gift_card],
            organizer_id=draft.event.organizer_id, currency=draft.event.currency, now=gathered.now,
        )  # fmt: skip
    if tags:
        OrderTag.objects.bulk_create([OrderTag(order=order, tag=tag) for tag in tags])
    if draft.cart is not None:
        draft.cart.delete()
    if gathered.consumed_carts:  # their holds became this order's (``orders.checkout.gather``)
        Cart.objects.filter(pk__in=gathered.consumed_carts).delete()
    order_placed(order, now=gathered.now)
    return order


def order_deadline(gathered: Gathered, view: PricedView) -> datetime:
    """A pending order's payment deadline: the one the caller sent, else the event's payment terms from
    now (for an event series, a last date relative to the start counts from the order's earliest date).
    After the event's last date of payments a pending order is refused (409 ``payment_term_ended``)."""
    draft = gathered.draft
    if draft.expires is not None:
        return draft.expires
    dates = gathered.catalog.subevents
    starts = [dates[p.spec.subevent].date_from for p in view.positions if p.spec.subevent in dates]
    start = min(starts, default=draft.event.date_from)
    terms = event_payment_terms(draft.event)
    return payment_deadline(terms, placed=gathered.now, event_start=start, tz=draft.event.timezone)


def position_builder(order: Order, view: PricedView, codes: dict[str, ResolvedCode]):
    """``build(index, spec, parent)`` for :func:`~orders.checkout.trees.bulk_create_tree`: the order
    position of ``view``'s line ``index``, with its price breakdown."""

    def build(index: int, spec: PositionSpec, parent: OrderPosition | None) -> OrderPosition:
        priced = view.positions[index]
        line = priced.line
        code = codes.get(line.code) if line.code else None
        return OrderPosition(
            order=order,
            positionid=index + 1,
            item_id=spec.item,
            variation_id=spec.variation,
            subevent_id=spec.subevent,
            addon_to=parent,
            is_bundled=spec.is_bundled,
            list_price=line.list_price,
            code=line.code or "",
            voucher_id=code.id if code is not None and code.kind == CodeKind.VOUCHER else None,
            coupon_id=code.id if code is not None and code.kind != CodeKind.VOUCHER else None,
            code_discount=line.code_discount,
            discount_rule=priced.rule,
            rule_discount=line.rule_discount,
            price=line.price,
            price_manual=spec.price is not None,
        )

    return build


def simulated_order(order: Order, view: PricedView, used: list[ResolvedCode], build) -> Order:
    """The order as it would be stored, in memory only: no row written, no code redeemed, no gift card
    charged or issued, no cart deleted. It has no primary key and the code ``PREVIEW``; its positions
    and redemptions have stand-in keys (``orders.checkout.trees``) that the API does not show."""
    order.code = SIMULATED_CODE
    rows = bulk_create_tree(OrderPosition, [p.spec for p in view.positions], build, insert=False)
    order.position_list = rows
    order.redemption_list = redeem(order, view, rows, used, store=False)
    order.payment_list = [
        OrderPayment(
            order=order, local_id=n, state=PaymentState.CONFIRMED, provider=GIFT_CARD_PROVIDER,
            amount=s.amount, gift_card_id=s.card.id, gift_card_code=s.card.code, payment_date=order.datetime,
        )  # fmt: skip
        for n, s in enumerate((s for s in view.gift_cards if s.amount > 0), 1)
    ]
    order.refund_list = []
    order.fee_list = fee_rows(order, view)
    order.gift_card_issue_list = []
    return order


def fee_rows(order: Order, view: PricedView) -> list[OrderFee]:
    return [
        OrderFee(order=order, fee_type=fee.fee_type, value=fee.value, description=fee.description,
                 internal_type=fee.internal_type)
        for fee in view.fees
    ]  # fmt: skip


def redeem(
    order: Order, view: PricedView, rows: list[OrderPosition], used: list[ResolvedCode], *, store: bool = True
) -> list:
    """One redemption row per code the order used (in application order), with the discount it took
    off and, for a coupon or promo code, what it saved; linked to the positions it changed with
    what it took off each. The codes' counters go up through the vouchers app. Without ``store``
    (a simulation) the rows are built with stand-in keys and nothing is written or counted."""
    redemptions = []
    links: list[list[tuple[OrderPosition, Decimal]]] = []
    uses: list[CodeUse] = []
    taken = shares_by_code(view)
    for code in used:
        amounts = taken[code.code]  # position index → what the code took off it
        changed = list(amounts)
        if code.kind == CodeKind.VOUCHER:
            # Uses and budget count the positions carrying the voucher, not the add-ons or
            # bundled positions it made free (only its own discount counts).
            carriers = [i for i in changed if view.positions[i].spec.voucher == code.code]
            budget = sum((max(amounts[i], _ZERO) for i in carriers), _ZERO)
            use = CodeUse(
                kind=code.kind, code_id=code.id, uses=len(carriers), tickets=len(changed), budget=budget
            )
            target = {"voucher_id": code.id, "budget_spent": budget}
        else:
            use = CodeUse(
                kind=code.kind,
                code_id=code.id,
                uses=1,
                tickets=len(changed),
                deactivates=code.deactivate_on_use,
            )
            target = {"coupon_id": code.id, "saving": view.savings[code.code]}
        uses.append(use)
        redemptions.append(
            Redemption(
                kind=code.kind.value,
                code=code.code,
                order=order,
                uses=use.uses,
                tickets=use.tickets,
                discount=view.discounts[code.code],
                deactivated_code=use.deactivates,
                created=order.datetime,
                **target,
            )  # fmt: skip
        )
        links.append([(rows[i], amounts[i]) for i in changed])
    if store:
        code_uses_record(event_id=order.event_id, uses=uses)
        rawsql.insert(redemptions)
    else:
        for number, redemption in enumerate(redemptions, 1):
            redemption.pk = number
    for row in rows:
        row.code_list = []  # as ``orders.selectors.with_details`` prefetches them
    stored = []
    for redemption, changed_rows in zip(redemptions, links, strict=True):
        for row, amount in changed_rows:
            link = RedemptionPosition(redemption_id=redemption.pk, orderposition_id=row.pk, amount=amount)
            row.code_list.append(link)
            stored.append(link)
    if store:
        rawsql.insert(stored)
    return redemptions


def set_aside_data(view: PricedView) -> list[dict]:
    """The codes set aside, as the order stores and the API shows them."""
    return [
        {"code": s.reason, "code_text": s.code.code, "total_with": str(s.total_with)} for s in view.set_aside
    ]


def warnings_data(view: PricedView) -> list[dict]:
    return [
        {"code": w.reason, "code_text": w.code.code, "discounted": w.discounted, "eligible": w.eligible}
        for w in view.warnings
    ]


def unlocking_codes(gathered: Gathered, view: PricedView) -> set[str]:
    """The order-wide codes that unlock a hidden item of the order: the order uses them (they are
    redeemed, and count against their limits) whether or not their discount reached a position."""
    catalog = gathered.catalog
    hidden = {
        p.spec.item
        for p in view.positions
        if not p.spec.is_bundled and catalog.items[p.spec.item].hide_without_voucher
    }
    return {
        code.code
        for code in view.codes
        if code.kind != CodeKind.VOUCHER and any(code.unlocks(item=i, event=catalog.event.pk) for i in hidden)
    }


def shares_by_code(view: PricedView) -> dict[str, dict[int, Decimal]]:
    """For each code, the positions it was applied to (by index, in order) and what it took off each."""
    taken: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for index, priced in enumerate(view.positions):
        for share in priced.line.codes:
            taken[share.code][index] = share.amount
    return taken


def commit_cart(gathered: Gathered, applied: AppliedCodes, view: PricedView) -> tuple[Cart, PricedView]:
    """Store the cart's new holds; the view with every position's id."""
    draft, now = gathered.draft, gathered.now
    cart = draft.cart
    if cart is None:
        cart = Cart.objects.create(
            event=draft.event, sales_channel=draft.sales_channel, email=draft.email, created=now,
            expires=now + cart_lifetime(),
        )  # fmt: skip
    else:
        cart.expires = now + cart_lifetime()
        cart.save(update_fields=["expires"])
    voucher_ids = {c.code: c.id for c in applied.codes if c.kind == CodeKind.VOUCHER}
    store_voucher_changes(gathered.positions, applied.positions, voucher_ids)
    positions = applied.positions
    stored = {i: CartPosition(pk=p.ref) for i, p in enumerate(positions) if p.ref is not None}
    numbers = {
        i: gathered.last_positionid + n
        for n, i in enumerate(sorted(set(range(len(positions))) - set(stored)), 1)
    }

    def build(index: int, spec: PositionSpec, parent: CartPosition | None) -> CartPosition:
        return CartPosition(
            cart=cart, positionid=numbers[index], item_id=spec.item, variation_id=spec.variation,
            subevent_id=spec.subevent, addon_to=parent, is_bundled=spec.is_bundled,
            voucher_id=voucher_ids.get(spec.voucher),
        )  # fmt: skip

    rows = bulk_create_tree(CartPosition, positions, build, stored=stored)
    CartCode.objects.bulk_create(
        [
            CartCode(
                cart=cart,
                code=code.code,
                voucher_id=code.id if code.kind == CodeKind.VOUCHER else None,
                coupon_id=None if code.kind == CodeKind.VOUCHER else code.id,
                created=now,
            )  # fmt: skip
            for code in applied.codes
            if code.code not in gathered.stored_codes
        ]
    )
    CartGiftCard.objects.bulk_create([
        CartGiftCard(cart=cart, gift_card_id=card.id, code=card.code, created=now)
        for card in applied.gift_cards
        if card.code not in gathered.stored_gift_cards
    ])  # fmt: skip
    with_ids = [
        replace(priced, spec=replace(priced.spec, ref=row.pk))
        for priced, row in zip(view.positions, rows, strict=True)
    ]
    return cart, replace(view, positions=with_ids)


def store_voucher_changes(
    before: list[PositionSpec], after: list[PositionSpec], voucher_ids: dict[str, int]
) -> None:
    """Stored positions whose voucher the check attached or took away: one UPDATE per voucher."""
    changes: dict[int | None, list[int]] = defaultdict(list)
    for old, new in zip(before, after, strict=True):
        if new.ref is not None and old.voucher != new.voucher:
            changes[voucher_ids.get(new.voucher) if new.voucher else None].append(new.ref)
    for voucher_id, refs in changes.items():
        CartPosition.objects.filter(pk__in=refs).update(voucher_id=voucher_id)

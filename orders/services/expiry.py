"""Payment deadlines: pending orders past their ``expires`` expire, an order is expired by hand, a
deadline is moved, and an expired order is revived.

- **expire** (:func:`orders_expire_due`, :func:`order_mark_expired`): a pending order becomes
  ``expired``; what it held is given back as a cancel gives it back (``orders.release``): its positions
  stop counting against quotas, its code uses go back (redemptions marked reversed), and what gift cards
  paid returns to the cards (one done refund each, the payment ``refunded``). Gift cards it issued: none
  (only a paid order issues them).
- **extend** (:func:`order_extend`): a pending order gets a new deadline; an expired one is revived
  first, then is pending with that deadline. pretix's ``force`` (ignore quotas) is refused: this
  backend never sells beyond a quota.
- **revive** (:func:`order_revive`): an expired order takes its places and code uses again, if they are
  still there (the checkout's room rule, ``orders.checkout.check.check_rooms``, on what is sold, held
  by carts and held by blocking vouchers now; each code's uses as the checkout counts them). The money
  its gift cards got back is not taken again: the order owes it (``payment_balance``).

Locks (``core.locks``): the orders, then quotas (revive only), then codes, then gift cards. The
periodic expiry takes each batch's orders with ``SKIP LOCKED``: two runs at once (two workers, two
servers) take different orders, and an order another transaction holds (being paid, extended) is left
for the next run, which checks its status and deadline again under its lock.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.core.exceptions import ValidationError

from core.audit import record_bulk
from core.errors import ConflictError
from core.locks import Busy, LockKind, lock_in_order, locking_transaction
from orders.announce import codes_redeemed, deadline_changed, order_reactivated, orders_expired
from orders.checkout.catalog import quota_membership
from orders.checkout.check import check_rooms
from orders.checkout.codes import AppliedCodes
from orders.checkout.draft import PositionSpec
from orders.checkout.gather import limits_orders
from orders.counting import Counts, count_taken
from orders.models import GIFT_CARD_PROVIDER, Order, OrderPayment, OrderStatus, PaymentState, Redemption
from orders.release import codes_release, gift_cards_release, sales_release, use_of
from orders.sales import positions_sold, record_sales
from orders.services.orders import OrderStateError, order_locked
from ticketing.models import Quota
from ticketing.quotas import quotas_lock
from vouchers.choices import CodeKind
from vouchers.models import Coupon, Voucher
from vouchers.quotas import blocking_voucher_ids, count_blocking_vouchers
from vouchers.resolution import CodeError, CodeErrorCode, FoundCode, ResolvedCode
from vouchers.resolution.lookup import organizer_coupons
from vouchers.resolution.resolve import coupon_uses_unheld, remaining
from vouchers.services.usage import code_ids_lock, code_uses_record

DEFAULT_BATCH_SIZE = 200
EXPIRY_REASON = "Order {code} expired"


# --- refusals ------------------------------------------------------------------------------------


class ReviveRefused(ConflictError):
    """An expired order cannot take its places again (409 ``quota_exceeded`` naming the quota and what
    is left, or ``no_quota``); nothing changed. The payments service catches this class."""


class ReviveCodeRefused(ReviveRefused, CodeError):
    """One of the order's codes no longer has the uses it needs: the checkout's error for a used-up code
    (``exhausted``, ``held_in_other_cart``, ``budget_exhausted``) naming it (``code_text``, ``kind``),
    answered with the status the catalogue gives those codes, as the checkout answers them."""

    status_code = CodeError.status_code


# --- the periodic expiry -------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiryRun:
    """What one run did: orders expired, batches (transactions) that expired some, batches given up
    because a lock (a code, a gift card) was not obtained in time (the next run takes them), and how long
    each batch held its locks, in seconds."""

    expired: int = 0
    batches: int = 0
    busy: int = 0
    hold_seconds: list[float] = field(default_factory=list)

    @property
    def hold_max(self) -> float:
        return max(self.hold_seconds, default=0.0)

    @property
    def hold_median(self) -> float:
        return statistics.median(self.hold_seconds) if self.hold_seconds else 0.0


def due_orders_lock(*, now: datetime, limit: int) -> list[Order]:
    """Up to ``limit`` pending orders whose deadline is past, locked in primary-key order, skipping
    those another transaction holds (the partial index ``order_pending_expires`` finds them). The orders of
    an event whose payment terms say not to expire automatically (pretix's
    ``payment_term_expire_automatically``) are left pending."""
    rows = (
        Order.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=OrderStatus.PENDING, expires__lt=now)
        .exclude(event__settings__payment_term_expire_automatically=False)
        .order_by("pk")[:limit]
    )
    return list(rows)


def orders_expire_due(*, now: datetime, batch_size: int = DEFAULT_BATCH_SIZE) -> ExpiryRun:
    """Expire every pending order whose ``expires`` is before ``now``, ``batch_size`` orders per
    transaction. Running it again, or twice at once, expires and gives back each order once."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    expired = batches = busy = 0
    holds: list[float] = []
    while True:
        started = time.perf_counter()
        try:
            with locking_transaction():
                rows = lock_in_order(order=lambda: due_orders_lock(now=now, limit=batch_size))[LockKind.ORDER]
                # The lock re-reads each row; checked again here all the same (SQLite takes no row locks).
                due = [o for o in rows if o.status == OrderStatus.PENDING and o.expires and o.expires < now]
                orders_expire(due, now=now)
        except Busy:
            busy += 1
            break
        if due:
            holds.append(time.perf_counter() - started)
            expired += len(due)
            batches += 1
        if len(rows) < batch_size or not due:
            break  # the rest (if any) is held by another run or transaction: the next run takes it
    return ExpiryRun(expired=expired, batches=batches, busy=busy, hold_seconds=holds)


def orders_expire(locked: Sequence[Order], *, now: datetime) -> None:
    """The locked pending orders expire: each kind of row they hold is given back once for the batch,
    in the lock order, and their status changes in one UPDATE."""
    if not locked:
        return
    codes_release(locked, now=now)
    ids = [o.pk for o in locked]
    carded = set(
        OrderPayment.objects.filter(order__in=ids, provider=GIFT_CARD_PROVIDER, state=PaymentState.CONFIRMED)
        .values_list("order_id", flat=True)
        .distinct()
    )  # only these have card money to give back: one query instead of one per order
    gift_cards_release(
        [o for o in locked if o.pk in carded], now=now, reason=EXPIRY_REASON, void_issued=False
    )
    sales_release(locked)  # counted in their status (pending) before it changes
    Order.objects.filter(pk__in=ids).update(status=OrderStatus.EXPIRED)
    moved = {"status": [OrderStatus.PENDING, OrderStatus.EXPIRED]}
    record_bulk(Order, locked, action="changed", changes=moved)  # the UPDATE bypasses the model signals
    for order in locked:
        order.status = OrderStatus.EXPIRED
    orders_expired(locked, now=now)


def order_mark_expired(*, order: Order, now: datetime) -> Order:
    """A pending order expires now, whatever its deadline (409 ``order_state`` otherwise)."""
    with locking_transaction():
        locked = order_locked(order)
        if locked.status != OrderStatus.PENDING:
            raise OrderStateError(f"The order is {locked.status}, not pending.", status=locked.status)
        orders_expire([locked], now=now)
    return locked


# --- extend and revive ---------------------------------------------------------------------------


def order_extend(*, order: Order, expires: datetime, now: datetime, force: bool = False) -> Order:
    """A pending order's deadline becomes ``expires``; an expired order is revived (:func:`order_revive`)
    and is pending with that deadline. 400 naming ``expires`` when it is not after ``now``, 400 naming
    ``force`` for ``force`` (quotas are never ignored); 409 ``order_state`` for a paid or canceled order."""
    if force:
        reason = "Not supported: an order is only extended when its quotas have room (it is never oversold)."
        raise ValidationError({"force": [reason]})
    if expires <= now:
        raise ValidationError({"expires": ["The new payment deadline must be in the future."]})
    with locking_transaction():
        locked = order_locked(order)
        before, revived = locked.expires, locked.status == OrderStatus.EXPIRED
        if revived:
            order_revive(locked, now=now)
        elif locked.status != OrderStatus.PENDING:
            raise OrderStateError(
                f"The order is {locked.status}: only a pending or expired order gets a new deadline.",
                status=locked.status,
            )
        locked.expires = expires
        locked.save(update_fields=["status", "expires"])
        if not revived:  # a revived order announced its reactivation (with its new status)
            deadline_changed(locked, before=before, now=now)
    return locked


@dataclass(frozen=True)
class Revival:
    """An expired order's rows as the room rule reads them (``orders.checkout.check.RoomInputs``), read
    under the locks: every position taken anew and checked."""

    membership: list[list[int]]
    checked: frozenset[int]
    taking: frozenset[int]
    limited: list[Quota]
    counts: Counts
    blocking: dict[int, int]
    found: dict[str, FoundCode]


def order_revive(locked: Order, *, now: datetime) -> None:
    """The expired order (locked by the caller) takes its places and code uses again and becomes pending;
    the caller sets its ``expires`` and saves it.

    Its positions that are not canceled need room in their limited quotas by the checkout's rule, as an
    order taking places anew: what pending and paid orders have sold, what other unexpired carts hold, and
    what blocking vouchers hold (a position carrying a blocking voucher takes the place its voucher holds).
    Its reversed redemptions need their uses back: each code's remaining uses (less what carts hold, as
    the checkout counts them), a voucher's budget, a series' tickets. Refused: :class:`ReviveRefused`
    (409 ``quota_exceeded``/``no_quota``) or :class:`ReviveCodeRefused`, and nothing has changed. Gift card
    money given back at expiry is not taken again.
    """
    if locked.status != OrderStatus.EXPIRED:
        raise OrderStateError(f"The order is {locked.status}, not expired.", status=locked.status)
    event = locked.event
    rows = list(
        locked.positions.filter(canceled=False)
        .order_by("positionid")
        .values_list("positionid", "item_id", "variation_id", "subevent_id", "voucher_id")
    )
    specs = [
        PositionSpec(item=item, variation=variation, subevent=subevent)
        for _, item, variation, subevent, _ in rows
    ]
    quotas, membership = quota_membership(event, specs)
    to_check = {q for quota_ids in membership for q in quota_ids if quotas[q].size is not None}
    redemptions = list(Redemption.objects.filter(order=locked, reversed=True).order_by("id"))
    coded = [r for r in redemptions if r.voucher_id or r.coupon_id]
    carried = {row[4] for row in rows if row[4]}
    blocking_ids = blocking_voucher_ids([event.pk], now=now) if to_check else []

    # The locks, after the order's: its limited quotas, then its codes (vouchers, coupons), by id.
    limited = quotas_lock(to_check)
    voucher_ids = carried | {r.voucher_id for r in coded if r.voucher_id}
    coupon_ids = {r.coupon_id for r in coded if r.coupon_id}
    code_ids_lock(voucher_ids, coupon_ids)
    vouchers = {v.pk: v for v in Voucher.objects.filter(pk__in=voucher_ids)}  # fresh, under their locks
    coupons = organizer_coupons(organizer_id=event.organizer_id, event_id=event.pk).filter(pk__in=coupon_ids)
    coupons = {c.pk: c for c in coupons}
    counts = count_taken(
        quota_ids=[q.pk for q in limited],
        voucher_ids=sorted({r.voucher_id for r in coded if r.voucher_id in vouchers}),
        coupon_ids=sorted(c.pk for c in coupons.values() if limits_orders(c)),
        now=now,
        blocking_vouchers=blocking_ids,
    )
    # The positions with the vouchers they carry, by text, as the checkout's positions carry them.
    texts = {pk: v.code.upper() for pk, v in vouchers.items() if pk in carried}
    specs = [replace(spec, voucher=texts.get(row[4])) for spec, row in zip(specs, rows, strict=True)]
    everything = frozenset(range(len(specs)))
    revival = Revival(
        membership=membership, checked=everything, taking=everything, limited=limited, counts=counts,
        blocking=count_blocking_vouchers(limited, now=now) if limited and blocking_ids else {},
        found={text: FoundCode(voucher=vouchers[pk], coupon=None, voucher_elsewhere=False)
               for pk, text in texts.items()},
    )  # fmt: skip
    codes = [room_code(vouchers[pk], blocking=pk in blocking_ids) for pk in texts]
    try:
        check_rooms(revival, AppliedCodes(positions=specs, codes=codes))
    except ConflictError as exc:
        context = dict(exc.context)
        if "position" in context:  # an index among the positions checked: the order's own number
            context["position"] = rows[context["position"]][0]
        raise ReviveRefused(exc.detail, code=exc.code, **context) from None
    for redemption in coded:
        check_revived_uses(redemption, vouchers=vouchers, coupons=coupons, counts=counts)

    record_sales(positions_sold(((p.item, p.variation, p.subevent) for p in specs), OrderStatus.PENDING))
    if redemptions:
        Redemption.objects.filter(pk__in=[r.pk for r in redemptions]).update(reversed=False, reversed_at=None)
    code_uses_record(
        event_id=locked.event_id,
        uses=[use_of(r) for r in coded if (r.voucher_id in vouchers) or (r.coupon_id in coupons)],
    )
    locked.status = OrderStatus.PENDING
    order_reactivated(locked, was=OrderStatus.EXPIRED, now=now)
    if redemptions:
        codes_redeemed(locked, redemptions, now=now)


def room_code(voucher: Voucher, *, blocking: bool) -> ResolvedCode:
    """What the room rule reads of a voucher a position carries: whether it lets the position ignore the
    quota, and whether it holds the position's place (only a voucher that blocks quota now does)."""
    return ResolvedCode(
        kind=CodeKind.VOUCHER, id=voucher.pk, code=voucher.code.upper(), mode=voucher.price_mode,
        value=voucher.value, quota_id=voucher.quota_id, block_quota=voucher.block_quota and blocking,
        allow_ignore_quota=voucher.allow_ignore_quota,
    )  # fmt: skip


def check_revived_uses(
    redemption: Redemption, *, vouchers: dict[int, Voucher], coupons: dict[int, Coupon], counts: Counts
) -> None:
    """The code of a reversed redemption still has what the redemption takes again (its rows read under
    their locks; uses other unexpired carts hold are not available, as in the checkout)."""
    if redemption.voucher_id:
        voucher = vouchers.get(redemption.voucher_id)
        if voucher is None:
            return
        left = voucher.max_usages - voucher.redeemed
        held = counts.held_vouchers.get(voucher.pk, 0)
        refuse_uses(redemption, needed=redemption.uses, left=left, held=held)
        budget = voucher.budget_remaining
        if budget is not None and redemption.budget_spent > budget:
            raise refusal(CodeErrorCode.BUDGET_EXHAUSTED, redemption)
        return
    coupon = coupons.get(redemption.coupon_id)
    if coupon is None:
        return
    held = counts.held_coupons.get(coupon.pk, 0)
    refuse_uses(redemption, needed=1, left=coupon_uses_unheld(coupon), held=held)
    tickets = remaining(coupon.series.max_tickets, coupon.used_tickets)
    if tickets is not None and redemption.tickets > tickets:
        raise refusal(CodeErrorCode.EXHAUSTED, redemption)


def refuse_uses(redemption: Redemption, *, needed: int, left: int | None, held: int) -> None:
    """``exhausted`` when fewer than ``needed`` uses are left at all, ``held_in_other_cart`` when the
    uses left are there only counting those carts hold (the checkout's distinction)."""
    if left is None:
        return
    if needed > left:
        raise refusal(CodeErrorCode.EXHAUSTED, redemption)
    if needed > left - held:
        raise refusal(CodeErrorCode.HELD_IN_OTHER_CART, redemption)


def refusal(reason: CodeErrorCode, redemption: Redemption) -> ReviveCodeRefused:
    kind = CodeKind(redemption.kind)
    return ReviveCodeRefused(
        reason, kind=kind.value, code_text=redemption.code,
        detail=f"The order cannot be revived: its code {redemption.code} no longer has the uses it needs "
        f"({reason.value}).",
    )  # fmt: skip

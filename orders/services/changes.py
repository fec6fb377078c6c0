"""Changing an order's positions (pretix's ``POST orders/<code>/change/``), and previewing the change.

A change cancels positions (their add-ons and bundled positions with them), adds positions (on their
own or as add-ons of a position of the order) and patches positions (item, variation, date, or a manual
price). It runs through the one checkout path (mode ``CHANGE``, ``orders.checkout.change``) under the
same locks: the order, then quotas, codes, gift cards. The positions that stay hold their places; new
and patched ones need room (409 ``quota_exceeded``, nothing changes); rules and the order's codes price
the order as it will be (a position with a manual price keeps it; a ``price`` in a patch sets one), and
the codes' limits are checked with the order's own uses given back.

Then the money: the new total against what was paid (``orders.payments``). A paid order that now owes
more is pending again with a new payment deadline from the event's payment terms; a pending order its
payments now cover becomes paid; whatever was paid beyond the new total is due back
(``payment_balance`` < 0). ``order.changed`` is announced once (and ``code.released`` /
``code.redeemed`` for the code uses that changed), in the change's transaction.

Refused: an order that is not pending or paid (409 ``order_state``); a change that names no position
of the order, or cancels them all (400 naming the field: cancel the order instead); positions that
issue gift cards are not canceled or patched here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction

from core.locks import locking_transaction
from orders.announce import codes_redeemed, codes_released, order_changed, totals
from orders.checkout import run
from orders.checkout.draft import Draft, FeeSpec, OrderChangeSpec, PositionSpec
from orders.checkout.mode import CHANGE
from orders.giftcards import order_gift_cards_issue
from orders.models import LIVE_STATUSES, Order, OrderPosition, OrderStatus, Redemption
from orders.payments import order_net_paid, order_payment_deadline
from orders.sales import order_status_moved
from orders.services.orders import OrderStateError, order_locked, order_settle
from vouchers.choices import CodeKind

T = TypeVar("T")

#: What a patch may change of a position.
PATCHABLE = ("item", "variation", "subevent", "price")


@dataclass(frozen=True)
class NewPosition:
    """A position to add; ``addon_to``: the ``positionid`` of the order's position it is an add-on to;
    ``price``: a manual price."""

    item: int
    variation: int | None = None
    subevent: int | None = None
    addon_to: int | None = None
    price: Decimal | None = None


@dataclass(frozen=True)
class PositionPatch:
    """What changes of the position ``position`` (its ``positionid``): some of ``item``, ``variation``,
    ``subevent`` (None: none) and ``price`` (a manual price)."""

    position: int
    values: Mapping[str, Any]


@dataclass(frozen=True)
class OrderChange:
    """``cancel``: ``positionid`` values; ``create`` and ``patch``: see their classes."""

    cancel: tuple[int, ...] = ()
    create: tuple[NewPosition, ...] = ()
    patch: tuple[PositionPatch, ...] = ()


@dataclass(frozen=True)
class ChangeResult:
    """The order as changed (locked; its ``position_list`` the live positions), its status and totals
    before, and the ``positionid`` of the positions added, canceled (add-ons included) and changed."""

    order: Order
    before: dict
    added: list[int] = field(default_factory=list)
    canceled: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)


def order_change(*, order: Order, change: OrderChange, now: datetime) -> ChangeResult:
    """Change the order (see the module's docstring) in one transaction; the first refusal changes
    nothing."""
    with locking_transaction():
        return apply_change(order, change, now=now)


def order_change_preview(
    *, order: Order, change: OrderChange, now: datetime, read: Callable[[ChangeResult], T]
) -> T:
    """What :func:`order_change` would do, read by ``read`` from the changed rows inside the change's
    transaction, which is then rolled back: nothing is stored, counted, redeemed or announced. It is
    refused as the change would be."""
    with locking_transaction():
        answer = read(apply_change(order, change, now=now))
        transaction.set_rollback(True)
    return answer


def refused(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: [message]})


def apply_change(order: Order, change: OrderChange, *, now: datetime) -> ChangeResult:
    locked = order_locked(order)
    if locked.status not in LIVE_STATUSES:
        raise OrderStateError(
            f"The order is {locked.status}: only a pending or paid order changes.", status=locked.status
        )
    if not (change.cancel or change.create or change.patch):
        raise refused(
            "non_field_errors",
            "Nothing to change: send cancel_positions, create_positions or patch_positions.",
        )
    rows = list(locked.positions.select_related("item", "voucher").order_by("positionid"))
    live = {row.positionid: row for row in rows if not row.canceled}
    canceled = canceled_rows(change.cancel, live)
    staying = [row for row in live.values() if row.pk not in canceled]
    if not staying:
        raise refused(
            "cancel_positions",
            "A change cannot cancel every position of the order: cancel the order (mark_canceled) instead.",
        )
    patches = checked_patches(change.patch, live, canceled)
    specs, patched = staying_specs(staying, patches)
    specs += new_specs(change.create, specs, live)

    before = totals(locked)
    redemptions_before = list(Redemption.objects.filter(order=locked, reversed=False).order_by("id"))
    coupons = [r.code for r in redemptions_before if r.kind != CodeKind.VOUCHER and r.coupon_id]
    fees = tuple(
        FeeSpec(fee_type=f.fee_type, value=f.value, description=f.description, internal_type=f.internal_type)
        for f in locked.fees.filter(canceled=False).order_by("id")
    )
    draft = Draft(
        event=locked.event, sales_channel=locked.sales_channel, email=locked.email, name=locked.name,
        positions=tuple(specs), codes=tuple(dict.fromkeys(coupons)), fees=fees,
        change=OrderChangeSpec(
            order=locked,
            held=tuple(PositionSpec(item=r.item_id, variation=r.variation_id, subevent=r.subevent_id)
                       for r in live.values()),
            rows=live, patched=frozenset(patched), canceled=tuple(sorted(canceled)),
            last_positionid=max(r.positionid for r in rows),
        ),
    )  # fmt: skip
    run(draft, mode=CHANGE, now=now)  # stores on ``locked`` (``orders.checkout.change.commit_change``)
    new_rows = locked.new_position_list
    settle_money(locked, new_rows, now=now)
    result = ChangeResult(
        order=locked, before=before, added=[r.positionid for r in new_rows],
        canceled=sorted(pid for pid, row in live.items() if row.pk in canceled),
        changed=sorted({p.position for p in change.patch}),
    )  # fmt: skip
    announce_change(result, redemptions_before, now=now)
    if locked.status == OrderStatus.PENDING and order_net_paid(locked) >= locked.total:
        order_settle(locked, now=now)  # announces order.paid (after order.changed) and issues gift cards
    elif locked.status == OrderStatus.PAID:
        issue_gift_cards(locked, new_rows, now=now)
    return result


def canceled_rows(cancel: Sequence[int], live: dict[int, OrderPosition]) -> set[int]:
    """The primary keys of the positions canceled: those named, with their add-ons and bundled positions."""
    if len(set(cancel)) != len(cancel):
        raise refused("cancel_positions", "A position is named more than once.")
    named = set()
    for positionid in cancel:
        row = live.get(positionid)
        if row is None:
            raise refused("cancel_positions", f"The order has no position {positionid} that is not canceled.")
        if row.is_bundled:
            raise refused(
                "cancel_positions",
                f"Position {positionid} is bundled: it is canceled with the one it belongs to.",
            )
        if row.item.issues_gift_card:
            raise refused(
                "cancel_positions",
                f"Position {positionid} issues a gift card: it is not canceled alone (cancel the order).",
            )
        named.add(row.pk)
    children = {row.pk for row in live.values() if row.addon_to_id in named}
    grandchildren = {row.pk for row in live.values() if row.addon_to_id in children}
    return named | children | grandchildren


def checked_patches(
    patch: Sequence[PositionPatch], live: dict[int, OrderPosition], canceled: set[int]
) -> dict[int, Mapping[str, Any]]:
    if len({p.position for p in patch}) != len(patch):
        raise refused("patch_positions", "A position is named more than once.")
    patches = {}
    for one in patch:
        row = live.get(one.position)
        if row is None or row.pk in canceled:
            raise refused(
                "patch_positions", f"The order has no position {one.position} that stays (not canceled)."
            )
        if not one.values:
            raise refused("patch_positions", f"Nothing to change of position {one.position}.")
        if row.is_bundled:
            raise refused(
                "patch_positions", f"Position {one.position} is bundled: it changes with its bundle."
            )
        if row.item.issues_gift_card:
            raise refused(
                "patch_positions", f"Position {one.position} issues a gift card: it is not changed."
            )
        moves = any(key in one.values for key in ("item", "variation", "subevent"))
        if moves and any(r.addon_to_id == row.pk and r.is_bundled for r in live.values()):
            raise refused(
                "patch_positions",
                f"Position {one.position} has bundled positions: its item, variation and date stay.",
            )
        patches[one.position] = one.values
    return patches


def staying_specs(
    staying: list[OrderPosition], patches: dict[int, Mapping[str, Any]]
) -> tuple[list[PositionSpec], set[int]]:
    """The positions that stay as the checkout reads them (``ref``: their ``positionid``; their list price
    kept unless their item, variation or date change), and the ``positionid`` of those that move."""
    index = {row.pk: i for i, row in enumerate(staying)}
    specs, patched = [], set()
    for row in staying:
        values = patches.get(row.positionid, {})
        item = values.get("item", row.item_id)
        # A new item drops the old item's variation unless the patch names one.
        variation = values.get("variation", row.variation_id if item == row.item_id else None)
        subevent = values.get("subevent", row.subevent_id)
        moves = (item, variation, subevent) != (row.item_id, row.variation_id, row.subevent_id)
        if moves:
            patched.add(row.positionid)
        price = (
            values["price"] if values.get("price") is not None else (row.price if row.price_manual else None)
        )
        voucher = row.voucher.code.upper() if row.voucher is not None and price is None else None
        specs.append(PositionSpec(
            item=item, variation=variation, subevent=subevent,
            addon_to=index[row.addon_to_id] if row.addon_to_id is not None else None,
            is_bundled=row.is_bundled, voucher=voucher, ref=row.positionid, price=price,
            list_price=None if moves else row.list_price,
        ))  # fmt: skip
    return specs, patched


def new_specs(
    create: Sequence[NewPosition], staying: list[PositionSpec], live: dict[int, OrderPosition]
) -> list[PositionSpec]:
    index = {spec.ref: i for i, spec in enumerate(staying)}
    specs = []
    for number, new in enumerate(create):
        parent = None
        if new.addon_to is not None:
            parent = index.get(new.addon_to)
            if parent is None or staying[parent].addon_to is not None:
                raise refused(
                    "create_positions",
                    f"Position {number}: addon_to must be a position of the order that stays and is not "
                    "itself an add-on.",
                )
        specs.append(PositionSpec(
            item=new.item, variation=new.variation, subevent=new.subevent, addon_to=parent, price=new.price,
        ))  # fmt: skip
    return specs


def settle_money(locked: Order, new_rows: list[OrderPosition], *, now: datetime) -> None:
    """A paid order that now owes more than was paid is pending again, with a new payment deadline."""
    if locked.status != OrderStatus.PAID or order_net_paid(locked) >= locked.total:
        return
    order_status_moved(locked, OrderStatus.PAID, OrderStatus.PENDING)
    locked.status = OrderStatus.PENDING
    locked.paid_at = None
    locked.expires = order_payment_deadline(locked, now=now)
    locked.save(update_fields=["status", "paid_at", "expires"])


def issue_gift_cards(locked: Order, new_rows: list[OrderPosition], *, now: datetime) -> None:
    issuing = [r for r in new_rows if r.item_id in set(
        OrderPosition.objects.filter(pk__in=[r.pk for r in new_rows], item__issues_gift_card=True)
        .values_list("item_id", flat=True)
    )]  # fmt: skip
    if issuing:
        event = locked.event
        order_gift_cards_issue(
            locked, issuing, organizer_id=event.organizer_id, currency=event.currency, now=now
        )


def announce_change(result: ChangeResult, before: list[Redemption], *, now: datetime) -> None:
    """``order.changed``; ``code.released`` for the code uses the order no longer has, ``code.redeemed``
    for those it took anew (a code used as before announces nothing)."""
    order = result.order
    order_changed(
        order, before=result.before, added=result.added, canceled=result.canceled, changed=result.changed,
        now=now,
    )  # fmt: skip

    def key(r: Redemption) -> tuple:
        return (r.kind, r.code, r.uses, r.tickets, r.discount)

    after = order.redemption_list
    kept = Counter(key(r) for r in after) & Counter(key(r) for r in before)
    left, taken = Counter(kept), Counter(kept)
    released = []
    for r in before:
        if left[key(r)]:
            left[key(r)] -= 1
        else:
            released.append(r)
    redeemed = []
    for r in after:
        if taken[key(r)]:
            taken[key(r)] -= 1
        else:
            redeemed.append(r)
    if released:
        codes_released([order], released, now=now)
    if redeemed:
        codes_redeemed(order, redeemed, now=now)

"""Giving back what live orders hold, when they expire or are canceled: their positions stop counting
against quotas, their codes' uses go back (redemptions marked reversed), and what gift cards paid
returns to the cards (less what a cancellation fee keeps).

For a batch of orders (the expiry task) each kind of row is locked once for the whole batch, in the
lock order (``core.locks``): codes, then gift cards, each by primary key; the sales counts change in
one statement. The caller holds the orders' locks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db.models import Count

from orders.announce import codes_released
from orders.giftcards import CardRefund, order_gift_cards_refund
from orders.models import (
    GIFT_CARD_PROVIDER,
    Order,
    OrderPayment,
    OrderPosition,
    PaymentState,
    Redemption,
)
from orders.payments import payment_refundable
from orders.sales import ProductKey, product_key, record_sales
from vouchers.choices import CodeKind
from vouchers.services.giftcards import lock_cards
from vouchers.services.usage import CodeUse, code_ids_lock, code_uses_release

ZERO = Decimal("0")


def codes_release(orders: Sequence[Order], *, now: datetime) -> None:
    """The orders' code uses go back; their redemptions are marked reversed."""
    redemptions = list(
        Redemption.objects.filter(order__in=[o.pk for o in orders], reversed=False).order_by("order_id", "id")
    )
    if not redemptions:
        return
    coded = [r for r in redemptions if r.voucher_id or r.coupon_id]
    code_ids_lock(
        {r.voucher_id for r in coded if r.voucher_id}, {r.coupon_id for r in coded if r.coupon_id}
    )  # the whole batch's codes at once, by primary key
    by_order: dict[int, list[CodeUse]] = {}
    for r in coded:
        by_order.setdefault(r.order_id, []).append(use_of(r))
    events = {o.pk: o.event_id for o in orders}
    for order_id, uses in by_order.items():
        code_uses_release(event_id=events[order_id], uses=uses)
    Redemption.objects.filter(pk__in=[r.pk for r in redemptions]).update(reversed=True, reversed_at=now)
    codes_released(orders, redemptions, now=now)


def sales_release(orders: Sequence[Order], *, positions: Sequence[int] | None = None) -> None:
    """The orders' positions (or only ``positions``, by id) that are not canceled stop counting in
    their order's status (one statement for the batch)."""
    rows = OrderPosition.objects.filter(order__in=[o.pk for o in orders], canceled=False)
    if positions is not None:
        rows = rows.filter(pk__in=positions)
    counts = (
        rows.values("order_id", "item_id", "variation_id", "subevent_id").annotate(n=Count("id")).order_by()
    )
    status = {o.pk: o.status for o in orders}
    changes: Counter[ProductKey] = Counter()
    for row in counts:
        key = product_key(row["item_id"], row["variation_id"], row["subevent_id"], status[row["order_id"]])
        changes[key] -= row["n"]
    record_sales(changes)


def gift_card_payments(order: Order) -> list[OrderPayment]:
    """The order's gift card payments with something left to give back, last first."""
    rows = OrderPayment.objects.filter(
        order=order, provider=GIFT_CARD_PROVIDER, state=PaymentState.CONFIRMED
    ).order_by("-local_id")
    return list(rows)


def gift_cards_release(
    orders: Sequence[Order],
    *,
    now: datetime,
    reason: str,
    void_issued: bool,
    keep: dict[int, Decimal] | None = None,
) -> None:
    """Give what the orders' gift cards paid back to the cards; ``keep``: by order id, an amount the
    cards' payments keep (a cancellation fee that other payments do not cover), taken from the last
    payment first. With ``void_issued`` the cards the orders issued are voided."""
    keep = keep or {}
    plans: list[tuple[Order, list[CardRefund]]] = []
    card_ids: set[int] = set()
    for order in orders:
        kept = keep.get(order.pk, ZERO)
        refunds = []
        for payment in gift_card_payments(order):
            left = payment_refundable(payment)
            held = min(left, kept)
            kept -= held
            if left - held > 0:
                refunds.append(CardRefund(payment=payment, amount=left - held))
                card_ids.add(payment.gift_card_id)
        plans.append((order, refunds))
    lock_cards(card_ids)  # the whole batch's cards at once, by primary key
    for order, refunds in plans:
        order_gift_cards_refund(
            order,
            list(reversed(refunds)),
            void_issued=void_issued,
            now=now,
            reason=reason.format(code=order.code),
        )


def use_of(redemption: Redemption) -> CodeUse:
    """What the redemption recorded, for the vouchers app to give back."""
    if redemption.voucher_id:
        return CodeUse(
            kind=CodeKind.VOUCHER, code_id=redemption.voucher_id, uses=redemption.uses,
            tickets=redemption.tickets, budget=redemption.budget_spent,
        )  # fmt: skip
    return CodeUse(
        kind=CodeKind(redemption.kind), code_id=redemption.coupon_id, uses=redemption.uses,
        tickets=redemption.tickets, deactivates=redemption.deactivated_code,
    )  # fmt: skip

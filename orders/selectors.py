"""Reads of the orders app: priced carts and price previews (through the one checkout path), and orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import models
from django.db.models import Prefetch, QuerySet

from notifications.models import Notification
from orders.checkout import run
from orders.checkout.check import check
from orders.checkout.draft import Draft, PositionSpec
from orders.checkout.gather import Gathered, gather
from orders.checkout.mode import PRICE
from orders.checkout.price import PricedView, price
from orders.models import (
    Cart,
    GiftCardIssue,
    Order,
    OrderFee,
    OrderPayment,
    OrderPosition,
    OrderRefund,
    Redemption,
    RedemptionPosition,
)
from ticketing.models import Event, SalesChannel
from vouchers.resolution import CodeError


@dataclass(frozen=True)
class InvalidCode:
    code: str
    error: CodeError


@dataclass(frozen=True)
class StoredCartPrice:
    """A stored cart priced now (the engine's answer is ``view``), and its codes that no longer apply."""

    cart: Cart
    view: PricedView
    invalid_codes: list[InvalidCode]


def priced_cart(cart: Cart, *, now: datetime) -> StoredCartPrice:
    """The cart priced as the checkout would price it now (the path in its pricing mode: its holds
    are not checked again).

    A code that is no longer valid (expired, used up elsewhere …) is left out of the
    price and reported with its error instead of failing the whole read: everything is
    gathered once, then the codes are checked one by one, keeping those that still
    work together. A gift card of the cart that can no longer pay (expired, emptied …) pays
    nothing and is listed there too, with its error.
    """
    draft = Draft(event=cart.event, sales_channel=cart.sales_channel, email=cart.email, cart=cart)
    gathered = gather(draft, mode=PRICE, now=now)
    invalid: list[InvalidCode] = []
    try:
        applied = check(gathered, mode=PRICE)
    except CodeError:
        kept: list[str] = []
        for code in gathered.codes:
            try:
                check(with_only_codes(gathered, [*kept, code]), mode=PRICE)
            except CodeError as exc:
                invalid.append(InvalidCode(code=code, error=exc))
                continue
            kept.append(code)
        applied = check(with_only_codes(gathered, kept), mode=PRICE)
    invalid += [InvalidCode(code=text, error=error) for text, error in applied.refused_gift_cards]
    return StoredCartPrice(cart=cart, view=price(gathered, applied), invalid_codes=invalid)


def with_only_codes(gathered: Gathered, codes: list[str]) -> Gathered:
    """The gathered cart with only ``codes``: positions carrying another code lose it."""
    positions = [
        p if p.voucher is None or p.voucher in codes else replace(p, voucher=None) for p in gathered.positions
    ]
    return replace(gathered, positions=positions, codes=[c for c in gathered.codes if c in codes])


def price_preview(
    *,
    event: Event,
    sales_channel: SalesChannel,
    positions: Sequence[PositionSpec],
    codes: Sequence[str],
    email: str,
    now: datetime,
    gift_cards: Sequence[str] = (),
) -> PricedView:
    """Price positions (``addon_to``: index) and codes as a new cart would be, storing nothing; with
    what ``gift_cards`` would pay."""
    draft = Draft(
        event=event, sales_channel=sales_channel, email=email, positions=tuple(positions), codes=tuple(codes),
        gift_cards=tuple(gift_cards),
    )
    return run(draft, mode=PRICE, now=now).view


def event_carts(event: Event) -> QuerySet[Cart]:
    return Cart.objects.filter(event=event).select_related("sales_channel", "event__organizer")


#: An order's payments, refunds and fees, as ``payment_list``, ``refund_list``, ``fee_list``.
MONEY_ROWS = (
    Prefetch("payments", queryset=OrderPayment.objects.order_by("local_id"), to_attr="payment_list"),
    Prefetch("refunds", queryset=OrderRefund.objects.order_by("local_id"), to_attr="refund_list"),
    Prefetch("fees", queryset=OrderFee.objects.order_by("id"), to_attr="fee_list"),
)

CODE_LINKS = Prefetch("code_links", queryset=RedemptionPosition.objects.all(), to_attr="code_list")


def with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Positions (with their rule and the codes applied to them), redemptions, payments, refunds, fees
    and channel: a fixed number of queries per page."""
    return orders.select_related("sales_channel").prefetch_related(
        Prefetch(
            "positions",
            queryset=OrderPosition.objects.select_related("discount_rule")
            .prefetch_related(CODE_LINKS)
            .order_by("positionid"),
            to_attr="position_list",
        ),
        Prefetch(
            "redemptions",
            queryset=Redemption.objects.order_by("id"),
            to_attr="redemption_list",
        ),
        *MONEY_ROWS,
        Prefetch(
            "gift_card_issues",
            queryset=GiftCardIssue.objects.select_related("gift_card", "position").order_by("id"),
            to_attr="gift_card_issue_list",
        ),
    )


def event_orders(event: Event) -> QuerySet[Order]:
    return with_details(Order.objects.filter(event=event))


def order_notifications(order: Order) -> list[Notification]:
    """What the order announced (``orders.announce``; gift card entries naming it too), oldest first."""
    return list(
        Notification.objects.filter(organizer_id=order.event.organizer_id, order_code=order.code)
        .filter(models.Q(event_id=order.event_id) | models.Q(event__isnull=True))
        .order_by("id")
    )

"""Reads of the orders app: carts as positions to price, priced carts, and orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from orders.availability import check_structure
from orders.catalog import load_catalog, load_rules, with_bundles
from orders.drafts import PositionSpec
from orders.evaluation import PricedView, evaluate, price
from orders.models import Cart, CartCode, Order, OrderPosition, Redemption
from ticketing.models import Event, SalesChannel
from vouchers.resolution import CodeError


@dataclass(frozen=True)
class CartContent:
    positions: list[PositionSpec]  # in cart order, ``ref`` = cart position id
    codes: list[str]  # normalised, in the order applied
    last_positionid: int = 0


def cart_content(cart: Cart) -> CartContent:
    """The cart's positions (bundled ones included) and codes: two queries."""
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
    last = max((row.positionid for row in rows), default=0)
    return CartContent(positions=positions, codes=codes, last_positionid=last)


@dataclass(frozen=True)
class InvalidCode:
    code: str
    error: CodeError


@dataclass(frozen=True)
class PricedCart:
    cart: Cart
    view: PricedView
    invalid_codes: list[InvalidCode]


def priced_cart(cart: Cart, *, now: datetime) -> PricedCart:
    """The cart priced as the checkout would price it now.

    A code that is no longer valid (expired, used up elsewhere …) is left out of the
    price and reported with its error instead of failing the whole read.
    """
    content = cart_content(cart)
    event = cart.event
    catalog = load_catalog(event, content.positions)
    channel = cart.sales_channel.identifier
    rules = load_rules(event)
    codes = list(content.codes)
    positions = list(content.positions)
    invalid: list[InvalidCode] = []

    def attempt(codes_now: list[str], positions_now: list[PositionSpec]):
        return evaluate(
            catalog=catalog, positions=positions_now, codes=codes_now, now=now, channel=channel,
            email=cart.email or None, exclude_cart=cart.pk, check_items=False, quotas=False,
        )  # fmt: skip

    try:
        applied = attempt(codes, positions)
    except CodeError:
        # Find the failing codes one by one, keeping those that still work together.
        kept: list[str] = []
        for code in codes:
            trial_positions = [p if p.voucher in (*kept, code) else _without_voucher(p) for p in positions]
            try:
                attempt([*kept, code], trial_positions)
            except CodeError as exc:
                invalid.append(InvalidCode(code=code, error=exc))
                continue
            kept.append(code)
        positions = [p if p.voucher in kept else _without_voucher(p) for p in positions]
        applied = attempt(kept, positions)
    view = price(catalog=catalog, applied=applied, rules=rules, now=now, channel=channel)
    return PricedCart(cart=cart, view=view, invalid_codes=invalid)


def _without_voucher(spec: PositionSpec) -> PositionSpec:
    return spec if spec.voucher is None else replace(spec, voucher=None)


def event_carts(event: Event) -> QuerySet[Cart]:
    return Cart.objects.filter(event=event).select_related("sales_channel", "event__organizer")


def with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Positions (with their rule), redemptions and channel: a fixed number of queries per page."""
    return orders.select_related("sales_channel").prefetch_related(
        Prefetch(
            "positions",
            queryset=OrderPosition.objects.select_related("discount_rule").order_by("positionid"),
            to_attr="position_list",
        ),
        Prefetch(
            "redemptions",
            queryset=Redemption.objects.order_by("id"),
            to_attr="redemption_list",
        ),
    )


def event_orders(event: Event) -> QuerySet[Order]:
    return with_details(Order.objects.filter(event=event))


def price_preview(
    *,
    event: Event,
    sales_channel: SalesChannel,
    positions: Sequence[PositionSpec],
    codes: Sequence[str],
    email: str,
    now: datetime,
) -> PricedView:
    """Price positions (``addon_to``: index) and codes as a new cart would be, storing nothing."""
    channel = sales_channel.identifier
    check_structure(positions)
    catalog = load_catalog(event, positions)
    applied = evaluate(
        catalog=catalog, positions=with_bundles(positions, catalog), codes=codes, now=now, channel=channel,
        email=email or None,
    )  # fmt: skip
    return price(catalog=catalog, applied=applied, rules=load_rules(event), now=now, channel=channel)

"""Carts: create with positions and codes, add and remove positions, apply and remove codes.

Every change re-evaluates the cart (``orders.evaluation``) before storing
anything, so a stored cart is always one that could be checked out at that
moment; the checkout checks everything again under locks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from config.errors import DomainError
from orders.availability import check_structure
from orders.catalog import bundled_positions, load_catalog, with_bundles
from orders.codes import AppliedCodes
from orders.drafts import PositionSpec
from orders.evaluation import evaluate
from orders.models import Cart, CartCode, CartPosition
from orders.selectors import cart_content
from orders.services.trees import bulk_create_tree
from ticketing.models import Event, SalesChannel
from vouchers.codes import normalise_code
from vouchers.resolution import CodeKind


def cart_lifetime() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "ORDERS_CART_LIFETIME_MINUTES", 30)))


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


def store_positions(
    cart: Cart, positions: Sequence[PositionSpec], applied: AppliedCodes, *, after: int = 0
) -> None:
    """Insert the positions without ``ref`` (new ones), numbered from ``after + 1`` in their order;
    their parents may be stored or new."""
    voucher_ids = {c.code: c.id for c in applied.codes if c.kind == CodeKind.VOUCHER}
    stored = {i: CartPosition(pk=p.ref) for i, p in enumerate(positions) if p.ref is not None}
    new = [i for i, p in enumerate(positions) if p.ref is None]
    # Parents that are already stored become roots of the new subtree.
    local = {old: new_index for new_index, old in enumerate(new)}
    subtree = [
        PositionSpec(
            item=positions[i].item, variation=positions[i].variation, subevent=positions[i].subevent,
            addon_to=local.get(positions[i].addon_to), is_bundled=positions[i].is_bundled,
            voucher=positions[i].voucher,
        )
        for i in new
    ]  # fmt: skip

    def build(index: int, spec: PositionSpec, parent: CartPosition | None) -> CartPosition:
        original = positions[new[index]]
        if parent is None and original.addon_to is not None:
            parent = stored[original.addon_to]
        return CartPosition(
            cart=cart, positionid=after + index + 1, item_id=spec.item, variation_id=spec.variation,
            subevent_id=spec.subevent,
            addon_to=parent, is_bundled=spec.is_bundled, voucher_id=voucher_ids.get(spec.voucher),
        )  # fmt: skip

    bulk_create_tree(CartPosition, subtree, build)


def store_voucher_changes(positions: Sequence[PositionSpec], applied: AppliedCodes) -> None:
    """Stored positions whose voucher the evaluation attached or removed: one UPDATE per voucher."""
    voucher_ids = {c.code: c.id for c in applied.codes if c.kind == CodeKind.VOUCHER}
    changes: dict[int | None, list[int]] = defaultdict(list)
    for before, after in zip(positions, applied.positions, strict=True):
        if after.ref is not None and before.voucher != after.voucher:
            changes[voucher_ids.get(after.voucher) if after.voucher else None].append(after.ref)
    for voucher_id, refs in changes.items():
        CartPosition.objects.filter(pk__in=refs).update(voucher_id=voucher_id)


def store_codes(cart: Cart, applied: AppliedCodes, known: Sequence[str]) -> None:
    CartCode.objects.bulk_create(
        [
            CartCode(
                cart=cart,
                code=code.code,
                voucher_id=code.id if code.kind == CodeKind.VOUCHER else None,
                coupon_id=None if code.kind == CodeKind.VOUCHER else code.id,
            )
            for code in applied.codes
            if code.code not in known
        ]
    )


@transaction.atomic
def cart_create(
    *,
    event: Event,
    sales_channel: SalesChannel,
    positions: Sequence[PositionSpec],
    codes: Sequence[str] = (),
    email: str = "",
    now: datetime,
) -> Cart:
    """A new cart holding ``positions`` (``addon_to``: index in the list) with ``codes`` applied."""
    check_structure(positions)
    catalog = load_catalog(event, positions)
    expanded = with_bundles(positions, catalog)
    if expanded or codes:
        applied = evaluate(
            catalog=catalog, positions=expanded, codes=codes, now=now, channel=sales_channel.identifier,
            email=email or None,
        )  # fmt: skip
    else:
        applied = AppliedCodes(positions=[], codes=[])  # an empty cart, filled later
    cart = Cart.objects.create(
        event=event, sales_channel=sales_channel, email=email, created=now, expires=now + cart_lifetime()
    )
    store_positions(cart, applied.positions, applied)
    store_codes(cart, applied, known=())
    return cart


@transaction.atomic
def cart_position_add(*, cart: Cart, position: PositionSpec, addon_to: int | None, now: datetime) -> Cart:
    """Add one position (``addon_to``: id of a position of this cart) and the bundles it includes."""
    content = cart_content(cart)
    existing = content.positions
    parent_index = None
    if addon_to is not None:
        parent_index = next((i for i, p in enumerate(existing) if p.ref == addon_to), None)
        if parent_index is None:
            raise DomainError("The cart has no such position to add to.", code="addon_parent_invalid")
    spec = PositionSpec(
        item=position.item, variation=position.variation, subevent=position.subevent,
        addon_to=parent_index, voucher=normalise_code(position.voucher) if position.voucher else None,
    )  # fmt: skip
    catalog = load_catalog(cart.event, [*existing, spec])
    combined = [*existing, spec, *bundled_positions(spec, len(existing), catalog)]
    codes = list(content.codes)
    applied = evaluate(
        catalog=catalog, positions=combined, codes=codes, now=now, channel=cart.sales_channel.identifier,
        email=cart.email or None, exclude_cart=cart.pk, new=range(len(existing), len(combined)),
    )  # fmt: skip
    store_voucher_changes(combined, applied)
    store_positions(cart, applied.positions, applied, after=content.last_positionid)
    store_codes(cart, applied, known=codes)
    cart.expires = now + cart_lifetime()
    cart.save(update_fields=["expires"])
    return cart


@transaction.atomic
def cart_position_delete(*, cart: Cart, position_id: int) -> None:
    """Remove a position with its add-ons and bundled positions; a voucher no position carries
    any more leaves the cart."""
    position = cart.positions.filter(pk=position_id).first()
    if position is None:
        raise NotFound("The cart has no such position.", code="not_found")
    if position.is_bundled:
        raise DomainError(
            "A bundled position goes with its parent: remove the parent instead.", code="position_bundled"
        )
    position.delete()
    carried = CartPosition.objects.filter(cart=cart, voucher__isnull=False).values("voucher_id")
    cart.codes.filter(voucher__isnull=False).exclude(voucher_id__in=carried).delete()


@transaction.atomic
def cart_code_apply(*, cart: Cart, code: str, now: datetime) -> Cart:
    """Apply a code to the cart: a voucher is attached to the positions it may change; a coupon or
    promo code applies to the cart as a whole. A refused code is a 400 with its stable code."""
    text = normalise_code(code)
    content = cart_content(cart)
    if text in content.codes:
        return cart
    catalog = load_catalog(cart.event, content.positions)
    applied = evaluate(
        catalog=catalog, positions=content.positions, codes=[*content.codes, text], now=now,
        channel=cart.sales_channel.identifier, email=cart.email or None, exclude_cart=cart.pk,
        check_items=False, quotas=False,
    )  # fmt: skip
    store_voucher_changes(content.positions, applied)
    store_codes(cart, applied, known=content.codes)
    return cart


@transaction.atomic
def cart_code_remove(*, cart: Cart, code: str) -> None:
    text = normalise_code(code)
    row = cart.codes.filter(code=text).first()
    if row is None:
        raise NotFound("This code is not applied to the cart.", code="not_found")
    if row.voucher_id is not None:
        cart.positions.filter(voucher_id=row.voucher_id).update(voucher=None)
    row.delete()


def cart_delete(*, cart: Cart) -> None:
    cart.delete()

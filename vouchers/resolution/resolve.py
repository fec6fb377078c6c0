"""One service that turns a typed code into what pricing needs, or a stable error.

``resolve_code`` is called by the public code lookup (without a cart) and by the
checkout (with a cart summary) for every kind of code. Checks run in a fixed
order and the first failing one is raised, so a code that is both expired and
exhausted always reports ``expired``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ticketing.models import Event, Organizer
from vouchers.cart_holds import code_holds
from vouchers.choices import CodeKind
from vouchers.codes import normalise_code
from vouchers.models import Coupon, DiscountType, SeriesKind, Voucher
from vouchers.resolution.lookup import (
    FoundCode,
    coupon_scope,
    coupon_unlocks,
    find_code,
    find_codes,
    refuses_company,
    voucher_scope,
)
from vouchers.resolution.types import (
    CartLineSummary,
    CartSummary,
    CodeError,
    CodeErrorCode,
    ResolvedCode,
)


def resolve_code(
    *,
    organizer: Organizer,
    event: Event | None,
    code: str,
    now: datetime,
    cart: CartSummary | None = None,
    customer_email: str | None = None,
    other_codes: Iterable[str] = (),
    held_elsewhere: int = 0,
) -> ResolvedCode:
    """Resolve ``code`` for ``event`` at ``now``, or raise :class:`CodeError`.

    - ``event`` None: only organizer-wide codes can match and the event is not checked.
    - ``cart`` None: the cart-dependent checks (items, cart size, ``min_usages``) are skipped.
    - ``customer_email`` (or ``cart.email``) is checked against a coupon's customer when known;
      with a cart and no email a customer-bound coupon is refused.
    - ``other_codes``: the other codes in the cart, for ``not_combinable``.
    - ``held_elsewhere``: uses held by other unexpired carts (subtracted from the remaining uses;
      a code whose every remaining use is held is refused with ``held_in_other_cart``).
    """
    event_id = event.pk if event else None
    text = normalise_code(code)
    found = find_code(organizer_id=organizer.pk, event_id=event_id, code=text)
    email = customer_email if customer_email is not None else (cart.email if cart else None)
    resolved = resolve_found(
        found, event=event, now=now, held_elsewhere=held_elsewhere, email=email, has_cart=cart is not None
    )
    if cart is not None:
        check_cart(resolved, cart=cart, event_id=event_id)
    others = {normalise_code(other) for other in other_codes} - {text, ""}
    if others:
        rows = find_codes(organizer_id=organizer.pk, event_id=event_id or 0, codes=others)
        check_combination(resolved, others=list(rows.values()))
    return resolved


@dataclass(frozen=True)
class CodeInspection:
    """What the public lookup needs: the matched rows and either the resolved code or why it is refused."""

    found: FoundCode
    resolved: ResolvedCode | None
    error: CodeError | None


def inspect_code(*, organizer_id: int, event: Event | None, code: str, now: datetime) -> CodeInspection:
    """The checks of :func:`resolve_code` that need no cart, without raising (for the public lookup).

    Uses held by unexpired carts count as taken (``vouchers.cart_holds``).

    ``organizer_id`` may be 0 (an unknown organizer): the same lookups run and find nothing.
    """
    found = find_code(
        organizer_id=organizer_id, event_id=event.pk if event else None, code=normalise_code(code)
    )
    held = code_holds(found.row, now=now)
    if found.coupon is None:
        coupon_unlocks(None)  # the query resolving a coupon runs, so that a miss costs what a hit does
    try:
        resolved = resolve_found(found, event=event, now=now, held_elsewhere=held, email=None, has_cart=False)
    except CodeError as error:
        return CodeInspection(found=found, resolved=None, error=error)
    return CodeInspection(found=found, resolved=resolved, error=None)


def resolve_found(
    found: FoundCode,
    *,
    event: Event | None,
    now: datetime,
    held_elsewhere: int,
    email: str | None,
    has_cart: bool,
) -> ResolvedCode:
    """The checks that depend on the code alone (and the event), in their fixed order."""
    if found.voucher is not None:
        return resolve_voucher(found.voucher, now=now, held_elsewhere=held_elsewhere)
    if found.coupon is not None:
        return resolve_coupon(
            found.coupon, event=event, now=now, held_elsewhere=held_elsewhere, email=email, has_cart=has_cart
        )
    if found.voucher_elsewhere:
        raise CodeError(CodeErrorCode.NOT_VALID_FOR_EVENT, kind=CodeKind.VOUCHER.value)
    raise CodeError(CodeErrorCode.INVALID)


def fail(reason: CodeErrorCode, kind: CodeKind) -> None:
    raise CodeError(reason, kind=kind.value)


def check_dates(valid_from, valid_until, now: datetime, kind: CodeKind) -> None:
    if valid_from is not None and now < valid_from:
        fail(CodeErrorCode.NOT_YET_VALID, kind)
    if valid_until is not None and now > valid_until:
        fail(CodeErrorCode.EXPIRED, kind)


def check_uses(unheld: int | None, held_elsewhere: int, kind: CodeKind) -> int | None:
    """The uses left after other carts' holds: ``exhausted`` when none is left at all,
    ``held_in_other_cart`` when the last ones are held by carts not yet checked out."""
    if unheld is None:
        return None
    if unheld <= 0:
        fail(CodeErrorCode.EXHAUSTED, kind)
    if unheld - held_elsewhere <= 0:
        fail(CodeErrorCode.HELD_IN_OTHER_CART, kind)
    return unheld - held_elsewhere


def resolve_voucher(voucher: Voucher, *, now: datetime, held_elsewhere: int) -> ResolvedCode:
    kind = CodeKind.VOUCHER
    check_dates(voucher.valid_from, voucher.valid_until, now, kind)
    uses = check_uses(voucher.max_usages - voucher.redeemed, held_elsewhere, kind)
    budget = voucher.budget_remaining
    if budget is not None and budget <= 0:
        fail(CodeErrorCode.BUDGET_EXHAUSTED, kind)
    scope = voucher_scope(voucher)
    return ResolvedCode(
        kind=kind,
        id=voucher.pk,
        code=voucher.code,
        mode=voucher.price_mode,
        value=voucher.value,
        budget_remaining=budget,
        uses_remaining=uses,
        min_positions=max(1, voucher.min_usages - voucher.redeemed),
        event_ids=scope.event_ids,
        item_ids=scope.item_ids,
        variation_ids=scope.variation_ids,
        subevent_id=voucher.subevent_id,
        quota_id=voucher.quota_id,
        block_quota=voucher.block_quota,
        allow_ignore_quota=voucher.allow_ignore_quota,
        all_addons_included=voucher.all_addons_included,
        all_bundles_included=voucher.all_bundles_included,
        unlocks_hidden_items=voucher.show_hidden_items,
        can_be_combined=True,
        tags=(voucher.tag,) if voucher.tag else (),
        valid_from=voucher.valid_from,
        valid_until=voucher.valid_until,
    )


def remaining(limit: int | None, used: int) -> int | None:
    return None if limit is None else limit - used


def coupon_uses_unheld(coupon: Coupon) -> int | None:
    """Orders the coupon may still be used in, before holds (None: unlimited)."""
    series = coupon.series
    limits = [
        remaining(series.max_orders_per_coupon, coupon.used_orders),
        remaining(series.max_usage_per_event, getattr(coupon, "event_orders", 0)),
    ]
    known = [value for value in limits if value is not None]
    return min(known) if known else None


def resolve_coupon(
    coupon: Coupon,
    *,
    event: Event | None,
    now: datetime,
    held_elsewhere: int,
    email: str | None,
    has_cart: bool,
) -> ResolvedCode:
    series = coupon.series
    kind = CodeKind.PROMO_CODE if series.kind == SeriesKind.PROMO_CODE else CodeKind.COUPON
    if not coupon.active or not series.active:
        fail(CodeErrorCode.INACTIVE, kind)
    check_dates(series.valid_from, series.valid_until, now, kind)
    scope = coupon_scope(coupon)
    if event is not None and scope.event_ids is not None and event.pk not in scope.event_ids:
        fail(CodeErrorCode.NOT_VALID_FOR_EVENT, kind)
    tickets = remaining(series.max_tickets, coupon.used_tickets)
    if tickets is not None and tickets <= 0:
        fail(CodeErrorCode.EXHAUSTED, kind)
    uses = check_uses(coupon_uses_unheld(coupon), held_elsewhere, kind)
    email_known = email is not None or has_cart
    if coupon.customer_email and email_known and not same_email(email, coupon.customer_email):
        fail(CodeErrorCode.CUSTOMER_MISMATCH, kind)
    return ResolvedCode(
        kind=kind,
        id=coupon.pk,
        code=coupon.code,
        mode=series.discount_type,
        value=series.discount_value,
        name=series.name,
        series_id=series.pk,
        discount_max_value=series.discount_max_value
        if series.discount_type == DiscountType.PERCENT
        else None,
        tickets_remaining=tickets,
        uses_remaining=uses,
        event_ids=scope.event_ids,
        item_ids=scope.item_ids,
        unlocks_hidden_items=series.reveal_allowed_items,
        unlocked_item_ids=coupon_unlocks(coupon),
        can_be_combined=series.can_be_combined,
        min_tickets_in_cart=series.min_tickets_in_cart,
        max_tickets_in_cart=series.max_tickets_in_cart,
        tags=tuple(series.tags or ()),
        customer_email=coupon.customer_email or None,
        deactivate_on_use=kind == CodeKind.PROMO_CODE and series.single_usage,
        valid_from=series.valid_from,
        valid_until=series.valid_until,
    )


def same_email(given: str | None, expected: str) -> bool:
    return (given or "").strip().lower() == expected.strip().lower()


def eligible_count(resolved: ResolvedCode, cart: CartSummary, event_id: int | None) -> int:
    """Positions the code may change: in scope, not bundled, carrying this code or none."""

    def eligible(line: CartLineSummary) -> bool:
        if line.is_bundled or (line.code is not None and normalise_code(line.code) != resolved.code):
            return False
        line_event = line.event if line.event is not None else event_id
        return resolved.covers(
            item=line.item, variation=line.variation, event=line_event, subevent=line.subevent
        )

    return sum(line.count for line in cart.lines if eligible(line))


def check_cart(resolved: ResolvedCode, *, cart: CartSummary, event_id: int | None) -> None:
    kind = resolved.kind
    eligible = eligible_count(resolved, cart, event_id)
    if kind == CodeKind.VOUCHER:
        if eligible == 0:
            fail(CodeErrorCode.NOT_VALID_FOR_ITEMS, kind)
        if eligible < resolved.min_positions:
            fail(CodeErrorCode.CART_TOO_SMALL, kind)
        return
    tickets = cart.ticket_count
    if resolved.min_tickets_in_cart is not None and tickets < resolved.min_tickets_in_cart:
        fail(CodeErrorCode.CART_TOO_SMALL, kind)
    if resolved.max_tickets_in_cart is not None and tickets > resolved.max_tickets_in_cart:
        fail(CodeErrorCode.CART_TOO_LARGE, kind)
    if eligible == 0 and not unlocks_a_line(resolved, cart):
        fail(CodeErrorCode.NOT_VALID_FOR_ITEMS, kind)


def unlocks_a_line(resolved: ResolvedCode, cart: CartSummary) -> bool:
    """The cart holds an item the code unlocks: the code is needed there even when it discounts nothing."""
    return any(not line.is_bundled and line.item in resolved.unlocked_item_ids for line in cart.lines)


def check_combination(resolved: ResolvedCode, *, others: Sequence[FoundCode]) -> None:
    """A code that may not be combined is the only code in its cart (docs/pricing.md, section 3).

    ``others``: the rows of the cart's other codes (:func:`~vouchers.resolution.lookup.find_codes`;
    an unknown code counts as another code, and can itself be combined with anything)."""
    if not others:
        return
    if not resolved.can_be_combined or any(refuses_company(found) for found in others):
        fail(CodeErrorCode.NOT_COMBINABLE, resolved.kind)

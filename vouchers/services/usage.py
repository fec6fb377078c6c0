"""Code usage: locking code rows, recording what an order used, giving it back when it is canceled.

The one owner of the usage counters (voucher ``redeemed`` and ``budget_used``;
coupon ``used_orders``, ``used_tickets``, ``active`` of a one-time promo code, and
the per-event :class:`~vouchers.models.CouponEventUsage`). The orders app calls
these inside its own transaction and writes none of these tables itself.

Lock order, the same in every workflow so that two never wait on each other in a
cycle: quotas (the orders app locks those first), then vouchers, then coupons
(promo codes are coupon rows), each by primary key. Counters never go below zero.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Greatest

from core import rawsql
from core.locks import lock_in_order
from ticketing.models import Event
from vouchers.choices import CodeKind
from vouchers.models import Coupon, CouponEventUsage, Voucher
from vouchers.resolution.lookup import FoundCode, find_codes

_ZERO = Decimal("0")


@dataclass(frozen=True)
class CodeUse:
    """What one order took from one code.

    ``uses``: positions carrying a voucher, 1 order for a coupon or promo code;
    ``tickets``: positions whose price the code changed; ``budget``: what it took
    from a voucher's budget; ``deactivates``: the use ends a one-time promo code.
    """

    kind: CodeKind
    code_id: int
    uses: int
    tickets: int
    budget: Decimal = _ZERO
    deactivates: bool = False


def codes_lock(*, event: Event, codes: Collection[str]) -> dict[str, FoundCode]:
    """Lock the rows of these normalised codes (the event's vouchers, then the organizer's coupons,
    each by primary key) and return them fresh, by code, with the lookup's precedence."""
    return find_codes(organizer_id=event.organizer_id, event_id=event.pk, codes=codes, lock=True)


def code_ids_lock(voucher_ids: Collection[int], coupon_ids: Collection[int]) -> None:
    """Lock these vouchers, then these coupons, each by primary key (the codes' place in the lock order)."""
    lock_in_order(code=lambda: _lock_ids(sorted(voucher_ids), sorted(coupon_ids)))


def _lock_ids(voucher_ids: Collection[int], coupon_ids: Collection[int]) -> None:
    if voucher_ids:
        list(Voucher.objects.select_for_update().filter(pk__in=voucher_ids).order_by("pk").values_list("pk"))
    if coupon_ids:
        list(Coupon.objects.select_for_update().filter(pk__in=coupon_ids).order_by("pk").values_list("pk"))


# Plain SQL: one statement per voucher in every checkout with a voucher (the ORM's UPDATE building
# cost more CPU than the database spends on it). The table name comes from the model.
def _voucher_redeemed_sql() -> str:
    return (
        f"UPDATE {rawsql.table(Voucher)} SET redeemed = redeemed + %s, budget_used = budget_used + %s"
        " WHERE id = %s"
    )


_budget_field = Voucher._meta.get_field("budget_used")


def code_uses_record(*, event_id: int, uses: Sequence[CodeUse]) -> None:
    """An order of ``event_id`` used these codes; their rows are locked (:func:`codes_lock`)."""
    for use in uses:
        if use.kind == CodeKind.VOUCHER:
            budget = _budget_field.get_db_prep_save(use.budget, connection)
            rawsql.execute(_voucher_redeemed_sql(), [use.uses, budget, use.code_id])
            continue
        counters = {"used_orders": F("used_orders") + 1, "used_tickets": F("used_tickets") + use.tickets}
        if use.deactivates:
            counters["active"] = False  # a one-time promo code ends with its first redemption
        Coupon.objects.filter(pk=use.code_id).update(**counters)
        updated = CouponEventUsage.objects.filter(coupon_id=use.code_id, event_id=event_id).update(
            orders=F("orders") + 1, tickets=F("tickets") + use.tickets
        )
        if not updated:  # the coupon's row is locked: nobody else creates this one meanwhile
            CouponEventUsage.objects.create(
                coupon_id=use.code_id, event_id=event_id, orders=1, tickets=use.tickets
            )


def code_uses_release(*, event_id: int, uses: Sequence[CodeUse]) -> None:
    """A canceled order of ``event_id`` gives back what :func:`code_uses_record` counted.

    Locks the rows first (vouchers, then coupons, by primary key). A one-time promo
    code that this use deactivated becomes usable again.
    """
    code_ids_lock(
        {u.code_id for u in uses if u.kind == CodeKind.VOUCHER},
        {u.code_id for u in uses if u.kind != CodeKind.VOUCHER},
    )
    for use in uses:
        if use.kind == CodeKind.VOUCHER:
            Voucher.objects.filter(pk=use.code_id).update(
                redeemed=Greatest(F("redeemed") - use.uses, Value(0)),
                budget_used=Greatest(F("budget_used") - use.budget, Value(_ZERO)),
            )
            continue
        counters = {
            "used_orders": Greatest(F("used_orders") - 1, Value(0)),
            "used_tickets": Greatest(F("used_tickets") - use.tickets, Value(0)),
        }
        if use.deactivates:
            counters["active"] = Value(True)
        Coupon.objects.filter(pk=use.code_id).update(**counters)
        CouponEventUsage.objects.filter(coupon_id=use.code_id, event_id=event_id).update(
            orders=Greatest(F("orders") - 1, Value(0)),
            tickets=Greatest(F("tickets") - use.tickets, Value(0)),
        )

"""The code ↔ items relationship of every code that can be limited to items: limit it, or open it to all.

Coupon series and promo codes (a one-coupon series) keep the items on the series (``allowed_items``);
a voucher takes at most one item (or a variation of it, or a quota). Every change goes through a model
save or a many-to-many change, so the audit log records it (the series' ``allow_all_items`` and
``allowed_items``, the voucher's ``item``, ``variation`` and ``quota``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from core.errors import DomainError
from ticketing.models import Item
from ticketing.models.base import field_values
from vouchers.models import CouponSeries, Voucher
from vouchers.services.checks import validate_voucher
from vouchers.services.vouchers import voucher_update

VOUCHER_ONE_ITEM = "A voucher applies to all items or to one item; send at most one."


@transaction.atomic
def series_items_set(*, series: CouponSeries, items: Sequence[Item]) -> CouponSeries:
    """The series (a coupon series or a promo code's) now applies to exactly these items (validated by
    ``validate_series_items``: at least one, of its allowed events)."""
    if series.allow_all_items:
        series.allow_all_items = False
        series.save(update_fields=["allow_all_items", "updated_at"])
    series.allowed_items.set(items)
    return series


@transaction.atomic
def series_items_allow_all(*, series: CouponSeries) -> CouponSeries:
    """The series applies to every item (of its events) again; the list of items is emptied."""
    if not series.allow_all_items:
        series.allow_all_items = True
        series.save(update_fields=["allow_all_items", "updated_at"])
    if series.allowed_items.exists():
        series.allowed_items.clear()
    return series


@transaction.atomic
def voucher_items_set(*, voucher: Voucher, items: Sequence[Item]) -> Voucher:
    """The voucher now applies to this one item (items of its event; a variation of another item and
    its quota are dropped). More than one item: 400 ``voucher_one_item`` naming ``items``."""
    if len(items) > 1:
        raise DomainError(VOUCHER_ONE_ITEM, code="voucher_one_item", field="items")
    (item,) = items
    variation = voucher.variation if voucher.variation_id and voucher.variation.item_id == item.pk else None
    return voucher_scope_set(voucher=voucher, item=item, variation=variation, quota=None)


@transaction.atomic
def voucher_items_allow_all(*, voucher: Voucher) -> Voucher:
    """The voucher applies to every item of its event: no item, variation or quota."""
    return voucher_scope_set(voucher=voucher, item=None, variation=None, quota=None)


def voucher_scope_set(*, voucher: Voucher, **scope) -> Voucher:
    changed = {name: value for name, value in scope.items() if getattr(voucher, name) != value}
    if not changed:
        return voucher
    values = {**field_values(voucher), **changed, "id": voucher.pk}
    validate_voucher(**values)  # a blocking voucher needs room in the quotas of its new scope
    return voucher_update(voucher=voucher, **changed)

"""An order's change through the one checkout path (mode ``CHANGE``): what differs from a new order.

- **places**: the order's positions that stay as they are hold their places, as a cart's holds are its
  own: what orders have sold counts without the order's live positions (:func:`sold_by_others`), and
  only its new positions and those whose item, variation or date change take places anew (they also
  need what other carts hold, by the room rule of ``orders.checkout.check``).
- **codes**: the order's code uses are given back under the codes' locks before the codes are read
  (:func:`order_codes_lock`: its redemptions are marked reversed), so the codes are checked as for a
  new order of the positions it will have; the commit records the uses of the new pricing again.
- **storing** (:func:`commit_change`): canceled positions are marked ``canceled``; the positions that
  stay get their new price breakdown (and item, variation, date when patched); new positions are
  inserted with the next ``positionid`` values; the running sales counts follow; the order's totals are
  those of the new pricing. The order's status, deadline and announcement are the service's
  (``orders.services.changes``).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from orders.checkout.catalog import quota_membership
from orders.checkout.trees import bulk_create_tree
from orders.models import Order, OrderPosition, Redemption
from orders.release import sales_release, use_of
from orders.sales import positions_sold, record_sales
from ticketing.models import Quota
from vouchers.resolution import FoundCode
from vouchers.resolution.lookup import find_codes
from vouchers.services.usage import code_uses_release, codes_lock

if TYPE_CHECKING:
    from orders.checkout.draft import OrderChangeSpec
    from orders.checkout.gather import Gathered
    from orders.checkout.price import PricedView


def order_codes_lock(change: OrderChangeSpec, *, codes: list[str], now: datetime) -> dict[str, FoundCode]:
    """Lock the codes the new pricing applies and those the order used (in one go, by primary key), give
    the order's uses back (its live redemptions are marked reversed), then read the codes' rows again,
    as they are now."""
    order = change.order
    event = order.event
    redemptions = list(Redemption.objects.filter(order=order, reversed=False).order_by("id"))
    used = {r.code for r in redemptions if r.voucher_id or r.coupon_id}
    codes_lock(event=event, codes=sorted({*codes, *used}))
    coded = [r for r in redemptions if r.voucher_id or r.coupon_id]
    if coded:
        code_uses_release(event_id=event.pk, uses=[use_of(r) for r in coded])
    if redemptions:
        Redemption.objects.filter(pk__in=[r.pk for r in redemptions]).update(reversed=True, reversed_at=now)
    return find_codes(organizer_id=event.organizer_id, event_id=event.pk, codes=codes)


def sold_by_others(sold: dict[int, int], change: OrderChangeSpec, limited: list[Quota]) -> dict[int, int]:
    """What orders have sold of each quota, less the order's own live positions (before the change)."""
    _quotas, membership = quota_membership(change.order.event, change.held)
    ids = {q.pk for q in limited}
    own = Counter(q for quota_ids in membership for q in quota_ids if q in ids)
    return {quota_id: max(n - own.get(quota_id, 0), 0) for quota_id, n in sold.items()}


#: What the commit writes on a position that stays: attributes, and the fields they are.
UPDATED = [
    "item_id", "variation_id", "subevent_id", "list_price", "code", "voucher_id", "coupon_id", "code_discount",
    "discount_rule_id", "rule_discount", "price", "price_manual",
]  # fmt: skip
UPDATED_FIELDS = [name.removesuffix("_id") for name in UPDATED]


def commit_change(gathered: Gathered, view: PricedView) -> Order:
    """Store the change (see the module's docstring); the order (locked by the caller) with its new
    totals, ``position_list`` (its positions as they are now, canceled ones left out) and
    ``redemption_list`` (the redemptions of the new pricing)."""
    from orders.checkout.commit import position_builder, redeem, set_aside_data, unlocking_codes, warnings_data

    change = gathered.draft.change
    order = change.order
    if change.canceled:
        sales_release([order], positions=change.canceled)  # counted in the order's status
        OrderPosition.objects.filter(pk__in=change.canceled).update(canceled=True)
    specs = [p.spec for p in view.positions]
    codes = {code.code: code for code in view.codes}
    used = {share.code for line in view.positions for share in line.line.codes}
    used |= unlocking_codes(gathered, view)
    used_codes = [codes[c] for c in codes if c in used]
    build = position_builder(order, view, codes)

    # The positions that stay: their new price breakdown; the patched ones move in the sales counts.
    stored = {i: change.rows[spec.ref] for i, spec in enumerate(specs) if spec.ref is not None}
    moved = [row for row in stored.values() if row.positionid in change.patched]
    if moved:
        sales_release([order], positions=[row.pk for row in moved])
    for index, row in stored.items():
        fresh = build(index, specs[index], None)
        for name in UPDATED:
            setattr(row, name, getattr(fresh, name))
    if stored:
        OrderPosition.objects.bulk_update(list(stored.values()), UPDATED_FIELDS)
    numbers = {
        i: change.last_positionid + n
        for n, i in enumerate(sorted(set(range(len(specs))) - set(stored)), 1)
    }

    def build_new(index, spec, parent):
        row = build(index, spec, parent)
        row.positionid = numbers[index]
        return row

    rows = bulk_create_tree(OrderPosition, specs, build_new, stored=stored)
    new = [rows[i] for i in numbers]
    sold = [*((r.item_id, r.variation_id, r.subevent_id) for r in moved),
            *((r.item_id, r.variation_id, r.subevent_id) for r in new)]  # fmt: skip
    record_sales(positions_sold(sold, order.status))

    redemptions = redeem(order, view, rows, used_codes)
    if redemptions:  # redeemed now, not when the order was placed
        Redemption.objects.filter(pk__in=[r.pk for r in redemptions]).update(created=gathered.now)
        for redemption in redemptions:
            redemption.created = gathered.now
    order.list_total = view.list_total
    order.code_discount_total = view.code_discount_total
    order.rule_discount_total = view.rule_discount_total
    order.fee_total = view.fee_total
    order.total = view.total
    order.set_aside_codes = set_aside_data(view)
    order.warnings = warnings_data(view)
    order.save(update_fields=[
        "list_total", "code_discount_total", "rule_discount_total", "fee_total", "total", "set_aside_codes",
        "warnings",
    ])  # fmt: skip
    order.position_list = rows
    order.redemption_list = redemptions
    order.new_position_list = new
    return order


"""Stage 4 of an order's change (mode ``CHANGE``, see ``orders.checkout.change``): store it.

Canceled positions are marked ``canceled`` (they leave the sales counts); the positions that stay get
their new price breakdown (and item, variation, date when patched: they move in the sales counts); new
positions are inserted with the next ``positionid`` values, one INSERT per level; the redemptions of the
new pricing are stored and counted (the order's earlier ones were reversed under the codes' locks); the
order's totals become those of the new pricing.
"""

from __future__ import annotations

from orders.checkout.commit import position_builder, redeem, set_aside_data, unlocking_codes, warnings_data
from orders.checkout.gather import Gathered
from orders.checkout.price import PricedView
from orders.checkout.trees import bulk_create_tree
from orders.models import Order, OrderPosition, Redemption
from orders.release import sales_release
from orders.sales import positions_sold, record_sales

#: What the commit writes on a position that stays: attributes, and the fields they are.
UPDATED = [
    "item_id", "variation_id", "subevent_id", "list_price", "code", "voucher_id", "coupon_id",
    "code_discount", "discount_rule_id", "rule_discount", "price", "price_manual",
]  # fmt: skip
UPDATED_FIELDS = [name.removesuffix("_id") for name in UPDATED]


def commit_change(gathered: Gathered, view: PricedView) -> Order:
    """Store the change (see the module's docstring); the order (locked by the caller) with its new
    totals, ``position_list`` (its positions as they are now, canceled ones left out) and
    ``redemption_list`` (the redemptions of the new pricing)."""
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
        i: change.last_positionid + n for n, i in enumerate(sorted(set(range(len(specs))) - set(stored)), 1)
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

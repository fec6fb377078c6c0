"""Writing a priced order: the order, its positions, redemptions, usage counters and tags.

Called inside the checkout's transaction, with the codes' rows locked. A fixed
number of statements whatever the number of positions: positions are inserted
one level at a time, redemptions and their position links in one INSERT each,
one UPDATE per code.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import F

from orders.drafts import PositionSpec
from orders.evaluation import PricedView
from orders.models import Order, OrderPosition, OrderStatus, OrderTag, Redemption
from orders.sales import positions_sold, record_sales
from orders.services.trees import bulk_create_tree
from ticketing import rawsql
from ticketing.models import Event, SalesChannel
from vouchers.models import Coupon, CouponEventUsage, Voucher
from vouchers.resolution import CodeKind, ResolvedCode

_ZERO = Decimal("0")
_budget = Voucher._meta.get_field("budget_used")
VOUCHER_REDEEMED = (
    "UPDATE vouchers_voucher SET redeemed = redeemed + %s, budget_used = budget_used + %s WHERE id = %s"
)


def store_order(
    *, event: Event, sales_channel: SalesChannel, view: PricedView, email: str, name: str, now: datetime
) -> Order:
    codes = {code.code: code for code in view.codes}
    used = {line.line.code for line in view.positions if line.line.code}
    # The coupon series' tags (a voucher's tag groups vouchers, not orders).
    series_codes = [code for code in view.codes if code.code in used and code.kind != CodeKind.VOUCHER]
    tags = sorted({tag for code in series_codes for tag in code.tags})
    order = Order(
        event=event, status=OrderStatus.PENDING, email=email, name=name, sales_channel=sales_channel,
        datetime=now, list_total=view.list_total, code_discount_total=view.code_discount_total,
        rule_discount_total=view.rule_discount_total, total=view.total, tags=tags,
    )  # fmt: skip
    # The INSERTs of a checkout in plain SQL (``ticketing.rawsql``): the ORM's statement building
    # cost more CPU than the database spends on them.
    rawsql.insert([order])
    specs = [p.spec for p in view.positions]

    def build(index: int, spec: PositionSpec, parent: OrderPosition | None) -> OrderPosition:
        priced = view.positions[index]
        line = priced.line
        code = codes.get(line.code) if line.code else None
        return OrderPosition(
            order=order,
            positionid=index + 1,
            item_id=spec.item,
            variation_id=spec.variation,
            subevent_id=spec.subevent,
            addon_to=parent,
            is_bundled=spec.is_bundled,
            list_price=line.list_price,
            code=line.code or "",
            voucher_id=code.id if code is not None and code.kind == CodeKind.VOUCHER else None,
            coupon_id=code.id if code is not None and code.kind != CodeKind.VOUCHER else None,
            code_discount=line.code_discount,
            discount_rule=priced.rule,
            rule_discount=line.rule_discount,
            price=line.price,
        )

    rows = bulk_create_tree(OrderPosition, specs, build)
    record_sales(positions_sold(((p.item, p.variation, p.subevent) for p in specs), OrderStatus.PENDING))
    rows.sort(key=lambda row: row.positionid)
    order.position_list = rows
    order.redemption_list = redeem(order, view, rows, [codes[c] for c in codes if c in used])
    if tags:
        OrderTag.objects.bulk_create([OrderTag(order=order, tag=tag) for tag in tags])
    return order


def redeem(order: Order, view: PricedView, rows: list[OrderPosition], used: list[ResolvedCode]) -> list:
    """One redemption row per code the order used, linked to the positions it changed; counters up."""
    redemptions = []
    links: list[list[OrderPosition]] = []
    for code in used:
        changed = [i for i, p in enumerate(view.positions) if p.line.code == code.code]
        discount = sum((view.positions[i].line.code_discount for i in changed), _ZERO)
        if code.kind == CodeKind.VOUCHER:
            # Uses and budget count the positions carrying the voucher, not the add-ons or
            # bundled positions it made free (VOUCHERS.md: only its own discount counts).
            carriers = [i for i in changed if view.positions[i].spec.voucher == code.code]
            uses = len(carriers)
            budget = sum((max(view.positions[i].line.code_discount, _ZERO) for i in carriers), _ZERO)
            rawsql.execute(VOUCHER_REDEEMED, [uses, _budget.get_db_prep_save(budget, connection), code.id])
            kind, target = code.kind.value, {"voucher_id": code.id, "budget_spent": budget}
        else:
            uses = 1
            counters = {"used_orders": F("used_orders") + 1, "used_tickets": F("used_tickets") + len(changed)}
            if code.deactivate_on_use:
                counters["active"] = False
            Coupon.objects.filter(pk=code.id).update(**counters)
            updated = CouponEventUsage.objects.filter(coupon_id=code.id, event_id=order.event_id).update(
                orders=F("orders") + 1, tickets=F("tickets") + len(changed)
            )
            if not updated:  # the coupon's row is locked: nobody else creates this one meanwhile
                CouponEventUsage.objects.create(
                    coupon_id=code.id, event_id=order.event_id, orders=1, tickets=len(changed)
                )
            kind, target = code.kind.value, {"coupon_id": code.id}
        redemptions.append(
            Redemption(
                kind=kind, code=code.code, order=order, uses=uses, tickets=len(changed), discount=discount,
                deactivated_code=code.deactivate_on_use, created=order.datetime, **target,
            )  # fmt: skip
        )
        links.append([rows[i] for i in changed])
    rawsql.insert(redemptions)
    through = Redemption.positions.through
    rawsql.insert(
        [
            through(redemption_id=redemption.pk, orderposition_id=row.pk)
            for redemption, changed_rows in zip(redemptions, links, strict=True)
            for row in changed_rows
        ]
    )
    return redemptions

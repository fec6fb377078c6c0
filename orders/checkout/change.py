"""An order's change through the one checkout path (mode ``CHANGE``): what differs from a new order.

- **places**: the order's positions that stay as they are hold their places, as a cart's holds are its
  own: what orders have sold counts without the order's live positions (:func:`sold_by_others`), and
  only its new positions and those whose item, variation or date change take places anew (they also
  need what other carts hold, by the room rule of ``orders.checkout.check``).
- **codes**: the order's code uses are given back under the codes' locks before the codes are read
  (:func:`order_codes_lock`: its redemptions are marked reversed), so the codes are checked as for a
  new order of the positions it will have; the commit records the uses of the new pricing again.
- **storing** (``orders.checkout.commit_change``): canceled positions are marked ``canceled``; the
  positions that stay get their new price breakdown (and item, variation, date when patched); new
  positions are inserted with the next ``positionid`` values; the running sales counts follow; the
  order's totals are those of the new pricing. The order's status, deadline and announcement are the
  service's (``orders.services.changes``).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from orders.checkout.catalog import quota_membership
from orders.models import Redemption
from orders.release import use_of
from ticketing.models import Quota
from vouchers.resolution import FoundCode
from vouchers.resolution.lookup import find_codes
from vouchers.services.usage import code_uses_release, codes_lock

if TYPE_CHECKING:
    from orders.checkout.draft import OrderChangeSpec


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

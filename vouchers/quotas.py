"""Vouchers that block quota: what they hold back, and whether a quota has room for one more.

The counter is registered with ``ticketing.quota_usage`` (see ``apps.py``), so
quota availability everywhere subtracts the uses that blocking vouchers hold.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ticketing.models import Quota
from ticketing.selectors import quota_availabilities


def blocking_vouchers_for_quota(now: datetime | None = None):
    """Blocking vouchers holding uses of the quota ``OuterRef("pk")``: valid at ``now`` (default: the
    clock), uses left, in its scope."""
    from vouchers.models import Voucher

    quota_items = Quota.items.through.objects.filter(
        quota_id=OuterRef(OuterRef("pk")), item_id=OuterRef("item_id")
    )
    quota_variations = Quota.variations.through.objects.filter(
        quota_id=OuterRef(OuterRef("pk")), itemvariation_id=OuterRef("variation_id")
    )
    now = now or timezone.now()
    return Voucher.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=now),
        block_quota=True,
        redeemed__lt=F("max_usages"),
    ).filter(
        Q(quota_id=OuterRef("pk"))
        | (
            Q(quota__isnull=True)
            & Q(Exists(quota_items))
            & (Q(variation__isnull=True) | Q(Exists(quota_variations)))
            & (Q(subevent__isnull=True) | Q(subevent_id=OuterRef("subevent_id")))
        )
    )


def blocking_voucher_ids(event_ids: Collection[int], *, now: datetime | None = None) -> list[int]:
    """The vouchers of these events that hold quota at ``now`` (default: the clock; valid, uses left):
    what :func:`count_blocking_vouchers` counts. A cart position carrying one of them takes no
    place of its own (the voucher holds it); none at all means that counter counts 0."""
    from vouchers.models import Voucher

    now = now or timezone.now()
    return list(
        Voucher.objects.filter(event_id__in=event_ids, block_quota=True, redeemed__lt=F("max_usages"))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def count_blocking_vouchers(quotas: Sequence[Quota], *, now: datetime | None = None) -> dict[int, int]:
    """``{quota_id: uses held by blocking vouchers}`` in one query (the ``BLOCKING_VOUCHERS`` counter);
    ``now``: the moment they are valid at (a checkout's, default: the clock)."""
    held = (
        blocking_vouchers_for_quota(now)
        .order_by()
        .annotate(group=F("block_quota"))  # one group: the sum over every matching voucher
        .values("group")
        .annotate(total=Sum(F("max_usages") - F("redeemed")))
        .values("total")
    )
    rows = Quota.objects.filter(pk__in=[q.pk for q in quotas]).annotate(
        held=Coalesce(Subquery(held, output_field=IntegerField()), 0)
    )
    return dict(rows.values_list("pk", "held"))


def quotas_for_voucher(*, event, item, variation, quota, subevent) -> list[Quota]:
    """The quotas a voucher scoped to ``quota`` or ``item`` (and ``variation``, ``subevent``) draws from."""
    if quota is not None:
        return [quota]
    if item is None or event is None:
        return []
    quotas = Quota.objects.filter(event=event, items=item)
    if variation is not None:
        quotas = quotas.filter(variations=variation)
    if subevent is not None:
        quotas = quotas.filter(subevent=subevent)
    return list(quotas.distinct())


def blocking_shortfall(*, voucher_id, event, item, variation, quota, subevent, uses: int) -> str | None:
    """Why the quota cannot hold ``uses`` more for this voucher, or None when it can.

    What the voucher already holds (when it exists and blocks) is given back first,
    so saving an unchanged blocking voucher never fails.
    """
    from vouchers.models import Voucher

    quotas = quotas_for_voucher(event=event, item=item, variation=variation, quota=quota, subevent=subevent)
    if not quotas:
        return None
    own = {}
    if voucher_id is not None:
        current = Voucher.objects.filter(pk=voucher_id).first()
        if current is not None:
            own = count_own_block(current, quotas)
    availability = quota_availabilities(quotas)
    for q in quotas:
        left = availability[q.pk].available_number
        if left is not None and left + own.get(q.pk, 0) < uses:
            return f"Quota '{q.name}' has only {left + own.get(q.pk, 0)} left, not {uses}."
    return None


def count_own_block(voucher, quotas: Sequence[Quota]) -> dict[int, int]:
    """What the stored ``voucher`` holds back of each quota now."""
    if not voucher.block_quota or not voucher.remaining_usages:
        return {}
    if voucher.valid_until is not None and voucher.valid_until < timezone.now():
        return {}
    scoped = quotas_for_voucher(
        event=voucher.event,
        item=voucher.item,
        variation=voucher.variation,
        quota=voucher.quota,
        subevent=voucher.subevent,
    )
    scoped_ids = {q.pk for q in scoped}
    return {q.pk: voucher.remaining_usages for q in quotas if q.pk in scoped_ids}

"""Vouchers that block quota: what they hold back, and whether the quotas have room for more.

The counter is registered with ``ticketing.quota_usage`` (see ``apps.py``), so
quota availability everywhere subtracts the uses that blocking vouchers hold.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ticketing.models import Event, Item, ItemVariation, Quota, SubEvent
from ticketing.quotas import quotas_lock
from ticketing.selectors import quota_availabilities
from vouchers.models import Voucher


def blocking_vouchers_for_quota(now: datetime | None = None):
    """Blocking vouchers holding uses of the quota ``OuterRef("pk")``: valid at ``now`` (default: the
    clock), uses left, in its scope."""
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


@dataclass(frozen=True)
class BlockAsked:
    """A voucher that is to hold ``uses`` back from the quotas of its scope. ``voucher_id``: the stored
    voucher being changed, whose current hold is given back first (saving it unchanged never fails)."""

    event: Event | None
    item: Item | None
    variation: ItemVariation | None
    quota: Quota | None
    subevent: SubEvent | None
    uses: int
    voucher_id: int | None = None

    def quotas(self) -> list[Quota]:
        return quotas_for_voucher(
            event=self.event, item=self.item, variation=self.variation, quota=self.quota,
            subevent=self.subevent,
        )  # fmt: skip


class QuotaShortfall(ValidationError):
    """A blocking voucher that does not fit: a 400 naming ``block_quota``; ``row``: which of the vouchers
    asked for (in a batch, the first that does not fit)."""

    def __init__(self, message: str, *, row: int) -> None:
        super().__init__({"block_quota": [message]})
        self.row = row


def asked_block(*, block_quota: bool = False, allow_ignore_quota: bool = False, max_usages: int | None = 1,
                redeemed: int | None = 0, valid_until: datetime | None = None, event=None, item=None,
                variation=None, quota=None, subevent=None, id: int | None = None, now: datetime,
                **_: object) -> BlockAsked | None:  # fmt: skip
    """What a voucher with these values holds back, or None when it holds nothing (does not block, may
    ignore the quota, is unlimited, or has expired at ``now``)."""
    if not block_quota or allow_ignore_quota or max_usages is None:
        return None
    if valid_until is not None and valid_until < now:
        return None
    return BlockAsked(
        event=event, item=item, variation=variation, quota=quota, subevent=subevent,
        uses=max(max_usages - (redeemed or 0), 0), voucher_id=id,
    )  # fmt: skip


def blocks_check(asked: Sequence[BlockAsked | None], *, now: datetime) -> None:
    """Lock every quota these vouchers would draw from (in the lock order, ``core.locks``), then raise
    :class:`QuotaShortfall` for the first voucher that does not fit in what is left — counting the
    vouchers before it in ``asked`` (a batch), and giving back what a changed voucher holds now. Call it
    inside the transaction that then saves the vouchers: the locks hold until it ends, so a checkout or
    another voucher counting the same quota waits and then sees them."""
    scopes = [[] if a is None or not a.uses else a.quotas() for a in asked]
    locked = quotas_lock({q.pk for scope in scopes for q in scope})
    if not locked:
        return
    availability = quota_availabilities(locked)
    left = {q.pk: availability[q.pk].available_number for q in locked}
    for voucher in Voucher.objects.filter(pk__in=[a.voucher_id for a in asked if a and a.voucher_id]):
        for quota_id, held in count_own_block(voucher, locked, now=now).items():
            left[quota_id] += held
    names = {q.pk: q.name for q in locked}
    for row, (a, scope) in enumerate(zip(asked, scopes, strict=True)):
        for quota in scope:
            if quota.pk in left and a.uses > left[quota.pk]:
                earlier = "" if row == 0 else " (counting the vouchers before this one)"
                raise QuotaShortfall(
                    f"Quota '{names[quota.pk]}' has only {left[quota.pk]} left{earlier}, not {a.uses}.",
                    row=row,
                )
        for quota in scope:
            if quota.pk in left:
                left[quota.pk] -= a.uses


def count_own_block(voucher, quotas: Sequence[Quota], *, now: datetime) -> dict[int, int]:
    """What the stored ``voucher`` holds back of each quota at ``now``."""
    if not voucher.block_quota or not voucher.remaining_usages:
        return {}
    if voucher.valid_until is not None and voucher.valid_until < now:
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

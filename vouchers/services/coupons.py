"""Coupon series and their coupons: create, change, delete, generate codes, set the allowed items."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.audit import record_bulk
from core.errors import ConflictError
from ticketing.models import Event, Item, Organizer
from vouchers.codes import DEFAULT_LENGTH, chunks, normalise_code, unique_random_codes
from vouchers.models import CodeHolder, Coupon, CouponSeries, SeriesKind
from vouchers.selectors import claimed_texts, with_codes
from vouchers.services.checks import DUPLICATE_COUPON, USED_COUPON_CODE, USED_COUPON_SERIES
from vouchers.services.code_texts import CodeTextTaken, code_collision, code_texts_claim, code_texts_release

#: At most so many coupons per generation while the caller waits (the admin's action); as a job, more.
MAX_GENERATE = 10_000
MAX_GENERATE_JOB = 100_000
BULK_BATCH = 2_000

Progress = Callable[[int, int], None]


def duplicate_coupon_code_or(exc: IntegrityError, field: str = "code") -> Exception:
    """A unique-code violation (a concurrent request took the code) as a 400; anything else unchanged."""
    if "uniq_coupon_code_per_organizer" in str(exc):
        return ValidationError({field: [DUPLICATE_COUPON]})
    return exc


@transaction.atomic
def coupon_series_create(
    *,
    organizer: Organizer,
    allowed_events: Iterable[Event] = (),
    allowed_items: Iterable[Item] = (),
    unlocks: Iterable[Item] = (),
    **fields: Any,
) -> CouponSeries:
    series = CouponSeries.objects.create(organizer=organizer, **fields)
    series.allowed_events.set(allowed_events)
    series.allowed_items.set(allowed_items)
    series.unlocks.set(unlocks)
    return series


@transaction.atomic
def coupon_series_update(
    *,
    series: CouponSeries,
    allowed_events: Iterable[Event] | None = None,
    allowed_items: Iterable[Item] | None = None,
    unlocks: Iterable[Item] | None = None,
    **fields: Any,
) -> CouponSeries:
    for name, value in fields.items():
        setattr(series, name, value)
    series.save()
    if allowed_events is not None:
        series.allowed_events.set(allowed_events)
    if allowed_items is not None:
        series.allowed_items.set(allowed_items)
    if unlocks is not None:
        series.unlocks.set(unlocks)
    return series


def coupon_series_delete(*, series: CouponSeries) -> None:
    """A series whose coupons were used is kept for the orders' sake: deactivate it instead."""
    if series.coupons.filter(used_orders__gt=0).exists():
        raise ConflictError(
            "Coupons of this series have been used; deactivate the series instead.",
            code="coupon_series_in_use",
        )
    series.delete()


def coupon_series_set_active(*, series_ids: Iterable[int], active: bool) -> int:
    series = CouponSeries.objects.filter(pk__in=list(series_ids)).exclude(active=active)
    changing = list(series.only("pk", "organizer_id"))
    changed = CouponSeries.objects.filter(pk__in=[s.pk for s in changing]).update(active=active)
    record_bulk(CouponSeries, changing, action="changed", changes={"active": [not active, active]})
    return changed


def coupons_generate(
    *,
    series: CouponSeries,
    count: int,
    prefix: str = "",
    length: int = DEFAULT_LENGTH,
    progress: Progress | None = None,
) -> int:
    """Create ``count`` coupons with unpredictable, unused codes in one transaction; answer how many.
    ``progress(done, total)`` hears of every batch written."""
    options = {"prefix": prefix, "length": length, "progress": progress}
    return len(coupons_generate_list(series=series, count=count, **options))


def coupons_generate_list(
    *,
    series: CouponSeries,
    count: int,
    prefix: str = "",
    length: int = DEFAULT_LENGTH,
    progress: Progress | None = None,
) -> list[Coupon]:
    """``coupons_generate``, answering the coupons created (with their ids), in the order written."""
    codes = unique_random_codes(
        count=count,
        length=length,
        prefix=prefix,
        taken=lambda chunk: claimed_texts(organizer=series.organizer_id, codes=chunk),
    )
    try:
        return coupons_bulk_create(series=series, rows=[{"code": code} for code in codes], progress=progress)
    except CodeTextTaken as exc:
        raise code_collision() from exc


def coupons_bulk_create(
    *, series: CouponSeries, rows: Sequence[dict[str, Any]], progress: Progress | None = None
) -> list[Coupon]:
    """Insert validated coupon rows (``code`` and optional ``customer_email``, ``active``) all or nothing,
    ``BULK_BATCH`` at a time (``progress(done, total)`` after each), each batch claiming its texts.
    ``CodeTextTaken`` names the texts another request created after the caller's checks."""
    organizer_id = series.organizer_id
    coupons = [Coupon(organizer_id=organizer_id, series=series, **row) for row in rows]
    try:
        with transaction.atomic():
            if progress is not None:
                progress(0, len(coupons))
            for start in range(0, len(coupons), BULK_BATCH):
                batch = Coupon.objects.bulk_create(coupons[start : start + BULK_BATCH])
                codes = {coupon.code: coupon.pk for coupon in batch}
                code_texts_claim(organizer_id=organizer_id, holder=CodeHolder.COUPON, codes=codes)
                record_bulk(Coupon, batch, action="created")
                if progress is not None:
                    progress(min(start + BULK_BATCH, len(coupons)), len(coupons))
            return coupons
    except IntegrityError as exc:  # another request's coupon has one of the codes: which, now it committed?
        if "uniq_coupon_code_per_organizer" not in str(exc):
            raise
        holders = {}
        for chunk in chunks([coupon.code for coupon in coupons]):
            taken = with_codes(Coupon.objects.filter(organizer_id=organizer_id), chunk)
            holders.update(dict.fromkeys(taken.values_list("code", flat=True), CodeHolder.COUPON))
        if not holders:  # that request rolled back after all
            raise code_collision() from exc
        raise CodeTextTaken(holders, claimer=CodeHolder.COUPON) from exc


@transaction.atomic
def coupon_create(*, organizer: Organizer, series: CouponSeries, code: str = "", **fields: Any) -> Coupon:
    """Create one coupon; an empty code is generated."""
    code = normalise_code(code)
    if not code:
        (code,) = unique_random_codes(
            count=1,
            length=DEFAULT_LENGTH,
            prefix="",
            taken=lambda chunk: claimed_texts(organizer=organizer, codes=chunk),
        )
    try:
        with transaction.atomic():
            coupon = Coupon.objects.create(organizer=organizer, series=series, code=code, **fields)
            code_texts_claim(organizer_id=organizer.pk, holder=CodeHolder.COUPON, codes={code: coupon.pk})
            return coupon
    except IntegrityError as exc:
        raise duplicate_coupon_code_or(exc) from exc


@transaction.atomic
def coupon_update(*, coupon: Coupon, **fields: Any) -> Coupon:
    """Change a coupon; its code and series only while no order has used it (409 ``coupon_in_use``
    naming the field)."""
    if "code" in fields:
        fields["code"] = normalise_code(fields["code"]) or coupon.code
    for name, value in fields.items():
        setattr(coupon, name, value)
    try:
        with transaction.atomic():
            if "code" in fields or "series" in fields:
                coupon_code_or_series_change(
                    coupon=coupon, code=fields.get("code"), series=fields.get("series")
                )
            coupon.save()
    except IntegrityError as exc:
        raise duplicate_coupon_code_or(exc) from exc
    return coupon


def coupon_code_or_series_change(
    *, coupon: Coupon, code: str | None, series: CouponSeries | None, refusals: tuple[str, str] | None = None
) -> None:
    """Before a coupon (or promo code) is saved with a new ``code`` or ``series`` (``None``: unchanged):
    refused with 409 ``coupon_in_use`` naming the field once an order has used it (``refusals``: another
    code and message for the code), and a new code's text claimed. Decided on the row as stored, under its
    lock (the one the save takes next): a checkout that used it meanwhile is seen."""
    stored = Coupon.objects.select_for_update().filter(pk=coupon.pk)
    stored_code, stored_series, used_orders = stored.values_list("code", "series_id", "used_orders").get()
    renamed = code is not None and code != stored_code
    moved = series is not None and series.pk != stored_series
    if used_orders > 0 and renamed:
        refusal, message = refusals or ("coupon_in_use", USED_COUPON_CODE)
        raise ConflictError(message, code=refusal, field="code")
    if used_orders > 0 and moved:
        raise ConflictError(USED_COUPON_SERIES, code="coupon_in_use", field="series")
    if renamed:
        code_texts_release(coupon_ids=[coupon.pk])
        code_texts_claim(organizer_id=coupon.organizer_id, holder=CodeHolder.COUPON, codes={code: coupon.pk})


#: The series kinds that are one code's own: they go with their coupon.
PRIVATE_SERIES = (SeriesKind.STANDALONE, SeriesKind.PROMO_CODE)


def coupon_delete(*, coupon: Coupon) -> None:
    """The API's delete of one coupon: see :func:`coupons_delete`."""
    coupons_delete(coupons=[coupon])


@transaction.atomic
def coupons_delete(*, coupons: Sequence[Coupon]) -> None:
    """Delete coupons that no order used (409 ``coupon_in_use`` names the used ones; deactivate them
    instead): each recorded, then deleted, and a stand-alone coupon's or promo code's private series
    with it."""
    used = sorted(coupon.code for coupon in coupons if coupon.used_orders > 0)
    if used:
        if len(coupons) == 1:
            raise ConflictError("This coupon has been used; deactivate it instead.", code="coupon_in_use")
        raise ConflictError(
            f"Coupons {', '.join(used)} have been used; deactivate them instead.", code="coupon_in_use"
        )
    record_bulk(Coupon, coupons, action="deleted")  # the audit log has no delete listener on coupons
    series_ids = {coupon.series_id for coupon in coupons}
    Coupon.objects.filter(pk__in=[coupon.pk for coupon in coupons]).delete()
    CouponSeries.objects.filter(pk__in=series_ids, kind__in=PRIVATE_SERIES).delete()


def coupons_set_active(*, coupon_ids: Iterable[int], active: bool) -> int:
    coupons = Coupon.objects.filter(pk__in=list(coupon_ids)).exclude(active=active)
    changing = list(coupons.only("pk", "organizer_id"))
    changed = Coupon.objects.filter(pk__in=[c.pk for c in changing]).update(active=active)
    record_bulk(Coupon, changing, action="changed", changes={"active": [not active, active]})
    return changed

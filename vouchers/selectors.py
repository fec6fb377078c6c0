"""Reads of the vouchers app: finding codes, and which codes exist where.

Lookups compare ``UPPER(code)`` with the normalised input: that is the
expression the unique indexes are built on, so a lookup among millions of codes
is an index scan (see ``docs/codes.md``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Upper

from ticketing.models import Event, Organizer
from vouchers.codes import chunks
from vouchers.models import Coupon, CouponSeries, Voucher


def with_code(queryset: QuerySet, code: str) -> QuerySet:
    """Rows whose code equals the normalised ``code``, through the ``UPPER(code)`` index."""
    return queryset.alias(code_upper=Upper("code")).filter(code_upper=code)


def with_codes(queryset: QuerySet, codes: Iterable[str]) -> QuerySet:
    return queryset.alias(code_upper=Upper("code")).filter(code_upper__in=list(codes))


def voucher_code_taken(*, event: Event, code: str, exclude_id: int | None = None) -> bool:
    return with_code(Voucher.objects.filter(event=event), code).exclude(pk=exclude_id).exists()


def coupon_code_taken(*, organizer: Organizer | int, code: str, exclude_id: int | None = None) -> bool:
    """Taken by a coupon or promo code of the organizer."""
    return with_code(Coupon.objects.filter(organizer=organizer), code).exclude(pk=exclude_id).exists()


def organizer_voucher_code_taken(*, organizer: Organizer | int, code: str) -> bool:
    """Some event of the organizer has a voucher with this code."""
    return with_code(Voucher.objects.filter(event__organizer=organizer), code).exists()


def organizer_codes_taken(*, organizer: Organizer | int, codes: list[str]) -> set[str]:
    """Which of ``codes`` exist as a coupon, promo code or voucher of the organizer (one query per chunk)."""
    taken: set[str] = set()
    for chunk in chunks(codes):
        taken.update(
            with_codes(Coupon.objects.filter(organizer=organizer), chunk).values_list("code", flat=True)
        )
        taken.update(
            with_codes(Voucher.objects.filter(event__organizer=organizer), chunk).values_list(
                "code", flat=True
            )
        )
    return {code.upper() for code in taken}


def event_codes_taken(*, event: Event, codes: list[str]) -> set[str]:
    """Which of ``codes`` exist as a voucher of the event or a coupon/promo code of its organizer."""
    taken: set[str] = set()
    for chunk in chunks(codes):
        taken.update(with_codes(Voucher.objects.filter(event=event), chunk).values_list("code", flat=True))
        taken.update(
            with_codes(Coupon.objects.filter(organizer_id=event.organizer_id), chunk).values_list(
                "code", flat=True
            )
        )
    return {code.upper() for code in taken}


def usable_in_event(queryset: QuerySet, event: Event) -> QuerySet:
    """Coupons (or promo codes) whose series allows ``event``."""
    allowed = CouponSeries.allowed_events.through.objects.filter(
        couponseries_id=OuterRef("series_id"), event_id=event.pk
    )
    return queryset.filter(Q(series__allow_all_events=True) | Q(Exists(allowed)))

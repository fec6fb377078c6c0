"""Designating an event's discount code (``EventDiscountCode``), and removing the designation.

It only designates the code a shop shows for the event; what the code grants is the code's business."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from core.errors import DomainError
from ticketing.models import Event
from vouchers.codes import normalise_code
from vouchers.models import Coupon, EventDiscountCode, SeriesKind, Voucher
from vouchers.selectors import usable_in_event, with_code

CODE_NOT_FOUND = "No voucher of this event and no coupon or promo code of the organizer has this code."
NOT_FOR_EVENT = "This {kind} is not valid for this event: its series does not allow it."


def event_discount_code_find(*, event: Event, code: str, coupons: QuerySet[Coupon] | None = None):
    """The voucher of the event, or the coupon or promo code of the organizer, whose code is ``code``
    (ignoring case). ``coupons``: the coupons the caller may pick (default: every one of the organizer).
    Unknown: 400 ``code_not_found``; a coupon or promo code whose series does not allow the event: 400
    ``not_valid_for_event``; both naming ``field: code``."""
    text = normalise_code(code)
    voucher = with_code(Voucher.objects.filter(event=event), text).first() if text else None
    if voucher is not None:
        return voucher
    if coupons is None:
        coupons = Coupon.objects.all()
    coupon = (
        with_code(coupons.filter(organizer_id=event.organizer_id), text).select_related("series").first()
        if text
        else None
    )
    if coupon is None:
        raise DomainError(CODE_NOT_FOUND, code="code_not_found", field="code")
    if not usable_in_event(Coupon.objects.filter(pk=coupon.pk), event).exists():
        kind = "promo code" if coupon.series.kind == SeriesKind.PROMO_CODE else "coupon"
        raise DomainError(NOT_FOR_EVENT.format(kind=kind), code="not_valid_for_event", field="code")
    return coupon


@transaction.atomic
def event_discount_code_set(
    *, event: Event, code: str, coupons: QuerySet[Coupon] | None = None
) -> EventDiscountCode:
    """Designate the code with this text as the event's discount code (replacing any designated)."""
    found = event_discount_code_find(event=event, code=code, coupons=coupons)
    is_voucher = isinstance(found, Voucher)
    target = {"voucher": found if is_voucher else None, "coupon": None if is_voucher else found}
    designation = EventDiscountCode.objects.select_for_update().filter(event=event).first()
    if designation is None:
        try:
            with transaction.atomic():
                return EventDiscountCode.objects.create(event=event, **target)
        except IntegrityError:  # a concurrent request designated one first: replace it
            designation = EventDiscountCode.objects.select_for_update().get(event=event)
    if (designation.voucher_id, designation.coupon_id) != (
        found.pk if is_voucher else None,
        None if is_voucher else found.pk,
    ):
        designation.voucher, designation.coupon = target["voucher"], target["coupon"]
        designation.save()
    return designation


def event_discount_code_delete(*, designation: EventDiscountCode) -> None:
    """Remove the designation only; the code stays as it is."""
    designation.delete()

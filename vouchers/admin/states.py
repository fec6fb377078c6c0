"""A code's state in the back office (valid, not yet valid, expired, exhausted, inactive …), decided by the
checkout's own rules, and the currencies an organizer-wide code's amounts are spent in.

Vouchers and coupons (promo codes are coupon rows) go through the resolution's checks
(``resolve_voucher`` / ``resolve_coupon``, without a cart or event and with no uses held by carts): the
first check that fails names the state, as it names the error a customer would get. A series has no
such check of its own: its state is its switch and dates (the same ``check_dates``), then whether any
coupon of it is still usable (``coupon_active_q``, the API's ``active`` filter).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from ticketing.admin.display import money_text
from ticketing.models import Event
from vouchers.choices import CodeKind, DiscountType
from vouchers.event_codes import coupon_active_q
from vouchers.models import Coupon, CouponSeries, GiftCard, Voucher
from vouchers.resolution.resolve import check_dates, resolve_coupon, resolve_voucher
from vouchers.resolution.types import CodeError

VALID = "valid"
NO_COUPONS = "no coupons"
EMPTY = "empty"


def reason_text(error: CodeError) -> str:
    """``not_yet_valid`` → ``"not yet valid"``."""
    return error.reason.value.replace("_", " ")


def voucher_state(voucher: Voucher, now: datetime) -> str:
    try:
        resolve_voucher(voucher, now=now, held_elsewhere=0)
    except CodeError as error:
        return reason_text(error)
    return VALID


def coupon_state(coupon: Coupon, now: datetime) -> str:
    """A coupon's or promo code's state (needs its series)."""
    try:
        resolve_coupon(coupon, event=None, now=now, held_elsewhere=0, email=None, has_cart=False)
    except CodeError as error:
        return reason_text(error)
    return VALID


def with_usable_coupons(queryset: QuerySet[CouponSeries], now: datetime) -> QuerySet[CouponSeries]:
    """Series annotated with ``usable_coupons``: how many of their coupons a customer could use now
    (no event asked about: a per-event limit does not count)."""
    usable = (
        Coupon.objects.filter(series=OuterRef("pk"))
        .annotate(event_orders=Value(0))
        .filter(coupon_active_q(now))
        .order_by()
        .values("series")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(usable_coupons=Coalesce(Subquery(usable, output_field=IntegerField()), Value(0)))


def series_state(series: CouponSeries, *, coupons: int, usable: int, now: datetime) -> str:
    if not series.active:
        return "inactive"
    try:
        check_dates(series.valid_from, series.valid_until, now, CodeKind.COUPON)
    except CodeError as error:
        return reason_text(error)
    if coupons == 0:
        return NO_COUPONS
    return VALID if usable else "exhausted"


def gift_card_state(card: GiftCard, balance: Decimal, now: datetime) -> str:
    """``expired`` or ``empty`` as the checkout refuses a card (``vouchers.giftcards.gift_card_refusal``:
    its expiry, then its balance), else ``valid``."""
    if card.is_expired(now):
        return "expired"
    return EMPTY if balance <= 0 else VALID


def series_currencies(series: Iterable[CouponSeries]) -> dict[int, list[str]]:
    """The currencies each series' coupons are spent in: those of its allowed events, or of all its
    organizer's events (two queries for any number of series)."""
    series = list(series)
    limited = [s.pk for s in series if not s.allow_all_events]
    by_organizer: dict[int, set[str]] = {}
    organizers = {s.organizer_id for s in series if s.allow_all_events}
    # ``order_by()``: the models' default orderings would take part in DISTINCT.
    rows = Event.objects.filter(organizer_id__in=organizers).order_by()
    for organizer_id, currency in rows.values_list("organizer_id", "currency").distinct():
        by_organizer.setdefault(organizer_id, set()).add(currency)
    by_series: dict[int, set[str]] = {}
    through = CouponSeries.allowed_events.through.objects.filter(couponseries_id__in=limited).order_by()
    for series_id, currency in through.values_list("couponseries_id", "event__currency").distinct():
        by_series.setdefault(series_id, set()).add(currency)
    return {
        s.pk: sorted(by_organizer.get(s.organizer_id, ()) if s.allow_all_events else by_series.get(s.pk, ()))
        for s in series
    }


def amount_in_currencies(value: Decimal, currencies: list[str]) -> str:
    """``"5.00 EUR"``; in several currencies ``"5.00 EUR / 5 JPY"`` (the checkout rounds to each event's
    places); with no event to spend it in, the plain amount."""
    if not currencies:
        return f"{value.normalize():f}"
    return " / ".join(money_text(value, currency) for currency in currencies)


def series_discount_text(series: CouponSeries, currencies: list[str]) -> str:
    """``"10 %"``, ``"10 % (at most 20.00 EUR)"``, ``"5.00 EUR"``, ``"2.00 EUR per ticket"``."""
    if series.discount_type == DiscountType.PERCENT:
        text = f"{series.discount_value.normalize():f} %"
        if series.discount_max_value is not None:
            text += f" (at most {amount_in_currencies(series.discount_max_value, currencies)})"
        return text
    text = amount_in_currencies(series.discount_value, currencies)
    return f"{text} per ticket" if series.discount_type == DiscountType.FIX_PER_ITEM else text

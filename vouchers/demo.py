"""Demo codes for the demo conference (wired into ``manage.py demo``): one of each kind."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from ticketing.models import Event, Organizer
from vouchers.models import CouponSeries, PriceMode, PromoCode, SeriesKind, Voucher
from vouchers.selectors import with_code
from vouchers.services.coupons import coupon_series_create, coupons_generate
from vouchers.services.promo import promo_code_create

DEMO_VOUCHER = "DEMO-VOUCHER"
DEMO_SERIES = "Demo campaign"
DEMO_PROMO = "DEMO-PROMO"
DEMO_COUPONS = 100


@dataclass(frozen=True)
class DemoCodes:
    """One code of each kind, to type into the demo shop."""

    voucher: str
    coupon: str
    promo_code: str


@transaction.atomic
def ensure_demo_codes(organizer: Organizer, event: Event) -> DemoCodes:
    """Create what is missing — a 10 %-off voucher, a 15 %-off series with 100 generated coupons,
    a 5.00-off promo code — and return one code of each. Running it again changes nothing."""
    if not with_code(Voucher.objects.filter(event=event), DEMO_VOUCHER).exists():
        voucher = Voucher(
            event=event,
            code=DEMO_VOUCHER,
            max_usages=100,
            price_mode=PriceMode.PERCENT,
            value=Decimal("10"),
            tag="demo",
            comment="Created by manage.py demo.",
        )
        voucher.full_clean()
        voucher.save()
    series = CouponSeries.objects.filter(
        organizer=organizer, kind=SeriesKind.COUPON, name=DEMO_SERIES
    ).first()
    if series is None:
        series = coupon_series_create(
            organizer=organizer,
            name=DEMO_SERIES,
            discount_value=Decimal("15"),
            max_usage=1,
            tags=["demo"],
            note="Created by manage.py demo.",
        )
    missing = DEMO_COUPONS - series.coupons.count()
    if missing > 0:
        coupons_generate(series=series, count=missing, prefix="DEMO-", length=10)
    if not with_code(PromoCode.objects.filter(organizer=organizer), DEMO_PROMO).exists():
        promo_code_create(organizer=organizer, code=DEMO_PROMO, name="Demo promo", value=Decimal("5.00"))
    coupon = series.coupons.order_by("id").values_list("code", flat=True).first()
    return DemoCodes(voucher=DEMO_VOUCHER, coupon=coupon, promo_code=DEMO_PROMO)

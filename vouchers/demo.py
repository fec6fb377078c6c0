"""Demo codes for the demo conference (wired into ``manage.py demo``): one of each kind, a gift card, and
the codes the worked examples of ``docs/codes.md``, ``docs/orders.md`` and ``docs/giftcards.md`` use
(``orders/tests/test_docs_examples.py`` runs those examples against this data)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from ticketing.models import Event, Organizer
from ticketing.models.base import field_values
from vouchers.models import (
    Coupon,
    CouponSeries,
    DiscountType,
    EventDiscountCode,
    PriceMode,
    PromoCode,
    SeriesKind,
    Voucher,
)
from vouchers.selectors import organizer_codes_taken, organizer_voucher_code_taken, with_code
from vouchers.services.checks import validate_voucher_conflicts
from vouchers.services.coupons import coupon_create, coupon_series_create, coupons_generate
from vouchers.services.event_codes import event_discount_code_set
from vouchers.services.giftcards import gift_card_create
from vouchers.services.promo import promo_code_create
from vouchers.services.vouchers import voucher_create

DEMO_VOUCHER = "DEMO-VOUCHER"
DEMO_SERIES = "Demo campaign"
DEMO_PROMO = "DEMO-PROMO"
DEMO_COUPONS = 100
DEMO_GIFT_CARD = "DEMO-GIFT"
DEMO_GIFT_CARD_VALUE = Decimal("50.00")
NOTE = "Created by manage.py demo."

#: The codes of the docs' worked examples: code text -> its coupon series (one coupon each).
EXAMPLE_COUPONS: dict[str, dict[str, Any]] = {
    # Two combinable codes that stack in the order they are added.
    "TEN-PCT": {"name": "Docs: 10 % off, combinable", "discount_type": DiscountType.PERCENT,
                "discount_value": Decimal("10"), "can_be_combined": True},
    "THREE-OFF": {"name": "Docs: 3.00 off, combinable", "discount_type": DiscountType.FIX,
                  "discount_value": Decimal("3.00"), "can_be_combined": True},
    # 10.00 off the order, before the "3 for 2" rule: takes 10.00 off, saves less.
    "TEN-OFF": {"name": "Docs: 10.00 off the order", "discount_type": DiscountType.FIX,
                "discount_value": Decimal("10.00")},
    # 10 % off one ticket only (over all its uses): a larger cart gets a partly_applied warning.
    "ONE-TICKET": {"name": "Docs: 10 % off one ticket", "discount_type": DiscountType.PERCENT,
                   "discount_value": Decimal("10"), "max_tickets": 1},
}  # fmt: skip


@dataclass(frozen=True)
class DemoCodes:
    """One code of each kind, to type into the demo shop (``coupon`` is one no order has used), and the
    coupon the demo's own order uses (single use: typing it again answers ``exhausted``)."""

    voucher: str
    coupon: str
    promo_code: str
    order_coupon: str


@transaction.atomic
def ensure_demo_codes(organizer: Organizer, event: Event) -> DemoCodes:
    """Create what is missing — a 10 %-off voucher, a 15 %-off series with 100 generated coupons,
    a 5.00-off promo code (the designated discount code of every event of the organizer), and the docs'
    example codes (:func:`ensure_example_codes`) — and return one code of each kind. Running it again
    changes nothing."""
    if not with_code(Voucher.objects.filter(event=event), DEMO_VOUCHER).exists():
        voucher = Voucher(
            event=event,
            code=DEMO_VOUCHER,
            max_usages=100,
            price_mode=PriceMode.PERCENT,
            value=Decimal("10"),
            tag="demo",
            comment=NOTE,
        )
        voucher.full_clean()  # the fields and the rules that need no query (Voucher.clean())
        values = field_values(voucher)
        validate_voucher_conflicts(**values)  # and those that query: the code is free
        voucher_create(**values)  # which claims its text, as every voucher's
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
            note=NOTE,
        )
    missing = DEMO_COUPONS - series.coupons.count()
    if missing > 0:
        coupons_generate(series=series, count=missing, prefix="DEMO-", length=10)
    if not with_code(PromoCode.objects.filter(organizer=organizer), DEMO_PROMO).exists():
        promo_code_create(organizer=organizer, code=DEMO_PROMO, name="Demo promo", value=Decimal("5.00"))
    ensure_example_codes(organizer)
    ensure_demo_gift_card(organizer, event.currency)
    ensure_demo_discount_codes(organizer)
    coupons = series.coupons.order_by("id")
    order_coupon = coupons.values_list("code", flat=True).first()
    unused = coupons.filter(used_orders=0).exclude(code=order_coupon).values_list("code", flat=True).first()
    return DemoCodes(voucher=DEMO_VOUCHER, coupon=unused, promo_code=DEMO_PROMO, order_coupon=order_coupon)


def ensure_example_codes(organizer: Organizer) -> None:
    """The codes of the docs' worked examples: one coupon per series of :data:`EXAMPLE_COUPONS`. A code
    whose text the organizer already has (of any kind) is left as it is; a series is found again by its
    name."""
    for code, settings in EXAMPLE_COUPONS.items():
        coupons = Coupon.objects.filter(organizer=organizer)
        if with_code(coupons, code).exists() or organizer_voucher_code_taken(organizer=organizer, code=code):
            continue
        settings = dict(settings)
        name = settings.pop("name")
        series = CouponSeries.objects.filter(organizer=organizer, kind=SeriesKind.COUPON, name=name).first()
        if series is None:
            series = coupon_series_create(
                organizer=organizer, name=name, tags=["demo"], note=NOTE, **settings
            )
        coupon_create(organizer=organizer, series=series, code=code)


def ensure_demo_discount_codes(organizer: Organizer) -> None:
    """``DEMO-PROMO`` (valid in every event) as the designated discount code of each of the organizer's
    events that designates none (docs/codes.md, "An event's discount code")."""
    for event in Event.objects.filter(organizer=organizer).exclude(
        pk__in=EventDiscountCode.objects.values("event_id")
    ):
        event_discount_code_set(event=event, code=DEMO_PROMO)


def ensure_demo_gift_card(organizer: Organizer, currency: str) -> None:
    """The gift card ``DEMO-GIFT`` worth 50.00, usable in every event (issued once; a code the organizer
    already has, of any kind, is left alone)."""
    if organizer_codes_taken(organizer=organizer, codes=[DEMO_GIFT_CARD]):
        return
    gift_card_create(
        organizer=organizer, code=DEMO_GIFT_CARD, currency=currency, initial_value=DEMO_GIFT_CARD_VALUE,
        note=NOTE, text="Issued by manage.py demo",
    )  # fmt: skip

"""factory-boy factories for vouchers, coupon series, coupons and promo codes."""

from __future__ import annotations

from decimal import Decimal

import factory

from ticketing.tests.factories import EventFactory, OrganizerFactory
from vouchers import models


class VoucherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Voucher

    event = factory.SubFactory(EventFactory)
    code = factory.Sequence(lambda n: f"VOUCHER{n:05d}")

    class Params:
        percent = factory.Trait(price_mode=models.PriceMode.PERCENT, value=Decimal("10.00"))
        used_up = factory.Trait(max_usages=1, redeemed=1)


class CouponSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CouponSeries
        skip_postgeneration_save = True

    organizer = factory.SubFactory(OrganizerFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    discount_type = models.DiscountType.PERCENT
    discount_value = Decimal("10.00")

    @factory.post_generation
    def allowed_events(self, create, extracted, **kwargs):
        if create and extracted:
            self.allowed_events.set(extracted)

    @factory.post_generation
    def allowed_items(self, create, extracted, **kwargs):
        if create and extracted:
            self.allowed_items.set(extracted)


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Coupon

    series = factory.SubFactory(CouponSeriesFactory)
    organizer = factory.SelfAttribute("series.organizer")
    code = factory.Sequence(lambda n: f"COUPON{n:05d}")


class PromoSeriesFactory(CouponSeriesFactory):
    kind = models.SeriesKind.PROMO_CODE
    name = factory.Sequence(lambda n: f"Promo {n}")
    can_be_combined = False


class PromoCodeFactory(CouponFactory):
    """A promo code: its series and its one coupon row (the promo code's id)."""

    series = factory.SubFactory(PromoSeriesFactory)
    code = factory.Sequence(lambda n: f"PROMO{n:05d}")


class GiftCardFactory(factory.django.DjangoModelFactory):
    """A gift card; ``value`` (default 50.00) is booked as its issue transaction, as the service does."""

    class Meta:
        model = models.GiftCard
        skip_postgeneration_save = True

    organizer = factory.SubFactory(OrganizerFactory)
    code = factory.Sequence(lambda n: f"GIFT{n:05d}")
    currency = "EUR"

    @factory.post_generation
    def value(self, create, extracted, **kwargs):
        if create:
            amount = Decimal("50.00") if extracted is None else extracted
            models.GiftCardTransaction.objects.create(card=self, kind=models.GiftCardTransactionKind.ISSUE,
                                                      value=amount)  # fmt: skip

    @factory.post_generation
    def allowed_events(self, create, extracted, **kwargs):
        if create and extracted:
            self.allowed_events.set(extracted)

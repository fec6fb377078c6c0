"""factory-boy factories for vouchers, coupon series, coupons, promo codes and gift cards.

Each code claims its text in the organizer's code space, as the services do (``claim=False``: a code
stored without its claim, as codes of two kinds with one text were before the claims existed).
"""

from __future__ import annotations

from decimal import Decimal

import factory

from ticketing.tests.factories import EventFactory, OrganizerFactory
from vouchers import models
from vouchers.codes import normalise_code
from vouchers.services.code_texts import code_texts_claim


def claim_text(holder: str, organizer_id: int, code: str, owner: int | None = None) -> None:
    code_texts_claim(organizer_id=organizer_id, holder=holder, codes={normalise_code(code): owner})


class VoucherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Voucher
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    code = factory.Sequence(lambda n: f"VOUCHER{n:05d}")

    @factory.post_generation
    def claim(self, create, extracted, **kwargs):
        if create and extracted is not False:
            claim_text(models.CodeHolder.VOUCHER, self.event.organizer_id, self.code)

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
        skip_postgeneration_save = True

    series = factory.SubFactory(CouponSeriesFactory)
    organizer = factory.SelfAttribute("series.organizer")
    code = factory.Sequence(lambda n: f"COUPON{n:05d}")

    @factory.post_generation
    def claim(self, create, extracted, **kwargs):
        if create and extracted is not False:
            claim_text(models.CodeHolder.COUPON, self.organizer_id, self.code, self.pk)


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
    def claim(self, create, extracted, **kwargs):
        if create and extracted is not False:
            claim_text(models.CodeHolder.GIFT_CARD, self.organizer_id, self.code, self.pk)

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

"""factory-boy factories for discount rules."""

from __future__ import annotations

from decimal import Decimal

import factory

from discounts.models import Discount, SubeventMode
from ticketing.tests.factories import EventFactory


class DiscountFactory(factory.django.DjangoModelFactory):
    """A valid rule: 10% off from 2 products. Traits: ``three_for_two``, ``min_value``, ``distinct``."""

    class Meta:
        model = Discount
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    internal_name = factory.Sequence(lambda n: f"Rule {n}")
    condition_min_count = 2
    benefit_discount_matching_percent = Decimal("10.00")

    class Params:
        three_for_two = factory.Trait(
            internal_name="3 for 2",
            condition_min_count=3,
            benefit_only_apply_to_cheapest_n_matches=1,
            benefit_discount_matching_percent=Decimal("100.00"),
        )
        min_value = factory.Trait(
            condition_min_count=0,
            condition_min_value=Decimal("100.00"),
            benefit_discount_matching_percent=Decimal("10.00"),
        )
        distinct = factory.Trait(subevent_mode=SubeventMode.DISTINCT)
        inactive = factory.Trait(active=False)

    @factory.post_generation
    def condition_limit_products(self, create, extracted, **kwargs):
        if create and extracted:
            self.condition_all_products = False
            self.save(update_fields=["condition_all_products"])
            self.condition_limit_products.set(extracted)

    @factory.post_generation
    def benefit_limit_products(self, create, extracted, **kwargs):
        if create and extracted:
            self.benefit_same_products = False
            self.save(update_fields=["benefit_same_products"])
            self.benefit_limit_products.set(extracted)

    @factory.post_generation
    def limit_sales_channels(self, create, extracted, **kwargs):
        if create and extracted:
            self.all_sales_channels = False
            self.save(update_fields=["all_sales_channels"])
            self.limit_sales_channels.set(extracted)

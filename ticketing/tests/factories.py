"""factory-boy factories for the ticketing models."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from ticketing import models
from ticketing.services import sales_channel_ensure_web, team_token_create


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("secret-password")


class OrganizerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organizer
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"org{n}")
    name = factory.LazyAttribute(lambda o: f"Organizer {o.slug}")

    @factory.post_generation
    def web_channel(self, create, extracted, **kwargs):
        if create:
            sales_channel_ensure_web(organizer=self)


class SalesChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SalesChannel
        django_get_or_create = ("organizer", "identifier")

    organizer = factory.SubFactory(OrganizerFactory)
    identifier = factory.Sequence(lambda n: f"channel{n}")
    label = factory.LazyAttribute(lambda c: c.identifier.title())


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Event

    organizer = factory.SubFactory(OrganizerFactory)
    slug = factory.Sequence(lambda n: f"event{n}")
    name = factory.LazyAttribute(lambda e: f"Event {e.slug}")
    currency = "EUR"
    date_from = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    live = True

    class Params:
        series = factory.Trait(has_subevents=True)


class SubEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SubEvent

    event = factory.SubFactory(EventFactory, has_subevents=True)
    name = factory.Sequence(lambda n: f"Date {n}")
    date_from = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    active = True


class ItemCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ItemCategory

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Category {n}")

    class Params:
        addon = factory.Trait(is_addon=True)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Item

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Ticket {n}")
    default_price = Decimal("23.00")

    class Params:
        hidden = factory.Trait(hide_without_voucher=True)
        inactive = factory.Trait(active=False)


class ItemVariationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ItemVariation

    item = factory.SubFactory(ItemFactory)
    value = factory.Sequence(lambda n: f"Variant {n}")


class ItemAddOnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ItemAddOn

    base_item = factory.SubFactory(ItemFactory)
    addon_category = factory.SubFactory(
        ItemCategoryFactory, event=factory.SelfAttribute("..base_item.event"), is_addon=True
    )
    min_count = 0
    max_count = 2


class ItemBundleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ItemBundle

    base_item = factory.SubFactory(ItemFactory)
    bundled_item = factory.SubFactory(
        ItemFactory, event=factory.SelfAttribute("..base_item.event"), require_bundling=True
    )
    count = 1
    designated_price = Decimal("5.00")


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Quota
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Quota {n}")
    size = 100

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if create and extracted:
            self.items.set(extracted)

    @factory.post_generation
    def variations(self, create, extracted, **kwargs):
        if create and extracted:
            self.variations.set(extracted)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Team
        skip_postgeneration_save = True

    organizer = factory.SubFactory(OrganizerFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    all_events = True

    class Params:
        all_permissions = factory.Trait(**{p: True for p in models.Team.PERMISSIONS})

    @factory.post_generation
    def limit_events(self, create, extracted, **kwargs):
        if create and extracted:
            self.limit_events.set(extracted)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)


def make_token(team: models.Team, name: str = "test token") -> str:
    """Create an API token for the team and return the raw token (as shown once to the user)."""
    return team_token_create(team=team, name=name).raw


class EventSettingsFactory(factory.django.DjangoModelFactory):
    """An event's settings row (pretix's defaults unless given)."""

    class Meta:
        model = models.EventSettings

    event = factory.SubFactory(EventFactory)

"""factory-boy factories for carts and orders (stored rows, without running the checkout)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from orders import models
from orders.sales import positions_sold, record_sales
from ticketing.models import SalesChannel
from ticketing.tests.factories import EventFactory, ItemFactory


def web_channel(event) -> SalesChannel:
    return SalesChannel.objects.get_or_create(
        organizer=event.organizer, identifier=SalesChannel.WEB, defaults={"label": "Online shop"}
    )[0]


class CartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Cart

    event = factory.SubFactory(EventFactory)
    sales_channel = factory.LazyAttribute(lambda c: web_channel(c.event))
    expires = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=30))

    class Params:
        expired = factory.Trait(expires=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1)))


class CartPositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CartPosition

    cart = factory.SubFactory(CartFactory)
    item = factory.SubFactory(ItemFactory, event=factory.SelfAttribute("..cart.event"))


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Order

    event = factory.SubFactory(EventFactory)
    email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    sales_channel = factory.LazyAttribute(lambda o: web_channel(o.event))

    class Params:
        paid = factory.Trait(status=models.OrderStatus.PAID)
        canceled = factory.Trait(status=models.OrderStatus.CANCELED)


class OrderPositionFactory(factory.django.DjangoModelFactory):
    """A stored position; like the checkout, it adds to its product's sales count (pending/paid orders)."""

    class Meta:
        model = models.OrderPosition

    order = factory.SubFactory(OrderFactory)
    positionid = factory.Sequence(lambda n: n + 1)
    item = factory.SubFactory(ItemFactory, event=factory.SelfAttribute("..order.event"))
    list_price = Decimal("23.00")
    price = factory.SelfAttribute("list_price")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        position = super()._create(model_class, *args, **kwargs)
        status = position.order.status
        if status in (models.OrderStatus.PENDING, models.OrderStatus.PAID):
            product = (position.item_id, position.variation_id, position.subevent_id)
            record_sales(positions_sold([product], status))
        return position

"""factory-boy factories for notifications (tests that need rows without going through ``announce``)."""

from __future__ import annotations

import factory
from django.utils import timezone

from notifications import models
from notifications.types import NotificationType
from ticketing.tests.factories import OrganizerFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Notification

    organizer = factory.SubFactory(OrganizerFactory)
    event = None
    type = NotificationType.ORDER_PLACED
    created = factory.LazyFunction(timezone.now)
    order_code = ""
    data = factory.LazyFunction(dict)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Delivery

    notification = factory.SubFactory(NotificationFactory)
    handler = factory.Sequence(lambda n: f"handler-{n}")
    next_attempt = factory.LazyFunction(timezone.now)

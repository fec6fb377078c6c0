"""factory-boy factories for jobs."""

from __future__ import annotations

import factory

from jobs import models
from ticketing.tests.factories import OrganizerFactory


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Job

    organizer = factory.SubFactory(OrganizerFactory)
    kind = models.JobKind.GENERATE_COUPONS
    params = factory.LazyFunction(lambda: {"series": 1, "count": 10})

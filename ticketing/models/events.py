"""Events, and the dates (sub-events) of an event series."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from core.constraints import window
from ticketing.models.base import field_values
from ticketing.models.organizers import SLUG_VALIDATOR, Organizer

NEGATIVE_PRICE = "The price cannot be negative."


class Event(models.Model):
    organizer = models.ForeignKey(Organizer, on_delete=models.PROTECT, related_name="events")
    slug = models.CharField(max_length=50, validators=[SLUG_VALIDATOR])
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, default="EUR", help_text="ISO 4217 code, e.g. EUR, JPY, KWD.")
    date_from = models.DateTimeField()
    date_to = models.DateTimeField(null=True, blank=True)
    has_subevents = models.BooleanField(default=False, help_text="An event series with several dates.")
    live = models.BooleanField(default=False, help_text="The shop is open to customers.")
    presale_start = models.DateTimeField(null=True, blank=True)
    presale_end = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")

    class Meta:
        ordering = ("date_from", "slug")
        constraints = [
            models.UniqueConstraint(fields=["organizer", "slug"], name="uniq_event_slug_per_organizer"),
            # The simple half of validate_event, enforced by the database as well.
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_from__lte=F("date_to")), name="event_date_window"
            ),
            window("presale_start", "presale_end", name="event_presale_window"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from ticketing.validation import validate_event

        validate_event(**field_values(self))


class SubEvent(models.Model):
    """One date of an event series, optionally overriding item and variation prices."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="subevents")
    name = models.CharField(max_length=200)
    date_from = models.DateTimeField()
    date_to = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=False)
    presale_start = models.DateTimeField(null=True, blank=True)
    presale_end = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("date_from", "id")
        verbose_name = "date"
        # The simple half of validate_subevent, enforced by the database as well.
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_from__lte=F("date_to")),
                name="subevent_date_window",
            ),
            window("presale_start", "presale_end", name="subevent_presale_window"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date_from:%Y-%m-%d %H:%M})"

    def clean(self) -> None:
        from ticketing.validation import validate_subevent

        validate_subevent(**field_values(self))


class SubEventItem(models.Model):
    subevent = models.ForeignKey(SubEvent, on_delete=models.CASCADE, related_name="item_overrides")
    item = models.ForeignKey("ticketing.Item", on_delete=models.CASCADE, related_name="subevent_overrides")
    price = models.DecimalField(max_digits=13, decimal_places=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subevent", "item"], name="uniq_subevent_item"),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="subevent_item_price_ge_0",
                violation_error_message=NEGATIVE_PRICE,  # no validation function checks it first
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} on {self.subevent}: {self.price}"


class SubEventItemVariation(models.Model):
    subevent = models.ForeignKey(SubEvent, on_delete=models.CASCADE, related_name="variation_overrides")
    variation = models.ForeignKey(
        "ticketing.ItemVariation", on_delete=models.CASCADE, related_name="subevent_overrides"
    )
    price = models.DecimalField(max_digits=13, decimal_places=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subevent", "variation"], name="uniq_subevent_variation"),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="subevent_variation_price_ge_0",
                violation_error_message=NEGATIVE_PRICE,  # no validation function checks it first
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variation} on {self.subevent}: {self.price}"

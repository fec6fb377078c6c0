"""An event's settings beyond its own fields: for now pretix's payment terms (docs/api/eventsettings.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from ticketing.models.base import field_values
from ticketing.models.events import Event
from ticketing.payment_terms import (
    MAX_DAYS_BEFORE_START,
    MAX_TERM_DAYS,
    MAX_TERM_MINUTES,
    LastPaymentDate,
    PaymentTermMode,
    PaymentTerms,
)

DEFAULTS = PaymentTerms()


class EventSettings(models.Model):
    """One row per event, made on its first change; an event without one has pretix's defaults
    (``ticketing.payment_terms.PaymentTerms``).

    The last date of payments is stored as two columns, at most one of them set: a calendar date, or a
    number of days before the start of the event (of each date, in a series). The API and the admin show
    them as one value (``LastPaymentDate``)."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, primary_key=True, related_name="settings")
    payment_term_mode = models.CharField(
        max_length=10,
        choices=[(mode.value, f"in {mode.value}") for mode in PaymentTermMode],
        default=DEFAULTS.mode.value,
        help_text="Days: the deadline is the end of a day. Minutes: only for real-time payment methods.",
    )
    payment_term_days = models.PositiveIntegerField(
        default=DEFAULTS.days,
        help_text="Days after placing an order that the customer has to pay (days mode).",
    )
    payment_term_weekdays = models.BooleanField(
        default=DEFAULTS.weekdays,
        help_text="A deadline on a Saturday or Sunday moves to the next Monday (days mode only).",
    )
    payment_term_minutes = models.PositiveIntegerField(
        default=DEFAULTS.minutes,
        help_text="Minutes after placing an order that the customer has to pay (minutes mode).",
    )
    payment_term_last_date = models.DateField(
        null=True, blank=True, help_text="Last date of payments: no payment after the end of this day."
    )
    payment_term_last_days_before = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Last date of payments, as days before the start of the event (of the date, in a series).",
    )
    payment_term_expire_automatically = models.BooleanField(
        default=DEFAULTS.expire_automatically,
        help_text="Unpaid orders expire by themselves at the end of their payment deadline.",
    )
    payment_term_accept_late = models.BooleanField(
        default=DEFAULTS.accept_late,
        help_text="Accept payments of expired orders while there is room, never after the last date.",
    )

    class Meta:
        verbose_name = "event settings"
        verbose_name_plural = "event settings"
        # The simple half of validate_event_settings, enforced by the database as well.
        constraints = [
            models.CheckConstraint(
                condition=Q(payment_term_mode__in=[mode.value for mode in PaymentTermMode]),
                name="event_settings_payment_term_mode",
            ),
            models.CheckConstraint(
                condition=Q(payment_term_days__lte=MAX_TERM_DAYS), name="event_settings_payment_term_days"
            ),
            models.CheckConstraint(
                condition=Q(payment_term_minutes__lte=MAX_TERM_MINUTES),
                name="event_settings_payment_term_minutes",
            ),
            models.CheckConstraint(
                condition=Q(payment_term_last_days_before__isnull=True)
                | Q(payment_term_last_days_before__lte=MAX_DAYS_BEFORE_START),
                name="event_settings_payment_term_last_days",
            ),
            models.CheckConstraint(
                condition=Q(payment_term_last_date__isnull=True)
                | Q(payment_term_last_days_before__isnull=True),
                name="event_settings_one_last_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Settings of {self.event_id}"

    @property
    def payment_term_last(self) -> LastPaymentDate | None:
        if self.payment_term_last_date is not None:
            return LastPaymentDate(absolute=self.payment_term_last_date)
        if self.payment_term_last_days_before is not None:
            return LastPaymentDate(days_before=self.payment_term_last_days_before)
        return None

    @payment_term_last.setter
    def payment_term_last(self, value: LastPaymentDate | None) -> None:
        self.payment_term_last_date = value.absolute if value is not None else None
        self.payment_term_last_days_before = value.days_before if value is not None else None

    def payment_terms(self) -> PaymentTerms:
        return PaymentTerms(
            mode=PaymentTermMode(self.payment_term_mode),
            days=self.payment_term_days,
            weekdays=self.payment_term_weekdays,
            minutes=self.payment_term_minutes,
            last=self.payment_term_last,
            expire_automatically=self.payment_term_expire_automatically,
            accept_late=self.payment_term_accept_late,
        )

    def clean(self) -> None:
        from ticketing.validation import validate_event_settings

        validate_event_settings(**field_values(self))

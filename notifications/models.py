"""The outbox: a row per announced transition (``Notification``), and a row per handler that is to react
to it (``Delivery``), both written in the transaction of the change (``notifications.services``).

A notification belongs to its organizer and, unless it is organizer-wide (a gift card transaction), to an
event; both cascade: an event or organizer can only be deleted when nothing was sold, and its
notifications, and their deliveries, go with it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from notifications.types import TYPE_MAX_LENGTH, NotificationType
from ticketing.models import Event, Organizer

#: As long as an order's code may be (``orders.Order.code``).
ORDER_CODE_MAX_LENGTH = 32
#: The longest name a handler may be registered under (``notifications.handlers``).
HANDLER_NAME_MAX_LENGTH = 100


class Notification(models.Model):
    """``data``: what changed, as plain JSON (amounts as decimal strings). ``created`` is the time of the
    change (the ``now`` of the service that made it), not of the INSERT."""

    id = models.BigAutoField(primary_key=True)
    type = models.CharField(max_length=TYPE_MAX_LENGTH, choices=NotificationType.choices)
    created = models.DateTimeField()
    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications",
        help_text="Empty for organizer-wide notifications (gift cards).",
    )  # fmt: skip
    order_code = models.CharField(max_length=ORDER_CODE_MAX_LENGTH, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = [
            models.Index(fields=["organizer", "id"], name="notification_organizer"),
            models.Index(fields=["organizer", "type", "id"], name="notification_org_type"),
            models.Index(fields=["event", "id"], name="notification_event"),
            models.Index(fields=["order_code"], name="notification_order"),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One handler's work on one notification: ``pending`` until the handler returned (``done``), or until
    it raised ``NOTIFICATION_DELIVERY_ATTEMPTS`` times (``failed``); between attempts it waits until
    ``next_attempt`` (exponential backoff)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    handler = models.CharField(max_length=HANDLER_NAME_MAX_LENGTH, help_text="The handler's registered name.")
    state = models.CharField(max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt = models.DateTimeField(help_text="A pending delivery is due from then on.")
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["notification", "handler"], name="uniq_delivery_handler"),
        ]
        indexes = [
            # What the periodic delivery looks for: the due pending ones, oldest first.
            models.Index(
                fields=["next_attempt", "id"], name="delivery_due", condition=Q(state=DeliveryState.PENDING)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handler} of notification {self.notification_id} ({self.state})"

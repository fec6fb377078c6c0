"""Organizers, their sales channels, their teams and the teams' API tokens."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

SLUG_VALIDATOR = RegexValidator(
    r"^[a-zA-Z0-9][a-zA-Z0-9.-]*$",
    "Use letters, digits, dots and dashes only, starting with a letter or digit.",
)


class Organizer(models.Model):
    slug = models.CharField(max_length=50, unique=True, validators=[SLUG_VALIDATOR])
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class SalesChannel(models.Model):
    """Where a sale happens (``web`` shop, ``box`` office, ``resellers`` ...). ``web`` always exists."""

    WEB = "web"

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="sales_channels")
    identifier = models.CharField(
        max_length=50,
        validators=[RegexValidator(r"^[a-z0-9_.-]+$", "Use lowercase letters, digits, '_', '.', '-'.")],
    )
    label = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "identifier")
        constraints = [
            models.UniqueConstraint(fields=["organizer", "identifier"], name="uniq_sales_channel_identifier"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.identifier})"


class Team(models.Model):
    """A group of people (users) and API tokens sharing permissions on some or all events."""

    PERMISSIONS = (
        "can_change_organizer_settings",
        "can_change_event_settings",
        "can_change_items",
        "can_view_orders",
        "can_change_orders",
        "can_view_vouchers",
        "can_change_vouchers",
    )

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    all_events = models.BooleanField(
        default=False, help_text="The team may access every event, present and future."
    )
    limit_events = models.ManyToManyField("ticketing.Event", blank=True, related_name="teams")

    can_change_organizer_settings = models.BooleanField(default=False)
    can_change_event_settings = models.BooleanField(default=False)
    can_change_items = models.BooleanField(default=False)
    can_view_orders = models.BooleanField(default=False)
    can_change_orders = models.BooleanField(default=False)
    can_view_vouchers = models.BooleanField(default=False)
    can_change_vouchers = models.BooleanField(default=False)

    class Meta:
        ordering = ("organizer", "name")

    def __str__(self) -> str:
        return f"{self.organizer.slug}: {self.name}"

    def permission_set(self) -> frozenset[str]:
        return frozenset(p for p in self.PERMISSIONS if getattr(self, p))


class TeamAPIToken(models.Model):
    """An API token of a team. Only a SHA-256 digest is stored; the token is shown once on creation."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=200)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=8, editable=False, help_text="First characters, to recognise a token."
    )
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("team", "name")
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

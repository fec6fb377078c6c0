"""Quotas: how many of some items/variations (of one date in a series) can be sold."""

from __future__ import annotations

from django.db import models

from ticketing.models.base import field_values
from ticketing.models.events import Event, SubEvent
from ticketing.models.items import Item, ItemVariation


class Quota(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="quotas")
    subevent = models.ForeignKey(
        SubEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="quotas"
    )
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    items = models.ManyToManyField(Item, blank=True, related_name="quotas")
    variations = models.ManyToManyField(ItemVariation, blank=True, related_name="quotas")

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from ticketing.validation import validate_quota

        validate_quota(**field_values(self))

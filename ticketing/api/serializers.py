"""Serializers of organizers, sales channels and events."""

from __future__ import annotations

from rest_framework import serializers

from core.serializers import StrictModelSerializer
from ticketing.api.common import ReplaceOnPutMixin
from ticketing.api.validation import SharedValidationMixin
from ticketing.models import Event, Organizer, SalesChannel
from ticketing.validation import validate_event


class OrganizerSerializer(StrictModelSerializer):
    class Meta:
        model = Organizer
        fields = ("slug", "name")


class SalesChannelSerializer(ReplaceOnPutMixin, StrictModelSerializer):
    class Meta:
        model = SalesChannel
        fields = ("id", "identifier", "label", "position")

    def validate_identifier(self, value: str) -> str:
        if self.instance is not None:
            if self.instance.identifier != value:
                raise serializers.ValidationError("The identifier of a sales channel cannot be changed.")
            return value  # a PUT repeating the identifier keeps it
        organizer = self.context["organizer"]
        if SalesChannel.objects.filter(organizer=organizer, identifier=value).exists():
            raise serializers.ValidationError(f"A sales channel '{value}' already exists.")
        return value


class EventSerializer(ReplaceOnPutMixin, SharedValidationMixin, StrictModelSerializer):
    shared_validator = validate_event

    class Meta:
        model = Event
        fields = (
            "slug", "name", "currency", "date_from", "date_to", "has_subevents", "live",
            "presale_start", "presale_end", "timezone",
        )

    def validate_slug(self, value: str) -> str:
        if self.instance is not None and self.instance.slug != value:
            raise serializers.ValidationError("The slug of an event cannot be changed.")
        organizer = self.context["organizer"]
        if self.instance is None and Event.objects.filter(organizer=organizer, slug=value).exists():
            raise serializers.ValidationError("An event with this slug already exists.")
        return value

    def validate_currency(self, value: str) -> str:
        if self.instance is not None and self.instance.currency != value and self.instance.items.exists():
            raise serializers.ValidationError("The currency cannot be changed once the event has items.")
        return value

    def validate_has_subevents(self, value: bool) -> bool:
        if self.instance is not None and self.instance.has_subevents != value:
            raise serializers.ValidationError("An event cannot be turned into or out of a series.")
        return value

    def extra_validation_values(self):
        return {}

"""Organizer, sales-channel and event endpoints."""

from __future__ import annotations

from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS

from ticketing.api.filters import FilterSet
from ticketing.api.scoping import (
    EVENT_FORBIDDEN,
    ORGANIZER_FORBIDDEN,
    SLUG_PATTERN,
    OrganizerScopedMixin,
    require_permission,
)
from ticketing.api.serializers import EventSerializer, OrganizerSerializer, SalesChannelSerializer
from ticketing.models import Event, SalesChannel
from ticketing.rights import EVENTS, ORGANIZER
from ticketing.selectors import visible_organizers
from ticketing.services import event_delete, sales_channel_delete


class OrganizerViewSet(viewsets.ReadOnlyModelViewSet):
    """Organizers the caller belongs to (superusers see all)."""

    serializer_class = OrganizerSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    ordering_fields = ("slug", "name")
    ordering = ("slug",)

    def get_queryset(self):
        return visible_organizers(self.request.user)

    def get_object(self):
        organizer = self.get_queryset().filter(slug=self.kwargs["slug"]).first()
        if organizer is None:
            raise PermissionDenied(ORGANIZER_FORBIDDEN)
        return organizer


class SalesChannelViewSet(OrganizerScopedMixin, viewsets.ModelViewSet):
    queryset = SalesChannel.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = SalesChannelSerializer
    rights = ORGANIZER
    ordering_fields = ("id", "identifier", "position")
    ordering = ("position", "identifier")

    def get_queryset(self):
        return self.organizer.sales_channels.all()

    def perform_create(self, serializer):
        serializer.save(organizer=self.organizer)

    def perform_destroy(self, instance):
        sales_channel_delete(channel=instance)


class EventFilter(FilterSet):
    class Meta:
        model = Event
        fields = ("live", "has_subevents")


class EventViewSet(OrganizerScopedMixin, viewsets.ModelViewSet):
    """Events of the organizer that the caller's teams may see; ``slug`` is the id in URLs."""

    queryset = Event.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = EventSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    filterset_class = EventFilter
    ordering_fields = ("date_from", "slug", "name")
    ordering = ("date_from", "slug")

    def get_queryset(self):
        return self.access.visible_events()

    def get_object(self):
        # An event the caller may not see answers like a nonexistent one: 403, same body.
        event = self.get_queryset().filter(slug=self.kwargs["slug"]).first()
        if event is None:
            raise PermissionDenied(EVENT_FORBIDDEN)
        self.check_object_permissions(self.request, event)
        return event

    rights = EVENTS

    def required_permission(self, request):
        if request.method in SAFE_METHODS:
            return None
        if self.action == "create":
            return self.rights.create
        return None  # checked against the event's teams in check_object_permissions

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in SAFE_METHODS:
            needed = self.rights.write
            require_permission(needed, self.access.holds(needed, event=obj), "event")

    def perform_create(self, serializer):
        serializer.save(organizer=self.organizer)

    def perform_destroy(self, instance):
        event_delete(event=instance)


"""Notifications as the API answers them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import StrictModelSerializer
from notifications.models import Notification


class NotificationSerializer(StrictModelSerializer):
    """``data``: what changed, as the service that made the change wrote it (amounts as decimal strings)."""

    organizer = serializers.SerializerMethodField()
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    order = serializers.SerializerMethodField()
    data = serializers.JSONField(read_only=True)

    class Meta:
        model = Notification
        fields = ("id", "type", "created", "organizer", "event", "order", "data")
        read_only_fields = fields

    @extend_schema_field({"type": "string", "description": "The organizer's slug."})
    def get_organizer(self, notification: Notification) -> str:
        organizer = self.context.get("organizer")
        return organizer.slug if organizer is not None else notification.organizer.slug

    @extend_schema_field({"type": "string", "nullable": True, "description": "The order's code, if any."})
    def get_order(self, notification: Notification) -> str | None:
        return notification.order_code or None

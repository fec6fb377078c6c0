"""The outbox in the back office, read-only: the notifications each user's teams may read (the rules of
the API's ``notifications/``: ``notifications.selectors.readable_notifications_q``), filterable by type,
with how each handler's delivery went."""

from __future__ import annotations

import json

from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html, format_html_join

from notifications.models import Delivery, DeliveryState, Notification
from notifications.selectors import may_read_notifications, readable_notifications_q
from ticketing.admin.scoping import OrganizerScopedAdmin, OrganizerScopedInline
from ticketing.rights import VISIBLE
from ticketing.selectors import OrganizerAccess


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(ReadOnly, OrganizerScopedInline, admin.TabularInline):
    model = Delivery
    organizer_path = "notification__organizer"
    event_path = "notification__event"
    rights = VISIBLE  # the notification's event decides: readable_notifications_q
    fields = ("handler", "state", "attempts", "next_attempt", "done_at", "last_error")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("handler",)

    def access_q(
        self, access: OrganizerAccess, permission: str | None, *, all_events: bool | None = None
    ) -> Q:
        return readable_notifications_q(access, path="notification__")

    def access_holds(self, access: OrganizerAccess, permission: str | None) -> bool:
        return may_read_notifications(access)


@admin.register(Notification)
class NotificationAdmin(ReadOnly, OrganizerScopedAdmin):
    organizer_path = "organizer"
    event_path = "event"
    rights = VISIBLE  # each row's event decides: readable_notifications_q
    list_display = ("id", "type", "created", "organizer", "event", "order_code", "delivered")
    list_filter = ("type", "deliveries__state", "organizer")
    list_select_related = ("organizer", "event")
    search_fields = ("order_code",)
    ordering = ("-id",)
    fields = ("type", "created", "organizer", "event", "order_code", "data_shown")
    readonly_fields = fields
    inlines = (DeliveryInline,)

    def access_q(
        self, access: OrganizerAccess, permission: str | None, *, all_events: bool | None = None
    ) -> Q:
        return readable_notifications_q(access)

    def access_holds(self, access: OrganizerAccess, permission: str | None) -> bool:
        return may_read_notifications(access)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("deliveries")

    @admin.display(description="deliveries")
    def delivered(self, notification: Notification):
        """``handler: state`` per delivery (attempts when more than one); "–" without handlers."""
        deliveries = sorted(notification.deliveries.all(), key=lambda delivery: delivery.handler)
        if not deliveries:
            return "–"
        return format_html_join(", ", "{}: {}", ((d.handler, delivery_text(d)) for d in deliveries))

    @admin.display(description="data")
    def data_shown(self, notification: Notification):
        return format_html("<pre>{}</pre>", json.dumps(notification.data, indent=2, ensure_ascii=False))


def delivery_text(delivery: Delivery) -> str:
    if delivery.state == DeliveryState.PENDING and delivery.attempts:
        return f"pending ({delivery.attempts} failed)"
    if delivery.state == DeliveryState.FAILED:
        return f"failed ({delivery.attempts} attempts)"
    return str(delivery.state)

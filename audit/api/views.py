"""The audit log of an organizer: /api/v1/organizers/<o>/logs/ (read-only, newest first)."""

from __future__ import annotations

from rest_framework import viewsets

from audit.api.filters import AuditEntryFilter
from audit.api.serializers import AuditEntrySerializer
from audit.models import AuditEntry
from audit.selectors import organizer_entries
from ticketing.api.scoping import OrganizerScopedMixin


class AuditEntryViewSet(OrganizerScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Who changed what and when: every create, change and delete of events, items, quotas, discount
    rules, codes and orders, through the API, the admin or a service.

    A team reads the entries of its events (a team with all events: also those of the organizer's
    codes) of the object types its permissions cover: orders need ``can_view_orders``, codes
    ``can_view_vouchers``. Filters: ``event`` (slug), ``object_type``, ``object_id``, ``action``,
    ``source``. Ordering: ``created`` (default ``-created``), ``id``."""

    queryset = AuditEntry.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter
    ordering_fields = ("created", "id")
    ordering = ("-created", "-id")

    def get_queryset(self):
        return organizer_entries(organizer=self.organizer, access=self.access)

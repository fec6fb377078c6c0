"""Query-parameter filters of the audit log."""

from __future__ import annotations

from django_filters import rest_framework as filters

from audit.models import AuditAction, AuditEntry, AuditSource
from audit.selectors import READ_PERMISSIONS
from ticketing.api.filters import FilterSet


class AuditEntryFilter(FilterSet):
    event = filters.CharFilter(field_name="event__slug", help_text="The event's slug.")
    object_type = filters.ChoiceFilter(choices=[(t, t) for t in READ_PERMISSIONS])
    object_id = filters.CharFilter(field_name="object_id")
    action = filters.ChoiceFilter(choices=AuditAction.choices)
    source = filters.ChoiceFilter(choices=AuditSource.choices)

    class Meta:
        model = AuditEntry
        fields = ("event", "object_type", "object_id", "action", "source")

"""Query-parameter filters of the notifications list."""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters

from notifications.models import Notification
from notifications.types import NotificationType
from ticketing.api.filters import DateTimeFilter, FilterSet, IdFilter


class TypesField(forms.MultipleChoiceField):
    """Types given as ``?type=a&type=b`` or ``?type=a,b``; an unknown one is a 400 naming it (``?type=``
    too, through ``core.queries``)."""

    def to_python(self, value):
        parts = (part.strip() for raw in super().to_python(value) for part in raw.split(","))
        return [part for part in parts if part]


class TypesFilter(filters.MultipleChoiceFilter):
    field_class = TypesField


class NotificationFilter(FilterSet):
    type = TypesFilter(
        choices=NotificationType.choices, help_text="One or several types (repeat it, or a,b)."
    )
    event = filters.CharFilter(field_name="event__slug", help_text="The event's slug.")
    order = filters.CharFilter(field_name="order_code", help_text="The order's code.")
    created_since = DateTimeFilter(field_name="created", lookup_expr="gte", help_text="Created at or after.")
    created_before = DateTimeFilter(field_name="created", lookup_expr="lt", help_text="Created before.")
    after = IdFilter(field_name="id", lookup_expr="gt", help_text="Only those with a greater id (polling).")

    class Meta:
        model = Notification
        fields = ("type", "event", "order", "created_since", "created_before", "after")

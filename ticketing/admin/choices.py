"""Choices of related objects in admin forms, narrowed to the event being edited.

On a change page the event is known: a quota only offers that event's items and
dates. On an add page it is not, so choices span events and are labelled
``<event slug>: <name>``; the shared validators refuse a wrong pick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django import forms
from django.db import models

from ticketing.models import Event, Item, ItemCategory, ItemVariation, SalesChannel, SubEvent

ADMIN_EVENT_ATTR = "ticketing_admin_event"


@dataclass(frozen=True)
class ChoiceScope:
    model: type[models.Model]
    path: str  # from the model to the object that scopes it (an event, or the organizer)
    by_organizer: bool = False

    def queryset(self, event: Event | None) -> models.QuerySet:
        qs = self.model.objects.select_related(self.path)
        if event is None:
            return qs
        return qs.filter(**{self.path: event.organizer if self.by_organizer else event})

    def label(self, event: Event | None) -> Callable[[Any], str]:
        if event is not None:
            return str
        owner = attrgetter(self.path.replace("__", "."))
        return lambda obj: f"{owner(obj).slug}: {obj}"


CATEGORY = ChoiceScope(ItemCategory, "event")
ITEM = ChoiceScope(Item, "event")
VARIATION = ChoiceScope(ItemVariation, "item__event")
SCOPES: dict[str, ChoiceScope] = {
    "category": CATEGORY,
    "addon_category": CATEGORY,
    "subevent": ChoiceScope(SubEvent, "event"),
    "item": ITEM,
    "items": ITEM,
    "bundled_item": ITEM,
    "variation": VARIATION,
    "variations": VARIATION,
    "bundled_variation": VARIATION,
    "limit_sales_channels": ChoiceScope(SalesChannel, "organizer", by_organizer=True),
}


class LabelledChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, label_fn: Callable[[Any], str] = str, **kwargs):
        self.label_fn = label_fn
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        return self.label_fn(obj)


class LabelledMultipleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, label_fn: Callable[[Any], str] = str, **kwargs):
        self.label_fn = label_fn
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        return self.label_fn(obj)


def admin_event(request) -> Event | None:
    event = getattr(request, ADMIN_EVENT_ATTR, None)
    return event if event is not None and event.pk is not None else None


class EventScopedChoicesMixin:
    """For model admins and inlines: related choices follow ``request``'s event.

    The parent ModelAdmin sets the event in ``get_form`` (through ``event_of``),
    which Django calls before it builds the inline formsets.
    """

    def event_of(self, obj) -> Event | None:
        return getattr(obj, "event", None) if obj is not None else None

    def get_form(self, request, obj=None, **kwargs):
        setattr(request, ADMIN_EVENT_ATTR, self.event_of(obj))
        return super().get_form(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = SCOPES.get(db_field.name)
        if scope is not None:
            event = admin_event(request)
            kwargs.update(queryset=scope.queryset(event), form_class=LabelledChoiceField,
                          label_fn=scope.label(event))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        scope = SCOPES.get(db_field.name)
        if scope is not None:
            event = admin_event(request)
            kwargs.update(queryset=scope.queryset(event), form_class=LabelledMultipleChoiceField,
                          label_fn=scope.label(event))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

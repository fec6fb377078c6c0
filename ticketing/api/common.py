"""Pieces shared by the event resources of the ticketing API (dates, categories, items, quotas)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F
from django.http import Http404
from rest_framework import filters, serializers

from ticketing.api.scoping import EventScopedMixin
from ticketing.api.validation import run_shared_validator
from ticketing.rights import ITEMS


class EventResourceMixin(EventScopedMixin):
    """Readable by anyone who may see the event; changed by teams with ``can_change_items``."""

    rights = ITEMS


#: The 404 of a URL below ``items/<item_pk>/`` whose item is not in the addressed event.
ITEM_NOT_FOUND = "No item with this id in this event."


class ItemChildMixin(EventResourceMixin):
    """Resources below ``items/<item_pk>/``: the item must belong to the addressed event, else 404."""

    def resolve_scope(self, request) -> None:
        super().resolve_scope(request)  # 403s for the organizer/event and permissions come first
        item = self.event.items.filter(pk=self.kwargs["item_pk"]).first()
        if item is None:
            raise Http404(ITEM_NOT_FOUND)
        item.event = self.event
        self.item = item

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["item"] = getattr(self, "item", None)
        return context


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """The id of an object in an event the caller may see.

    Ids of objects in other organizers' events, or in events the caller may not
    see, are refused like ids that do not exist, so nothing leaks. An object of
    another event the caller does see is found, and the resource's validation
    function then names the field with a clear message.
    """

    def __init__(self, *, event_lookup: str = "event", **kwargs: Any) -> None:
        self.event_lookup = event_lookup
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        access = self.context.get("access")
        if access is None:
            return queryset.none()
        return queryset.filter(**{f"{self.event_lookup}__in": access.visible_events()})


def run_validator_as(
    validator: Callable[..., None], renames: Mapping[str, str], **values: Any
) -> None:
    """Run a shared validation function, reporting its model field names under the API's field names."""
    try:
        run_shared_validator(validator, **values)
    except serializers.ValidationError as exc:
        detail = exc.detail
        if isinstance(detail, dict):
            detail = {renames.get(key, key): value for key, value in detail.items()}
        raise serializers.ValidationError(detail) from exc


class ReplaceOnPutMixin:
    """``PUT`` replaces every writable field: a model field left out goes back to its default.

    DRF would keep the stored value of an omitted optional field; the API
    conventions ask for a full replacement. Fields without a model counterpart
    declare ``default=`` themselves (DRF applies it to create and PUT alike).
    """

    def to_internal_value(self, data):
        attrs = super().to_internal_value(data)
        if self.instance is None or self.partial:
            return attrs
        opts = self.Meta.model._meta
        for field in self._writable_fields:
            if field.source == "*" or field.source in attrs:
                continue
            try:
                model_field = opts.get_field(field.source)
            except FieldDoesNotExist:
                continue
            if model_field.auto_created and not model_field.concrete:
                continue  # a reverse relation, not a value of this resource
            attrs[field.source] = [] if model_field.many_to_many else model_field.get_default()
        return attrs


class NullsLargestOrderingFilter(filters.OrderingFilter):
    """``?ordering=`` where the view's ``ordering_nulls_largest`` fields sort null as larger than any value.

    Databases disagree on where NULL sorts (SQLite first, PostgreSQL last); for
    fields where null means "unlimited" the answer must not depend on that.
    """

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        largest = set(getattr(view, "ordering_nulls_largest", ()))
        terms = []
        for term in ordering:
            name = term.lstrip("-")
            if name not in largest:
                terms.append(term)
            elif term.startswith("-"):
                terms.append(F(name).desc(nulls_first=True))
            else:
                terms.append(F(name).asc(nulls_last=True))
        return queryset.order_by(*terms)

"""django-filter pieces shared by every app: booleans that refuse values they do not understand.

django-filter's own BooleanFilter silently ignores ``?active=maybe``; the API
conventions ask for a 400 naming the parameter instead.
"""

from __future__ import annotations

from datetime import UTC

from django import forms
from django.db import models
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from core.bounds import MAX_ID

TRUE_VALUES = {"true", "1", "yes"}
FALSE_VALUES = {"false", "0", "no"}


class StrictBooleanField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise forms.ValidationError(f"'{value}' is not a boolean: use true or false.")


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs["widget"] = forms.TextInput  # the default widget maps unknown values to None
        super().__init__(*args, **kwargs)


class IdFilter(filters.NumberFilter):
    """An object id: ``?category=1.5``, ``?category=abc`` or an id beyond the database's range is a
    400, not silently truncated, ignored, or sent to the database."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 datetime, read in UTC: PostgreSQL refuses offsets beyond 15:59 (``+21:42`` was a
    ``DataError``), and a date at the edge of the calendar may not exist in UTC."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("This date and time is out of range.") from None


class DateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class FilterSet(filters.FilterSet):
    """Base class of the API's filter sets."""

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }

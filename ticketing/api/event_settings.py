"""An event's settings: /api/v1/organizers/<o>/events/<e>/settings/ (docs/api/eventsettings.md).

As pretix's resource of that name: one flat object, read with GET, changed with PATCH (only the keys sent;
``null`` sets a key back to its default); there is no PUT. pretix has many more settings: a key this
project does not support is refused by name rather than dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers, viewsets
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response

from core.serializers import StrictModelSerializer
from ticketing.api.scoping import EventScopedMixin
from ticketing.api.validation import run_shared_validator
from ticketing.models import EventSettings
from ticketing.models.base import field_values
from ticketing.payment_terms import (
    MAX_TERM_DAYS,
    MAX_TERM_MINUTES,
    InvalidLastDate,
    LastPaymentDate,
)
from ticketing.rights import EVENTS
from ticketing.selectors import event_settings_of
from ticketing.services import EVENT_SETTING_KEYS, event_settings_update
from ticketing.validation import validate_event_settings

NOT_SUPPORTED = "This setting is not supported; the supported ones are {}."
LAST_DATE_HELP = (
    "The last date of payments, null for none: a date (`2025-06-30`), or a number of days before the start "
    "of the event, of the earliest date in an event series (`RELDATE/3/-/event__date_from/`: three days "
    "before; pretix's older `RELDATE/3/-/date_from/` is read too). Payments end at 23:59:59 of that day in "
    "the event's time zone."
)


class LastPaymentDateField(serializers.CharField):
    """``payment_term_last`` as text, in pretix's spelling (``ticketing.payment_terms.LastPaymentDate``)."""

    def to_internal_value(self, data) -> LastPaymentDate:
        text = super().to_internal_value(data)
        try:
            return LastPaymentDate.parse(text)
        except InvalidLastDate as exc:
            raise ValidationError(str(exc)) from None

    def to_representation(self, value: LastPaymentDate) -> str:
        return value.to_text()


class EventSettingsSerializer(StrictModelSerializer):
    """Every key is optional in a PATCH; ``null`` sets it back to its default (pretix's)."""

    payment_term_last = LastPaymentDateField(allow_null=True, required=False, help_text=LAST_DATE_HELP)

    class Meta:
        model = EventSettings
        fields = EVENT_SETTING_KEYS
        extra_kwargs = {
            "payment_term_mode": {"allow_null": True},
            "payment_term_days": {"allow_null": True, "max_value": MAX_TERM_DAYS},
            "payment_term_minutes": {"allow_null": True, "max_value": MAX_TERM_MINUTES},
            "payment_term_weekdays": {"allow_null": True},
            "payment_term_expire_automatically": {"allow_null": True},
            "payment_term_accept_late": {"allow_null": True},
        }

    def to_internal_value(self, data):
        """A key that is not a setting here is a 400 naming it, like an unknown field, but saying why: it
        may well be one of pretix's settings."""
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)
        message = NOT_SUPPORTED.format(", ".join(EVENT_SETTING_KEYS))
        unsupported = {
            key: [ErrorDetail(message, code="unknown_field")] for key in data if key not in self.fields
        }
        if not unsupported:
            return super().to_internal_value(data)
        try:
            super().to_internal_value({key: value for key, value in data.items() if key in self.fields})
        except ValidationError as exc:
            raise ValidationError({**exc.detail, **unsupported}) from exc
        raise ValidationError(unsupported)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        defaults = EventSettings()  # pretix's (``ticketing.payment_terms.PaymentTerms``)
        for name, value in attrs.items():
            if value is None:
                attrs[name] = getattr(defaults, name)
        after = EventSettings(**field_values(self.instance)) if self.instance else EventSettings()
        for name, value in attrs.items():
            setattr(after, name, value)
        run_shared_validator(validate_event_settings, **field_values(after))
        return attrs


class EventSettingsViewSet(EventScopedMixin, viewsets.GenericViewSet):
    """The event's settings: read by whoever sees the event, changed with ``can_change_event_settings``."""

    queryset = EventSettings.objects.none()  # for the schema; requests use get_object()
    serializer_class = EventSettingsSerializer
    rights = EVENTS
    filter_backends = []
    pagination_class = None

    def get_object(self) -> EventSettings:
        """The event's settings (the URL names no id: there is one per event, its defaults until changed)."""
        return event_settings_of(self.event)

    def retrieve(self, request, *args, **kwargs):
        """Every setting, with its default where the event has not changed it."""
        return Response(self.get_serializer(self.get_object()).data)

    def partial_update(self, request, *args, **kwargs):
        """Change the settings sent, keep the others; ``null`` sets one back to its default. A key this
        project does not support is a 400 naming it."""
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = event_settings_update(event=self.event, changes=serializer.validated_data)
        return Response(self.get_serializer(updated).data)

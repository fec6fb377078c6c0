"""Back office for events and the dates (sub-events) of event series."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError

from ticketing.admin.choices import EventScopedChoicesMixin
from ticketing.admin.display import CurrencyLabelledInline
from ticketing.admin.forms import SharedValidationForm
from ticketing.admin.scoping import OrganizerScopedAdmin, OrganizerScopedInline
from ticketing.models import Event, EventSettings, Quota, SubEvent, SubEventItem, SubEventItemVariation
from ticketing.rights import EVENTS, ITEMS
from ticketing.validation import validate_price_overrides


class EventForm(SharedValidationForm):
    class Meta:
        model = Event
        fields = "__all__"

    def clean_currency(self):
        currency = self.cleaned_data["currency"]
        event = self.instance
        # Prices are stored in the event's currency: as in the API, it is fixed once there are items.
        if event.pk and event.currency != currency and event.items.exists():
            raise ValidationError("The currency cannot be changed once the event has items.")
        return currency


class EventSettingsInline(OrganizerScopedInline, admin.StackedInline):
    """The event's payment terms (docs/api/eventsettings.md); the row is made when they are first changed. The
    validation is the API's (``validate_event_settings``, through ``EventSettings.clean()``)."""

    model = EventSettings
    organizer_path = "event__organizer"
    event_path = "event"
    rights = EVENTS
    form = SharedValidationForm
    fields = (
        "payment_term_mode", "payment_term_days", "payment_term_weekdays", "payment_term_minutes",
        "payment_term_last_date", "payment_term_last_days_before", "payment_term_expire_automatically",
        "payment_term_accept_late",
    )  # fmt: skip
    can_delete = False
    verbose_name = "payment terms"
    verbose_name_plural = "payment terms"


class SubEventInline(OrganizerScopedInline, admin.TabularInline):
    model = SubEvent
    organizer_path = "event__organizer"
    event_path = "event"
    rights = ITEMS
    form = SharedValidationForm
    fields = ("name", "date_from", "date_to", "presale_start", "presale_end", "active")
    extra = 0
    show_change_link = True  # price overrides are edited on the date's page


class EventQuotaInline(EventScopedChoicesMixin, OrganizerScopedInline, admin.TabularInline):
    model = Quota
    organizer_path = "event__organizer"
    event_path = "event"
    rights = ITEMS
    form = SharedValidationForm
    fields = ("name", "subevent", "size")
    extra = 0
    show_change_link = True  # items and variations are chosen on the quota's page


@admin.register(Event)
class EventAdmin(EventScopedChoicesMixin, OrganizerScopedAdmin):
    organizer_path = "organizer"
    event_path = "pk"
    rights = EVENTS
    form = EventForm
    list_display = ("name", "organizer", "slug", "date_from", "currency", "live", "has_subevents")
    list_filter = ("organizer", "live", "has_subevents", "currency")
    search_fields = ("name", "slug")
    list_select_related = ("organizer",)
    autocomplete_fields = ("organizer",)
    date_hierarchy = "date_from"
    inlines = (EventSettingsInline, SubEventInline, EventQuotaInline)
    fieldsets = (
        (None, {"fields": ("organizer", "slug", "name", "currency", "live", "has_subevents")}),
        ("Dates", {"fields": ("date_from", "date_to", "timezone", "presale_start", "presale_end")}),
    )

    def event_of(self, obj):
        return obj

    def choice_permission(self):
        return self.get_rights().create  # the organizer of a new event: an existing one's is read-only

    def get_readonly_fields(self, request, obj=None):
        # The slug is in every URL; a series cannot become a single event (its dates and quotas).
        return ("organizer", "slug", "has_subevents") if obj is not None else ()

    def get_inlines(self, request, obj):
        if obj is not None and not obj.has_subevents:
            return (EventSettingsInline, EventQuotaInline)
        return self.inlines


class PriceOverrideForm(SharedValidationForm):
    """Runs ``validate_price_overrides`` for one row; the event is the date's."""

    target = "item"

    def clean(self):
        cleaned = super().clean()
        subevent = cleaned.get("subevent")
        obj = cleaned.get(self.target)
        if subevent is None or obj is None:
            return cleaned
        key = "item_overrides" if self.target == "item" else "variation_overrides"
        try:
            validate_price_overrides(event=getattr(subevent, "event", None), **{key: [obj]})
        except ValidationError as exc:
            self.add_error(self.target, exc.messages)
        return cleaned


class VariationPriceOverrideForm(PriceOverrideForm):
    target = "variation"


class SubEventItemInline(
    CurrencyLabelledInline, EventScopedChoicesMixin, OrganizerScopedInline, admin.TabularInline
):
    model = SubEventItem
    money_fields = ("price",)
    organizer_path = "subevent__event__organizer"
    event_path = "subevent__event"
    rights = ITEMS
    form = PriceOverrideForm
    fields = ("item", "price")
    extra = 0
    verbose_name = "item price on this date"
    verbose_name_plural = "item prices on this date"


class SubEventItemVariationInline(
    CurrencyLabelledInline, EventScopedChoicesMixin, OrganizerScopedInline, admin.TabularInline
):
    model = SubEventItemVariation
    money_fields = ("price",)
    organizer_path = "subevent__event__organizer"
    event_path = "subevent__event"
    rights = ITEMS
    form = VariationPriceOverrideForm
    fields = ("variation", "price")
    extra = 0
    verbose_name = "variation price on this date"
    verbose_name_plural = "variation prices on this date"


@admin.register(SubEvent)
class SubEventAdmin(EventScopedChoicesMixin, OrganizerScopedAdmin):
    organizer_path = "event__organizer"
    event_path = "event"
    rights = ITEMS
    form = SharedValidationForm
    list_display = ("name", "event", "date_from", "date_to", "active")
    list_filter = ("active", ("event", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "event__name", "event__slug")
    list_select_related = ("event",)
    autocomplete_fields = ("event",)
    date_hierarchy = "date_from"
    inlines = (SubEventItemInline, SubEventItemVariationInline)

    def get_readonly_fields(self, request, obj=None):
        return ("event",) if obj is not None else ()


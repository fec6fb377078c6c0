"""Admin of promo codes: one page per code, editing its settings and its code together."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.utils import timezone

from ticketing.admin.display import AmountInput, usage_text
from ticketing.admin.pages import PreparedPageAdmin
from ticketing.admin.scoping import OrganizerScopedAdmin
from ticketing.models import Event, Item, Organizer
from vouchers.admin.common import (
    ActivationActions,
    CouponDeletion,
    ReachCheckedForm,
    SeriesScoping,
    SeriesValidityFilter,
    ServiceRefusalShowsForm,
    validity,
)
from vouchers.admin.states import coupon_state, series_currencies, series_discount_text
from vouchers.codes import normalise_code
from vouchers.models import PromoCode
from vouchers.selectors import series_limited_items
from vouchers.services.checks import validate_promo_code, validate_used_code_kept
from vouchers.services.coupons import coupons_set_active
from vouchers.services.promo import promo_code_create, promo_code_update

PROMO_FIELDS = (
    "name", "value", "percentage", "start_date", "end_date", "one_time_use", "allowed_events", "unlocks",
)  # fmt: skip


class PromoCodeAdminForm(ReachCheckedForm, forms.ModelForm):
    organizer = forms.ModelChoiceField(queryset=Organizer.objects.all())
    name = forms.CharField(required=False, max_length=200)
    value = forms.DecimalField(max_digits=13, decimal_places=3, widget=AmountInput)
    percentage = forms.BooleanField(
        required=False, help_text="Percent off the tickets; otherwise an amount off the order."
    )
    start_date = forms.DateTimeField(required=False)
    end_date = forms.DateTimeField(required=False)
    one_time_use = forms.BooleanField(required=False, help_text="Deactivated by its first redemption.")
    allowed_events = forms.ModelMultipleChoiceField(
        queryset=Event.objects.select_related("organizer"),
        required=False,
        widget=FilteredSelectMultiple("events", is_stacked=False),
        help_text="None chosen: every event of the organizer.",
    )
    unlocks = forms.ModelMultipleChoiceField(
        queryset=Item.objects.select_related("event"),
        required=False,
        widget=FilteredSelectMultiple("items", is_stacked=False),
        help_text="Hidden items a cart holding the promo code may buy, at their own price less its discount.",
    )

    class Meta:
        model = PromoCode
        fields = ("code", "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            series = self.instance.series
            self.fields["organizer"].disabled = True
            self.initial.update(
                organizer=self.instance.organizer_id,
                name=series.name,
                value=series.discount_value,
                percentage=series.discount_type == "percent",
                start_date=series.valid_from,
                end_date=series.valid_until,
                one_time_use=series.single_usage,
                allowed_events=[] if series.allow_all_events else list(series.allowed_events.all()),
                unlocks=list(series.unlocks.all()),
            )

    def clean_code(self):
        return normalise_code(self.cleaned_data.get("code"))

    def clean(self):
        cleaned = super().clean()
        try:
            series = self.instance.series if self.instance.pk else None
            validate_promo_code(id=self.instance.pk, items=series_limited_items(series), **cleaned)
        except ValidationError as exc:
            self.add_error(None, exc)
        events = cleaned.get("allowed_events")  # none chosen: every event
        self.refuse_outside_reach(cleaned.get("organizer"), all_events=not events, events=events)
        try:
            validate_used_code_kept(stored=self.instance, code=cleaned.get("code"))
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned

    def _post_clean(self):
        pass  # the promo code is saved by its service, which checks the code's uniqueness itself


@admin.register(PromoCode)
class PromoCodeAdmin(
    ServiceRefusalShowsForm, CouponDeletion, PreparedPageAdmin, ActivationActions, SeriesScoping,
    OrganizerScopedAdmin,
):
    form = PromoCodeAdminForm
    fields = (
        "organizer",
        "code",
        "name",
        "value",
        "percentage",
        "start_date",
        "end_date",
        "active",
        "one_time_use",
        "allowed_events",
        "unlocks",
    )
    list_display = (
        "code",
        "promo_name",
        "organizer",
        "discount",
        "active",
        "one_time",
        "usage",
        "state",
        "valid",
    )
    list_filter = ("active", "series__single_usage", SeriesValidityFilter, "organizer")
    list_select_related = ("series", "organizer")
    search_fields = ("code", "series__name")
    actions = ("activate", "deactivate")
    ordering = ("-id",)

    def set_active(self, ids, active: bool) -> int:
        return coupons_set_active(coupon_ids=ids, active=active)

    def get_queryset(self, request):
        # The manager's select_related("series") makes the list skip list_select_related: name both here.
        queryset = super().get_queryset(request).select_related("series", "organizer")
        return queryset.prefetch_related("series__unlocks")  # the state's resolution reads them

    def get_fields(self, request, obj=None):
        return (*self.fields, "usage", "state") if obj is not None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return ("usage", "state") if obj is not None else ()

    def prepare_page(self, rows: list) -> None:
        currencies = series_currencies([promo.series for promo in rows])
        for promo in rows:
            promo.page_currencies = currencies[promo.series_id]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in (*PROMO_FIELDS, "code", "active")}
        if change:
            promo_code_update(promo=obj, **values)
        else:
            created = promo_code_create(organizer=form.cleaned_data["organizer"], **values)
            obj.pk, obj.code, obj.series, obj.organizer = (
                created.pk,
                created.code,
                created.series,
                created.organizer,
            )

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.strip())

    @admin.display(description="name", ordering="series__name")
    def promo_name(self, promo: PromoCode) -> str:
        return promo.series.name

    @admin.display(description="discount")
    def discount(self, promo: PromoCode) -> str:
        """``"10 %"``, or an amount in the currencies of the events it is spent in (``"5.00 EUR"``)."""
        currencies = getattr(promo, "page_currencies", None)
        if currencies is None:
            currencies = series_currencies([promo.series])[promo.series_id]
        return series_discount_text(promo.series, currencies)

    @admin.display(description="used", ordering="used_orders")
    def usage(self, promo: PromoCode) -> str:
        """Orders that used it over the orders it may be used in (1 when one-time, ``∞``: no limit)."""
        return usage_text(promo.used_orders, promo.series.max_orders_per_coupon)

    @admin.display(description="state")
    def state(self, promo: PromoCode) -> str:
        return coupon_state(promo, timezone.now())

    @admin.display(description="one-time", boolean=True)
    def one_time(self, promo: PromoCode) -> bool:
        return promo.series.single_usage

    @admin.display(description="validity")
    def valid(self, promo: PromoCode) -> str:
        return validity(promo.series.valid_from, promo.series.valid_until)

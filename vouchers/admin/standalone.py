"""Admin of stand-alone coupons: one page per coupon, editing its code and its settings (the private
series it holds) together; saved through ``vouchers.services.standalone``."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.utils import timezone

from ticketing.admin.display import usage_text
from ticketing.admin.scoping import OrganizerScopedAdmin
from ticketing.models import Organizer
from vouchers.admin.common import (
    ActivationActions,
    CouponDeletion,
    ReachCheckedForm,
    SeriesScoping,
    SeriesValidityFilter,
    ServiceRefusalShowsForm,
    validity,
)
from vouchers.admin.states import coupon_state
from vouchers.codes import DEFAULT_LENGTH, normalise_code, unique_random_codes
from vouchers.models import CouponSeries, StandaloneCoupon
from vouchers.selectors import organizer_codes_taken
from vouchers.services.checks import validate_coupon_conflicts, validate_used_code_kept
from vouchers.services.coupons import coupons_set_active
from vouchers.services.standalone import (
    SETTINGS_FIELDS,
    SETTINGS_RELATIONS,
    standalone_coupon_create,
    standalone_coupon_update,
)
from vouchers.validation import validate_coupon_series

#: The settings' form field names: the series' own, but its ``active`` flag apart from the coupon's.
SETTINGS_FORM = {name: ("settings_active" if name == "active" else name) for name in SETTINGS_FIELDS}
SETTINGS_FORM.update({name: name for name in SETTINGS_RELATIONS})


def settings_form_fields() -> dict[str, forms.Field]:
    found = forms.fields_for_model(CouponSeries, fields=[*SETTINGS_FIELDS, *SETTINGS_RELATIONS])
    fields = {SETTINGS_FORM[name]: field for name, field in found.items()}
    fields["settings_active"].label = "Settings active"
    fields["settings_active"].help_text = "Off: the coupon cannot be used, as with an inactive series."
    for name in SETTINGS_RELATIONS:
        fields[name].widget = FilteredSelectMultiple(name.replace("_", " "), is_stacked=False)
    return fields


class StandaloneCouponAdminForm(ReachCheckedForm, forms.ModelForm):
    organizer = forms.ModelChoiceField(queryset=Organizer.objects.all())
    code = forms.CharField(required=False, max_length=255, help_text="Leave empty to generate a code.")

    class Meta:
        model = StandaloneCoupon
        fields = ("code", "customer_email", "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            series = self.instance.series
            self.fields["organizer"].disabled = True
            self.initial["organizer"] = self.instance.organizer_id
            for name, form_name in SETTINGS_FORM.items():
                value = getattr(series, name)
                self.initial[form_name] = list(value.all()) if name in SETTINGS_RELATIONS else value

    def clean_code(self):
        return normalise_code(self.cleaned_data.get("code"))

    def settings(self) -> dict:
        return {name: self.cleaned_data[form_name] for name, form_name in SETTINGS_FORM.items()}

    def clean(self):
        cleaned = super().clean()
        organizer = cleaned.get("organizer")
        if organizer is None or any(form_name not in cleaned for form_name in SETTINGS_FORM.values()):
            return cleaned
        settings = self.settings()  # before an error takes a field out of cleaned_data
        try:
            validate_coupon_series(organizer=organizer, **settings)
        except ValidationError as exc:
            self.add_error(None, exc)
        self.refuse_outside_reach(
            organizer, all_events=settings["allow_all_events"], events=settings["allowed_events"]
        )
        if not cleaned.get("code"):
            (cleaned["code"],) = unique_random_codes(
                count=1,
                length=DEFAULT_LENGTH,
                prefix="",
                taken=lambda chunk: organizer_codes_taken(organizer=organizer, codes=chunk),
            )
        try:
            validate_coupon_conflicts(id=self.instance.pk, organizer=organizer, code=cleaned["code"])
        except ValidationError as exc:
            self.add_error(None, exc)
        try:
            validate_used_code_kept(stored=self.instance, code=cleaned["code"])
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned

    def _post_clean(self):
        pass  # saved by its service (which checks the code's uniqueness itself)


# The settings are fields of the form class (the admin builds its form from the fieldsets' names).
for _name, _field in settings_form_fields().items():
    StandaloneCouponAdminForm.base_fields[_name] = StandaloneCouponAdminForm.declared_fields[_name] = _field


@admin.register(StandaloneCoupon)
class StandaloneCouponAdmin(
    ServiceRefusalShowsForm, CouponDeletion, ActivationActions, SeriesScoping, OrganizerScopedAdmin
):
    form = StandaloneCouponAdminForm
    list_display = ("code", "coupon_name", "organizer", "active", "customer_email", "usage", "state", "valid")
    list_filter = ("active", SeriesValidityFilter, "organizer")
    list_select_related = ("series", "organizer")
    search_fields = ("code", "customer_email", "series__name")
    actions = ("activate", "deactivate")
    ordering = ("-id",)

    def get_fieldsets(self, request, obj=None):
        coupon = ["organizer", "code", "customer_email", "active"]
        if obj is not None:
            coupon += ["usage", "state"]
        scope = ["allow_all_events", "allowed_events", "allow_all_items", "allowed_items", "unlocks"]
        settings = [name for name in SETTINGS_FORM.values() if name not in scope]
        return ((None, {"fields": coupon}), ("Settings", {"fields": settings}), ("Scope", {"fields": scope}))

    def get_readonly_fields(self, request, obj=None):
        return ("usage", "state") if obj is not None else ()

    def set_active(self, ids, active: bool) -> int:
        return coupons_set_active(coupon_ids=ids, active=active)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("series", "organizer")
        return queryset.prefetch_related("series__unlocks")

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in ("code", "customer_email", "active")}
        if change:
            standalone_coupon_update(coupon=obj, settings=form.settings(), **values)
        else:
            created = standalone_coupon_create(
                organizer=form.cleaned_data["organizer"], settings=form.settings(), **values
            )
            obj.pk, obj.code, obj.series, obj.organizer = (
                created.pk, created.code, created.series, created.organizer,
            )  # fmt: skip

    def save_related(self, request, form, formsets, change):
        pass  # the settings' lists were saved with the coupon by its service

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.strip())

    @admin.display(description="name", ordering="series__name")
    def coupon_name(self, coupon: StandaloneCoupon) -> str:
        return coupon.series.name

    @admin.display(description="used", ordering="used_orders")
    def usage(self, coupon: StandaloneCoupon) -> str:
        return usage_text(coupon.used_orders, coupon.series.max_orders_per_coupon)

    @admin.display(description="state")
    def state(self, coupon: StandaloneCoupon) -> str:
        return coupon_state(coupon, timezone.now())

    @admin.display(description="validity")
    def valid(self, coupon: StandaloneCoupon) -> str:
        return validity(coupon.series.valid_from, coupon.series.valid_until)

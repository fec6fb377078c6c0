"""Admin of promo codes: one page per code, editing its settings and its code together."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from ticketing.admin.scoping import OrganizerScopedAdmin
from ticketing.models import Organizer
from vouchers.admin.common import ActivationActions, SeriesValidityFilter, validity
from vouchers.codes import normalise_code
from vouchers.models import PromoCode
from vouchers.services.checks import validate_promo_code
from vouchers.services.coupons import coupons_set_active
from vouchers.services.promo import promo_code_create, promo_code_update

PROMO_FIELDS = ("name", "value", "percentage", "start_date", "end_date", "one_time_use")


class PromoCodeAdminForm(forms.ModelForm):
    organizer = forms.ModelChoiceField(queryset=Organizer.objects.all())
    name = forms.CharField(required=False, max_length=200)
    value = forms.DecimalField(max_digits=13, decimal_places=3)
    percentage = forms.BooleanField(
        required=False, help_text="Percent off the tickets; otherwise an amount off the order."
    )
    start_date = forms.DateTimeField(required=False)
    end_date = forms.DateTimeField(required=False)
    one_time_use = forms.BooleanField(required=False, help_text="Deactivated by its first redemption.")

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
            )

    def clean_code(self):
        return normalise_code(self.cleaned_data.get("code"))

    def clean(self):
        cleaned = super().clean()
        try:
            validate_promo_code(id=self.instance.pk, **cleaned)
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned

    def _post_clean(self):
        pass  # the promo code is saved by its service, which checks the code's uniqueness itself


@admin.register(PromoCode)
class PromoCodeAdmin(ActivationActions, OrganizerScopedAdmin):
    organizer_path = "organizer"
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
    )
    list_display = (
        "code",
        "promo_name",
        "organizer",
        "discount",
        "active",
        "one_time",
        "used_orders",
        "valid",
    )
    list_filter = ("active", "series__single_usage", SeriesValidityFilter, "organizer")
    list_select_related = ("series", "organizer")
    search_fields = ("code", "series__name")
    actions = ("activate", "deactivate")
    ordering = ("-id",)

    def set_active(self, ids, active: bool) -> int:
        return coupons_set_active(coupon_ids=ids, active=active)

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
        value = f"{promo.series.discount_value.normalize():f}"
        return f"{value} %" if promo.series.discount_type == "percent" else value

    @admin.display(description="one-time", boolean=True)
    def one_time(self, promo: PromoCode) -> bool:
        return promo.series.single_usage

    @admin.display(description="validity")
    def valid(self, promo: PromoCode) -> str:
        return validity(promo.series.valid_from, promo.series.valid_until)


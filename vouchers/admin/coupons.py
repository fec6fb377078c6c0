"""Admin of coupon series and coupons, with actions to generate, export and (de)activate."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from core.errors import ConflictError
from ticketing.admin.display import usage_text
from ticketing.admin.pages import PreparedPageAdmin
from ticketing.admin.scoping import OrganizerScopedAdmin, OrganizerScopedInline
from ticketing.rights import VOUCHERS
from vouchers.admin.common import (
    ActivationActions,
    CouponDeletion,
    KeepsUsedCodes,
    ReachCheckedForm,
    SeriesScoping,
    SeriesValidityFilter,
    ServiceRefusalShowsForm,
    ValidityFilter,
    titled_boolean_filter,
    validity,
)
from vouchers.admin.coupon_import import coupon_import_urls
from vouchers.admin.states import (
    coupon_state,
    series_currencies,
    series_discount_text,
    series_state,
    with_usable_coupons,
)
from vouchers.codes import (
    DEFAULT_LENGTH,
    MAX_PREFIX_LENGTH,
    MAX_RANDOM_LENGTH,
    MIN_RANDOM_LENGTH,
    normalise_code,
    unique_random_codes,
)
from vouchers.models import Coupon, CouponEventUsage, CouponSeries, SeriesKind
from vouchers.selectors import organizer_codes_taken
from vouchers.services.checks import validate_coupon_conflicts, validate_used_code_kept
from vouchers.services.coupon_csv import coupons_csv_rows
from vouchers.services.coupons import (
    MAX_GENERATE,
    coupon_create,
    coupon_series_set_active,
    coupon_update,
    coupons_generate,
    coupons_set_active,
)
from vouchers.services.standalone import coupon_decouple
from vouchers.validation import validate_series_relations

RELATED = ("allowed_events", "allowed_items", "unlocks")


class CouponSeriesAdminForm(ReachCheckedForm, forms.ModelForm):
    class Meta:
        model = CouponSeries
        fields = (
            "organizer",
            "name",
            "active",
            "discount_type",
            "discount_value",
            "discount_max_value",
            "single_usage",
            "max_usage",
            "max_usage_per_event",
            "max_tickets",
            "can_be_combined",
            "allow_all_events",
            "allowed_events",
            "allow_all_items",
            "allowed_items",
            "reveal_allowed_items",
            "unlocks",
            "valid_from",
            "valid_until",
            "min_tickets_in_cart",
            "max_tickets_in_cart",
            "tags",
            "note",
        )

    def clean(self):
        cleaned = super().clean()
        # Model.clean() checks the plain fields; the related lists only exist here, before saving.
        if all(name in cleaned for name in RELATED):
            try:
                validate_series_relations(**cleaned)
            except ValidationError as exc:
                self.add_error(None, exc)
        organizer = cleaned.get("organizer") or getattr(self.instance, "organizer", None)
        self.refuse_outside_reach(
            organizer, all_events=cleaned.get("allow_all_events", True), events=cleaned.get("allowed_events")
        )
        return cleaned


class GenerateForm(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=MAX_GENERATE)
    prefix = forms.CharField(required=False, max_length=MAX_PREFIX_LENGTH)
    length = forms.IntegerField(
        min_value=MIN_RANDOM_LENGTH, max_value=MAX_RANDOM_LENGTH, initial=DEFAULT_LENGTH
    )


def csv_response(series: CouponSeries) -> StreamingHttpResponse:
    response = StreamingHttpResponse(coupons_csv_rows(series=series), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coupons-{series.pk}.csv"'
    return response


def series_usage_text(series: CouponSeries, *, coupons: int, used: int) -> str:
    """Orders of all its coupons over what they may take together: ``"12 / 50"`` for 50 single-use
    coupons, ``"12 / ∞"`` without a limit per coupon."""
    limit = series.max_orders_per_coupon
    return usage_text(used, None if limit is None else limit * coupons)


@admin.register(CouponSeries)
class CouponSeriesAdmin(
    KeepsUsedCodes, PreparedPageAdmin, ActivationActions, SeriesScoping, OrganizerScopedAdmin
):
    series_ref = "pk"
    read_actions = ("export_csv",)
    form = CouponSeriesAdminForm
    list_display = (
        "name", "organizer", "active", "discount", "coupons", "usage", "state", "valid", "created_at",
    )  # fmt: skip
    list_filter = ("active", "discount_type", ValidityFilter, "organizer")
    list_select_related = ("organizer",)
    search_fields = ("name", "coupons__code")
    filter_horizontal = RELATED
    readonly_fields = ("created_at", "updated_at")
    change_readonly = ("discount", "coupons", "usage", "state")  # shown on a series' page
    actions = ("generate_coupons", "export_csv", "activate", "deactivate")
    ordering = ("-id",)

    def set_active(self, ids, active: bool) -> int:
        return coupon_series_set_active(series_ids=ids, active=active)

    def used_lines(self, objs) -> list[str]:
        used = (
            Coupon.objects.filter(series__in=objs, used_orders__gt=0)
            .values("series__name")
            .annotate(count=Count("pk"))
            .order_by("series__name")
        )
        return [
            f"Coupon series {row['series__name']}: {row['count']} of its coupons used; "
            "deactivate the series instead"
            for row in used
        ]

    def get_queryset(self, request):
        # Promo codes have a page of their own.
        series = (
            super()
            .get_queryset(request)
            .filter(kind=SeriesKind.COUPON)
            .annotate(coupon_count=Count("coupons"), used_orders=Sum("coupons__used_orders"))
        )
        return with_usable_coupons(series, timezone.now())

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, *self.change_readonly) if obj is not None else self.readonly_fields

    def prepare_page(self, rows: list) -> None:
        currencies = series_currencies(rows)
        for series in rows:
            series.page_currencies = currencies[series.pk]

    def currencies_of(self, series: CouponSeries) -> list[str]:
        found = getattr(series, "page_currencies", None)
        return found if found is not None else series_currencies([series])[series.pk]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(
            request, queryset, normalise_code(search_term)
        )
        return queryset, may_have_duplicates

    @admin.display(description="discount")
    def discount(self, series: CouponSeries) -> str:
        """In the currencies of the events it is spent in: ``"5.00 EUR"``, ``"10 % (at most 20.00 EUR)"``."""
        return series_discount_text(series, self.currencies_of(series))

    @admin.display(description="coupons", ordering="coupon_count")
    def coupons(self, series: CouponSeries) -> int:
        return series.coupon_count

    @admin.display(description="used", ordering="used_orders")
    def usage(self, series: CouponSeries) -> str:
        return series_usage_text(series, coupons=series.coupon_count, used=series.used_orders or 0)

    @admin.display(description="state")
    def state(self, series: CouponSeries) -> str:
        return series_state(
            series, coupons=series.coupon_count, usable=series.usable_coupons, now=timezone.now()
        )

    @admin.display(description="validity")
    def valid(self, series: CouponSeries) -> str:
        return validity(series.valid_from, series.valid_until)

    @admin.action(description="Generate coupons for the selected series")
    def generate_coupons(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one series to generate coupons for.", messages.WARNING)
            return None
        series = queryset.get()
        form = GenerateForm(
            request.POST if "apply" in request.POST else None, initial={"length": DEFAULT_LENGTH}
        )
        if form.is_valid():
            created = coupons_generate(
                series=series,
                count=form.cleaned_data["count"],
                prefix=normalise_code(form.cleaned_data["prefix"]),
                length=form.cleaned_data["length"],
            )
            self.message_user(request, f"Generated {created} coupons for {series.name}.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Generate coupons for {series.name}",
            "series": series,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/vouchers/couponseries/generate_coupons.html", context)

    @admin.action(description="Export the coupons of the selected series as CSV")
    def export_csv(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one series to export.", messages.WARNING)
            return None
        return csv_response(queryset.get())

    def get_urls(self):
        return coupon_import_urls(self) + super().get_urls()  # the CSV import (vouchers.admin.coupon_import)


class CouponAdminForm(forms.ModelForm):
    code = forms.CharField(required=False, max_length=255, help_text="Leave empty to generate a code.")

    class Meta:
        model = Coupon
        fields = ("series", "code", "customer_email", "active")

    def clean_code(self):
        return normalise_code(self.cleaned_data.get("code"))

    def clean_series(self):
        series = self.cleaned_data["series"]
        if series.kind != SeriesKind.COUPON:
            raise ValidationError("This series is a promo code; edit it on the promo code page.")
        return series

    def clean(self):
        cleaned = super().clean()
        series = cleaned.get("series")
        if series is not None:
            self.instance.organizer = series.organizer
            if not cleaned.get("code"):
                (cleaned["code"],) = unique_random_codes(
                    count=1,
                    length=DEFAULT_LENGTH,
                    prefix="",
                    taken=lambda chunk: organizer_codes_taken(organizer=series.organizer_id, codes=chunk),
                )
            # Coupon.clean() checks the code's text; whether it is free in the organizer is checked here.
            try:
                validate_coupon_conflicts(
                    id=self.instance.pk, organizer=series.organizer, code=cleaned.get("code")
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        try:
            validate_used_code_kept(stored=self.instance, code=cleaned.get("code"), series=series)
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


class StandaloneFilter(admin.SimpleListFilter):
    title = "stand-alone"
    parameter_name = "standalone"

    def lookups(self, request, model_admin):
        return (("yes", "Stand-alone"), ("no", "Of a series"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(series__kind=SeriesKind.STANDALONE)
        if self.value() == "no":
            return queryset.filter(series__kind=SeriesKind.COUPON)
        return queryset


class EventUsageInline(OrganizerScopedInline, admin.TabularInline):
    model = CouponEventUsage
    organizer_path = "coupon__organizer"
    event_path = "event"
    rights = VOUCHERS
    fields = ("event", "orders", "tickets")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Coupon)
class CouponAdmin(
    ServiceRefusalShowsForm, CouponDeletion, ActivationActions, SeriesScoping, OrganizerScopedAdmin
):
    form = CouponAdminForm
    list_display = (
        "code",
        "series",
        "standalone",
        "organizer",
        "active",
        "customer_email",
        "usage",
        "tickets_used",
        "state",
        "valid",
    )
    list_filter = (
        ("active", titled_boolean_filter("coupon active")),
        ("series__active", titled_boolean_filter("series active")),
        StandaloneFilter,
        SeriesValidityFilter,
        "organizer",
    )
    list_select_related = ("series", "organizer")
    search_fields = ("code", "customer_email")
    raw_id_fields = ("series",)
    readonly_fields = ("usage", "tickets_used", "state", "created_at", "updated_at")
    inlines = (EventUsageInline,)
    actions = ("activate", "deactivate", "decouple")
    ordering = ("-id",)

    def set_active(self, ids, active: bool) -> int:
        return coupons_set_active(coupon_ids=ids, active=active)

    def save_model(self, request, obj, form, change):
        """Through the services, as the API saves (the code is claimed in the organizer's code space)."""
        values = {name: form.cleaned_data[name] for name in ("series", "code", "customer_email", "active")}
        if change:
            coupon_update(coupon=obj, **values)
        else:
            created = coupon_create(organizer=values["series"].organizer, **values)
            obj.pk, obj.created_at, obj.updated_at = created.pk, created.created_at, created.updated_at

    def get_queryset(self, request):
        # Stand-alone coupons are listed here too (marked); their page is the stand-alone coupons' one.
        kinds = (SeriesKind.COUPON, SeriesKind.STANDALONE)
        coupons = super().get_queryset(request).filter(series__kind__in=kinds)
        return coupons.prefetch_related("series__unlocks")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        coupon = self.get_object(request, object_id)
        if coupon is not None and coupon.series.kind == SeriesKind.STANDALONE:
            return HttpResponseRedirect(reverse("admin:vouchers_standalonecoupon_change", args=[coupon.pk]))
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="stand-alone", boolean=True, ordering="series__kind")
    def standalone(self, coupon: Coupon) -> bool:
        return coupon.series.kind == SeriesKind.STANDALONE

    @admin.action(description="Decouple the selected coupons from their series (make them stand-alone)")
    def decouple(self, request, queryset):
        done = skipped = 0
        for coupon in queryset.select_related("series"):
            try:
                coupon_decouple(coupon=coupon)
                done += 1
            except ConflictError:
                skipped += 1
        message = f"Decoupled {done} coupons."
        if skipped:
            message += f" {skipped} already stand-alone, left alone."
        self.message_user(request, message, messages.SUCCESS if done else messages.WARNING)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()  # a new coupon has no usage yet

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.strip())

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ("created_at", "updated_at")

    @admin.display(description="validity")
    def valid(self, coupon: Coupon) -> str:
        return validity(coupon.series.valid_from, coupon.series.valid_until)

    @admin.display(description="used", ordering="used_orders")
    def usage(self, coupon: Coupon) -> str:
        """Orders that used it over the orders it may be used in (``∞``: no limit)."""
        return usage_text(coupon.used_orders, coupon.series.max_orders_per_coupon)

    @admin.display(description="tickets", ordering="used_tickets")
    def tickets_used(self, coupon: Coupon) -> str:
        return usage_text(coupon.used_tickets, coupon.series.max_tickets)

    @admin.display(description="state")
    def state(self, coupon: Coupon) -> str:
        return coupon_state(coupon, timezone.now())

"""Query-parameter filters of this app's lists."""

from __future__ import annotations

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ticketing.api.filters import FilterSet, IdFilter, StrictBooleanFilter
from ticketing.models import Event
from vouchers.codes import normalise_code
from vouchers.event_codes import voucher_active_q
from vouchers.models import Coupon, CouponSeries, PromoCode, Voucher
from vouchers.selectors import usable_in_event, with_code


def filter_code(queryset, name, value):
    return with_code(queryset, normalise_code(value))


class VoucherFilter(FilterSet):
    code = filters.CharFilter(method=filter_code)
    active = StrictBooleanFilter(
        method="filter_active", help_text="Usable now: valid dates, uses and budget left."
    )

    class Meta:
        model = Voucher
        fields = ("code", "tag", "active", "subevent", "item")

    def filter_active(self, queryset, name, value):
        condition = voucher_active_q(timezone.now())
        return queryset.filter(condition) if value else queryset.exclude(condition)


def organizer_events(request):
    if request is None:  # schema generation
        return Event.objects.none()
    return Event.objects.filter(organizer__slug=request.parser_context["kwargs"]["organizer_slug"])


@extend_schema_field(OpenApiTypes.STR)
class EventSlugFilter(filters.ModelChoiceFilter):
    """An event of the organizer, by slug (another organizer's slug is a 400)."""


class CouponSeriesFilter(FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = CouponSeries
        fields = ("name", "active")


class CouponFilter(FilterSet):
    code = filters.CharFilter(method=filter_code)
    name = filters.CharFilter(
        field_name="series__name", lookup_expr="icontains", help_text="The series' name."
    )
    series = IdFilter(field_name="series_id")
    event = EventSlugFilter(
        queryset=organizer_events,
        to_field_name="slug",
        method="filter_event",
        help_text="Slug of an event the coupon is usable for.",
    )

    class Meta:
        model = Coupon
        fields = ("code", "series", "event", "active", "name")

    def filter_event(self, queryset, name, value):
        return usable_in_event(queryset, value)


class PromoCodeFilter(FilterSet):
    active = StrictBooleanFilter(field_name="active")
    name = filters.CharFilter(field_name="series__name", lookup_expr="icontains")

    class Meta:
        model = PromoCode
        fields = ("active", "name")

"""Query-parameter filters of this app's lists."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.bounds import MAX_AMOUNT, MAX_INTEGER
from ticketing.api.filters import FilterSet, IdFilter, StrictBooleanFilter
from ticketing.models import Event
from vouchers.codes import normalise_code
from vouchers.event_codes import voucher_active_q
from vouchers.models import Coupon, CouponSeries, GiftCard, PromoCode, SeriesKind, Voucher
from vouchers.selectors import usable_in_event, with_code

HALF_UNIT = Decimal("0.0005")


def filter_code(queryset, name, value):
    return with_code(queryset, normalise_code(value))


class CountFilter(filters.NumberFilter):
    """A count (``?redeemed=0``): a whole number from 0; ``1.5``, ``-1`` or ``abc`` is a 400 naming it."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_INTEGER)
        super().__init__(*args, **kwargs)


class VoucherFilter(FilterSet):
    """pretix's voucher filters: each field by equality, ``code`` in any case, and ``active``."""

    code = filters.CharFilter(method=filter_code)
    max_usages = CountFilter()
    redeemed = CountFilter(help_text="Redeemed exactly this often (see `active` for whether uses are left).")
    value = filters.NumberFilter(
        min_value=0, max_value=MAX_AMOUNT, help_text="The value exactly, e.g. `12.00` (0 to 10¹²)."
    )
    active = StrictBooleanFilter(
        method="filter_active", help_text="Usable now: valid dates, uses and budget left."
    )

    class Meta:
        model = Voucher
        fields = (
            "code", "max_usages", "redeemed", "block_quota", "allow_ignore_quota", "price_mode", "value",
            "item", "variation", "quota", "tag", "active", "subevent",
        )  # fmt: skip

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
    standalone = StrictBooleanFilter(
        method="filter_standalone", help_text="`true`: stand-alone coupons only; `false`: coupons of series."
    )
    event = EventSlugFilter(
        queryset=organizer_events,
        to_field_name="slug",
        method="filter_event",
        help_text="Slug of an event the coupon is usable for.",
    )

    class Meta:
        model = Coupon
        fields = ("code", "series", "standalone", "event", "active", "name")

    def filter_event(self, queryset, name, value):
        return usable_in_event(queryset, value)

    def filter_standalone(self, queryset, name, value):
        standalone = Q(series__kind=SeriesKind.STANDALONE)
        return queryset.filter(standalone) if value else queryset.exclude(standalone)


class PromoCodeFilter(FilterSet):
    code = filters.CharFilter(
        method=filter_code, help_text="The promo code with this code, in any case, whatever its state."
    )
    active = StrictBooleanFilter(field_name="active", help_text="Its `active` flag.")
    name = filters.CharFilter(field_name="series__name", lookup_expr="icontains")

    class Meta:
        model = PromoCode
        fields = ("code", "active", "name")


class GiftCardFilter(FilterSet):
    code = filters.CharFilter(method=filter_code, help_text="The card's code, in any case.")
    has_balance = StrictBooleanFilter(method="filter_has_balance", help_text="Something is left on it.")
    expired = StrictBooleanFilter(method="filter_expired", help_text="Its expiry has passed.")
    event = EventSlugFilter(
        queryset=organizer_events,
        to_field_name="slug",
        method="filter_event",
        help_text="Slug of an event the card may pay in (all events, or this one among its events).",
    )

    class Meta:
        model = GiftCard
        fields = ("code", "has_balance", "expired", "event")

    def filter_has_balance(self, queryset, name, value):
        # Half a minor unit of the column (3 places): exact on PostgreSQL, and SQLite's floating-point
        # sums (0.30 − 3 × 0.10 = 5.6e-17) do not count as something left.
        left = Q(balance__gte=HALF_UNIT)
        return queryset.filter(left) if value else queryset.exclude(left)

    def filter_expired(self, queryset, name, value):
        past = Q(expires__lt=timezone.now())
        return queryset.filter(past) if value else queryset.exclude(past)

    def filter_event(self, queryset, name, value):
        through = GiftCard.allowed_events.through.objects
        limited = through.filter(giftcard_id=OuterRef("pk"))
        allowed = through.filter(giftcard_id=OuterRef("pk"), event_id=value.pk)
        return queryset.filter(~Exists(limited) | Exists(allowed))

"""Filters of the orders list."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django_filters import rest_framework as filters

from orders.api.serializers.outputs import PRETIX_STATUS
from orders.models import Order, OrderStatus, OrderTag, Redemption
from ticketing.api.filters import FilterSet
from vouchers.codes import normalise_code

#: ``?status=`` takes pretix's letters as well as this API's words.
STATUS_LETTERS = {letter: word for word, letter in PRETIX_STATUS.items()}


class OrderFilter(FilterSet):
    status = filters.ChoiceFilter(
        choices=[*OrderStatus.choices, *((letter, word.label) for letter, word in STATUS_LETTERS.items())],
        method="filter_status",
        help_text="pending, paid, expired, canceled, or pretix's n, p, e, c.",
    )
    email = filters.CharFilter(field_name="email", lookup_expr="iexact")
    code = filters.CharFilter(method="filter_code", help_text="The order code.")
    voucher = filters.CharFilter(method="filter_used_code", help_text="Orders that used this code.")
    tag = filters.CharFilter(method="filter_tag", help_text="Orders carrying this tag.")

    class Meta:
        model = Order
        fields = ("status", "email", "code", "voucher", "tag")

    def filter_status(self, queryset, name, value):
        return queryset.filter(status=STATUS_LETTERS.get(value, value))

    def filter_code(self, queryset, name, value):
        return queryset.filter(code=value.strip().upper())

    def filter_used_code(self, queryset, name, value):
        used = Redemption.objects.filter(order=OuterRef("pk"), code=normalise_code(value))
        return queryset.filter(Exists(used))

    def filter_tag(self, queryset, name, value):
        return queryset.filter(Exists(OrderTag.objects.filter(order=OuterRef("pk"), tag=value)))

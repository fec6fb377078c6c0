"""Vouchers of an event: /api/v1/organizers/<o>/events/<e>/vouchers/"""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from ticketing.api.scoping import EventScopedMixin
from vouchers.api.filters import VoucherFilter
from vouchers.api.ordering import NullsOrderingFilter
from vouchers.api.serializers.vouchers import VoucherSerializer
from vouchers.codes import normalise_code
from vouchers.models import Voucher
from vouchers.services.vouchers import voucher_batch_create, voucher_create, voucher_delete, voucher_update

MAX_BATCH = 1000


def batch_duplicate_errors(rows: list[Any]) -> dict[int, dict[str, list[str]]]:
    """``{index: {"code": [...]}}`` for rows repeating the code of an earlier row of the batch."""
    first_index: dict[str, int] = {}
    errors: dict[int, dict[str, list[str]]] = {}
    for index, row in enumerate(rows):
        raw = row.get("code") if isinstance(row, dict) else None
        code = normalise_code(raw) if isinstance(raw, str) else ""
        if not code:
            continue
        if code in first_index:
            errors[index] = {
                "code": [f"Duplicate code in this batch: index {index} repeats index {first_index[code]}."]
            }
        else:
            first_index[code] = index
    return errors


class VoucherViewSet(EventScopedMixin, viewsets.ModelViewSet):
    """Vouchers of the event. Ordering: ``id`` (default), ``code``, ``max_usages``, ``valid_until``,
    ``value``, ``redeemed``, ``tag``. A redeemed voucher cannot be deleted (409 ``voucher_redeemed``)."""

    queryset = Voucher.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = VoucherSerializer
    read_permission = "can_view_vouchers"
    write_permission = "can_change_vouchers"
    filterset_class = VoucherFilter
    filter_backends = [DjangoFilterBackend, NullsOrderingFilter]
    ordering_fields = ("id", "code", "max_usages", "valid_until", "value", "redeemed", "tag")
    ordering_nulls_largest = ("valid_until",)  # no end sorts after every date
    ordering_nulls_smallest = ("value",)  # no value sorts before every amount
    ordering = ("id",)

    def get_queryset(self):
        return self.event.vouchers.all()

    def perform_create(self, serializer):
        serializer.instance = voucher_create(event=self.event, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = voucher_update(voucher=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        voucher_delete(voucher=instance)

    # Not paginated: the 201 is the plain list of the created vouchers, in the order sent.
    @extend_schema(request=VoucherSerializer(many=True), responses={201: VoucherSerializer(many=True)})
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def batch_create(self, request, *args, **kwargs):
        """Create a list of vouchers, all or nothing. A 400 maps each failing row's index to its errors."""
        rows = request.data
        if not isinstance(rows, list):
            raise ValidationError({"non_field_errors": ["Send a list of vouchers."]})
        if not rows:
            raise ValidationError({"non_field_errors": ["Send at least one voucher."]})
        if len(rows) > MAX_BATCH:
            raise ValidationError({"non_field_errors": [f"At most {MAX_BATCH} vouchers per batch."]})
        not_objects = {
            str(index): {"non_field_errors": ["Each row must be a voucher object."]}
            for index, row in enumerate(rows)
            if not isinstance(row, dict)
        }
        if not_objects:
            raise ValidationError(not_objects)
        errors = batch_duplicate_errors(rows)
        serializer = self.get_serializer(data=rows, many=True)
        if not serializer.is_valid():
            if "non_field_errors" in serializer.errors:
                raise ValidationError(serializer.errors)
            for index, row_errors in serializer.errors.items():
                errors[int(index)] = {**row_errors, **errors.get(int(index), {})}
        if errors:
            raise ValidationError({str(index): errors[index] for index in sorted(errors)})
        vouchers = voucher_batch_create(event=self.event, rows=serializer.validated_data)
        data = VoucherSerializer(vouchers, many=True, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

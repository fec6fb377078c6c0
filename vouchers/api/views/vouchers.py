"""Vouchers of an event: /api/v1/organizers/<o>/events/<e>/vouchers/"""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import DomainError
from ticketing.api.scoping import EventScopedMixin
from ticketing.models import Item
from ticketing.rights import VOUCHERS
from vouchers.api.filters import VoucherFilter
from vouchers.api.ordering import NullsOrderingFilter
from vouchers.api.serializers.code_items import CodeItemsSerializer, VoucherItemsSerializer
from vouchers.api.serializers.vouchers import BatchErrorsSerializer, VoucherSerializer
from vouchers.api.views.code_items import items_answer
from vouchers.codes import normalise_code
from vouchers.models import Voucher
from vouchers.quotas import QuotaShortfall
from vouchers.services.code_items import voucher_items_allow_all, voucher_items_set
from vouchers.services.code_texts import CodeTextTaken
from vouchers.services.vouchers import voucher_batch_create, voucher_create, voucher_delete, voucher_update

MAX_BATCH = 1000


NOT_AN_OBJECT = "Each row must be a voucher object."


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


def batch_refusal(detail: str, **context: Any) -> DomainError:
    return DomainError(detail, code="invalid", **context)


def batch_taken_refusal(rows: list[dict[str, Any]], taken: CodeTextTaken) -> Exception:
    """The refusal of a batch whose codes another request took after the checks: the same row errors
    the checks give (a generated code, which no row names: the error as it is)."""
    errors = [{} for _ in rows]
    for index, row in enumerate(rows):
        code = normalise_code(row.get("code"))
        if code in taken.holders:
            errors[index] = {"code": [taken.message(code)]}
    invalid = sum(1 for row_errors in errors if row_errors)
    if not invalid:
        return taken
    return batch_refusal(f"{invalid} of {len(rows)} rows are invalid; nothing was created.", errors=errors)


class VoucherViewSet(EventScopedMixin, viewsets.ModelViewSet):
    """Vouchers of the event. Ordering: ``id`` (default), ``code``, ``max_usages``, ``valid_until``,
    ``value``, ``redeemed``, ``tag``. A redeemed voucher cannot be deleted (409 ``voucher_redeemed``)."""

    queryset = Voucher.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = VoucherSerializer
    rights = VOUCHERS
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

    @extend_schema(methods=["GET"], responses={200: CodeItemsSerializer})
    @extend_schema(methods=["PATCH"], request=VoucherItemsSerializer, responses={200: CodeItemsSerializer})
    @action(detail=True, methods=["get", "patch"], filter_backends=[])
    def items(self, request, *args, **kwargs):
        """The item the voucher is limited to (a quota-limited one: its quota's items). PATCH
        ``{"items": [id]}`` limits it to that one item of the event (more: 400 ``voucher_one_item``),
        ``{"allow_all_items": true}`` opens it to every item (no item, variation or quota)."""
        voucher = self.get_object()
        return items_answer(
            self, request, voucher, VoucherItemsSerializer,
            items_queryset=Item.objects.filter(event=self.event).select_related("event"),
            limit=lambda v, items: voucher_items_set(voucher=v, items=items),
            allow_all=lambda v: voucher_items_allow_all(voucher=v),
        )  # fmt: skip

    # Not paginated: the 201 is the plain list of the created vouchers, in the order sent.
    @extend_schema(
        request=VoucherSerializer(many=True),
        responses={
            201: VoucherSerializer(many=True),
            400: OpenApiResponse(
                BatchErrorsSerializer,
                description="Nothing was created: the body is not a list of 1 to 1000 rows, or `errors` "
                "says, row by row, what is wrong.",
            ),
        },
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def batch_create(self, request, *args, **kwargs):
        """Create a list of vouchers, all or nothing. A 400 lists each row's errors, in the order sent."""
        rows = request.data
        if not isinstance(rows, list):
            raise batch_refusal("Send a list of vouchers.")
        if not rows:
            raise batch_refusal("Send at least one voucher.")
        if len(rows) > MAX_BATCH:
            raise batch_refusal(f"At most {MAX_BATCH} vouchers per batch.")
        errors: list[dict[str, Any]] = [
            {} if isinstance(row, dict) else {"non_field_errors": [NOT_AN_OBJECT]} for row in rows
        ]
        for index, duplicate in batch_duplicate_errors(rows).items():
            errors[index] = duplicate
        objects = [index for index, row in enumerate(rows) if isinstance(row, dict)]
        serializer = self.get_serializer(data=[rows[index] for index in objects], many=True)
        if not serializer.is_valid():  # DRF keys the rows' errors by their place in the list validated
            for position, row_errors in serializer.errors.items():
                index = objects[int(position)]
                errors[index] = {**row_errors, **errors[index]}
        invalid = sum(1 for row_errors in errors if row_errors)
        if invalid:
            raise batch_refusal(
                f"{invalid} of {len(rows)} rows are invalid; nothing was created.", errors=errors
            )
        try:
            vouchers = voucher_batch_create(event=self.event, rows=serializer.validated_data)
        except QuotaShortfall as exc:  # the rows together need more than the quotas have left
            errors[objects[exc.row]] = exc.message_dict
            raise batch_refusal(
                f"1 of {len(rows)} rows is invalid; nothing was created.", errors=errors
            ) from exc
        except CodeTextTaken as exc:  # another request created some of the codes after the checks above
            raise batch_taken_refusal(rows, exc) from exc
        data = VoucherSerializer(vouchers, many=True, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

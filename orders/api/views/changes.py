"""Changing an order, as pretix has it: ``POST orders/<code>/change/`` (a mixin of ``OrderViewSet``;
``can_change_orders``), with ``"simulate": true`` for a preview that stores nothing."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.serializers import StrictSerializer
from orders.api.serializers.money import refused_when_true, send_email_field
from orders.api.serializers.outputs import OrderSerializer
from orders.api.views.common import validated_body
from orders.models import Order
from orders.selectors import event_orders
from orders.services.changes import (
    PATCHABLE,
    NewPosition,
    OrderChange,
    PositionPatch,
    order_change,
    order_change_preview,
)
from ticketing.api.fields import MoneyField

MAX_CHANGES = 100


@extend_schema_field(OpenApiTypes.ANY)
class Unsupported(serializers.Field):
    """A field pretix has that this backend does not support: refused (400 naming it, with ``reason``)
    whenever it is sent."""

    def __init__(self, reason: str, **kwargs):
        self.reason = reason
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", f"pretix's; not supported: {reason}")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        raise serializers.ValidationError(f"Not supported: {self.reason}")

    def to_representation(self, value):  # pragma: no cover - never read back
        return value


NO_SEATS = "this backend has no seating plans."
NO_ATTENDEES = "this backend keeps no attendee data on positions."
NO_TAXES = "this backend prices gross and keeps no tax rules on positions."


class PositionRefSerializer(StrictSerializer):
    """A position of the order: pretix's ``position`` (its ``id``), or this API's ``positionid`` (1, 2, 3 …
    within the order); one of the two."""

    position = serializers.IntegerField(
        min_value=1, required=False, help_text="pretix's: the position's id (``positions[].id``)."
    )
    positionid = serializers.IntegerField(min_value=1, required=False, help_text="The position's positionid.")

    def validate(self, attrs):
        if ("position" in attrs) == ("positionid" in attrs):
            raise serializers.ValidationError("Name the position by its id (position) or positionid: one.")
        return attrs


class CancelPositionSerializer(PositionRefSerializer):
    pass


class CreatePositionSerializer(StrictSerializer):
    item = serializers.IntegerField(min_value=1)
    variation = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    subevent = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    addon_to = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None,
        help_text="pretix's: the id of the order's position (not itself an add-on) this one is an add-on to.",
    )  # fmt: skip
    addon_to_positionid = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None,
        help_text="The same by its positionid (instead of addon_to).",
    )  # fmt: skip
    price = MoneyField(
        required=False, allow_null=True, default=None,
        help_text="A manual price: the position costs exactly this, no code or rule changes it.",
    )  # fmt: skip
    seat = Unsupported(NO_SEATS)
    attendee_name = Unsupported(NO_ATTENDEES)
    attendee_email = Unsupported(NO_ATTENDEES)
    voucher = Unsupported("a code is not added by a change; the order's codes price its new positions.")

    def validate(self, attrs):
        if attrs.get("addon_to") is not None and attrs.get("addon_to_positionid") is not None:
            both = "Send addon_to or addon_to_positionid, not both."
            raise serializers.ValidationError({"addon_to": [both]})
        return attrs


class PatchBodySerializer(StrictSerializer):
    item = serializers.IntegerField(min_value=1, required=False)
    variation = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    subevent = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    price = MoneyField(required=False, help_text="A manual price: no code or rule changes it any more.")
    seat = Unsupported(NO_SEATS)
    tax_rule = Unsupported(NO_TAXES)


class PatchPositionSerializer(PositionRefSerializer):
    body = PatchBodySerializer(help_text="What changes: item, variation, subevent, price.")


class OrderChangeSerializer(StrictSerializer):
    cancel_positions = CancelPositionSerializer(many=True, required=False, max_length=MAX_CHANGES)
    create_positions = CreatePositionSerializer(many=True, required=False, max_length=MAX_CHANGES)
    patch_positions = PatchPositionSerializer(many=True, required=False, max_length=MAX_CHANGES)
    simulate = serializers.BooleanField(
        required=False, default=False,
        help_text="Check and price the change and answer the order as it would be: nothing is stored.",
    )  # fmt: skip
    split_positions = Unsupported("an order is not split here.")
    patch_fees = Unsupported("an order's fees do not change here.")
    cancel_fees = Unsupported("an order's fees do not change here.")
    recalculate_taxes = Unsupported(NO_TAXES)
    reissue_invoice = serializers.BooleanField(
        required=False, default=False, help_text="pretix's; this backend issues no invoices (false only).",
        validators=[refused_when_true("This backend issues no invoices: send false or leave it out.")],
    )  # fmt: skip
    send_email = send_email_field()


def patchable(body: dict) -> dict:
    return {key: value for key, value in body.items() if key in PATCHABLE}


def order_change_of(data: dict, order: Order) -> OrderChange:
    """The service's request from the validated body (only what a patch may change is in its body), with
    the positions named by their ``positionid``: pretix's ids are looked up among the order's positions
    (400 naming the field for an id that is not one of them)."""
    ids = dict(order.positions.values_list("pk", "positionid"))

    def number(field: str, index: int, row: dict, id_key: str, number_key: str) -> int | None:
        if row.get(id_key) is None:
            return row.get(number_key)
        if row[id_key] not in ids:
            missing = f"The order has no position with id {row[id_key]}."
            raise serializers.ValidationError({field: {index: {id_key: [missing]}}})
        return ids[row[id_key]]

    cancel = data.get("cancel_positions", [])
    create = data.get("create_positions", [])
    patch = data.get("patch_positions", [])
    return OrderChange(
        cancel=tuple(
            number("cancel_positions", i, row, "position", "positionid") for i, row in enumerate(cancel)
        ),
        create=tuple(
            NewPosition(item=row["item"], variation=row["variation"], subevent=row["subevent"],
                        addon_to=number("create_positions", i, row, "addon_to", "addon_to_positionid"),
                        price=row["price"])
            for i, row in enumerate(create)
        ),
        patch=tuple(
            PositionPatch(position=number("patch_positions", i, row, "position", "positionid"),
                          values=patchable(row["body"]))
            for i, row in enumerate(patch)
        ),
    )  # fmt: skip


class ChangeActions:
    """``change/`` of ``OrderViewSet`` (which gives ``get_object``, ``event``, ``get_serializer``)."""

    @extend_schema(request=OrderChangeSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def change(self, request, *args, **kwargs):
        """Change the order's positions: ``cancel_positions`` (with their add-ons), ``create_positions``,
        ``patch_positions`` (item, variation, subevent, a manual price). New and changed positions need
        room (409 ``quota_exceeded``, nothing changes); rules and the order's codes price the order
        again. A paid order that now owes more is pending again; what was paid beyond the new total is
        due back (``payment_balance`` < 0). ``simulate: true`` answers the order as it would be and
        stores nothing. 409 ``order_state`` unless the order is pending or paid; 400 naming
        ``cancel_positions`` for a change that cancels every position (cancel the order instead)."""
        order = self.get_object()
        data = validated_body(self, OrderChangeSerializer)
        change = order_change_of(data, order)
        now = timezone.now()

        def read(result) -> dict:
            return self.get_serializer(event_orders(self.event).get(pk=result.order.pk)).data

        if data["simulate"]:
            return Response(order_change_preview(order=order, change=change, now=now, read=read))
        return Response(read(order_change(order=order, change=change, now=now)))

"""Response bodies: the priced view of a cart or preview, and orders with their breakdown.

Money is rendered with the event currency's places (``MoneyField``); a price
breakdown always reads ``price = list_price − code_discount − rule_discount``.
"""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import StrictModelSerializer, StrictSerializer
from orders.checkout.price import PricedPosition, PricedView
from orders.models import Order, OrderPosition, Redemption
from ticketing.api.fields import MoneyField, context_currency
from ticketing.currency import currency_exponent


class RuleRefSerializer(StrictSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="internal_name")


class PricedPositionSerializer(StrictSerializer):
    """One position of a priced cart or preview.

    ``id`` is the cart position's id (null in a preview); ``addon_to`` the parent's
    id in a cart, its index in a preview.
    """

    id = serializers.SerializerMethodField()
    item = serializers.IntegerField(source="spec.item")
    variation = serializers.IntegerField(source="spec.variation", allow_null=True)
    subevent = serializers.IntegerField(source="spec.subevent", allow_null=True)
    addon_to = serializers.SerializerMethodField()
    is_bundled = serializers.BooleanField(source="spec.is_bundled")
    list_price = MoneyField(source="line.list_price")
    code = serializers.CharField(source="line.code", allow_null=True)
    code_discount = MoneyField(source="line.code_discount")
    discount_rule = RuleRefSerializer(source="rule", allow_null=True)
    rule_discount = MoneyField(source="line.rule_discount")
    price = MoneyField(source="line.price")

    def get_id(self, obj: PricedPosition) -> int | None:
        return obj.spec.ref

    def get_addon_to(self, obj: PricedPosition) -> int | None:
        if obj.spec.addon_to is None:
            return None
        refs = self.context.get("refs")
        return refs[obj.spec.addon_to] if refs is not None else obj.spec.addon_to


class AppliedCodeSerializer(StrictSerializer):
    code = serializers.CharField()
    kind = serializers.CharField()


class PricedViewSerializer(StrictSerializer):
    currency = serializers.CharField()
    positions = PricedPositionSerializer(many=True)
    codes = AppliedCodeSerializer(many=True)
    list_total = MoneyField()
    code_discount_total = MoneyField()
    rule_discount_total = MoneyField()
    total = MoneyField()


def priced_view_data(view: PricedView, context: dict, *, with_refs: bool) -> dict:
    context = dict(context)
    if with_refs:
        context["refs"] = [p.spec.ref for p in view.positions]
    return PricedViewSerializer(view, context=context).data


ERROR_SCHEMA = {"type": "object", "properties": {"code": {"type": "string"}, "detail": {"type": "string"}}}


class InvalidCodeSerializer(StrictSerializer):
    code = serializers.CharField()
    error = serializers.SerializerMethodField()

    @extend_schema_field(ERROR_SCHEMA)
    def get_error(self, obj) -> dict:
        return obj.error.as_dict()


class OrderPositionSerializer(StrictModelSerializer):
    addon_to = serializers.SerializerMethodField()
    list_price = MoneyField()
    code = serializers.SerializerMethodField()
    code_discount = MoneyField()
    discount_rule = RuleRefSerializer(allow_null=True)
    rule_discount = MoneyField()
    price = MoneyField()

    class Meta:
        model = OrderPosition
        fields = (
            "id", "positionid", "item", "variation", "subevent", "addon_to", "is_bundled", "list_price",
            "code", "code_discount", "discount_rule", "rule_discount", "price",
        )  # fmt: skip

    def get_addon_to(self, obj: OrderPosition) -> int | None:
        """The parent's ``positionid``, as pretix does."""
        return self.context["positionids"].get(obj.addon_to_id) if obj.addon_to_id else None

    def get_code(self, obj: OrderPosition) -> str | None:
        return obj.code or None


class RedemptionSerializer(StrictModelSerializer):
    discount = MoneyField()

    class Meta:
        model = Redemption
        fields = ("id", "kind", "code", "voucher", "coupon", "uses", "tickets", "discount", "reversed")


class OrderSerializer(StrictModelSerializer):
    """An order with its positions' price breakdown and the codes it redeemed."""

    sales_channel = serializers.CharField(source="sales_channel.identifier")
    list_total = MoneyField()
    code_discount_total = MoneyField()
    rule_discount_total = MoneyField()
    total = MoneyField()
    positions = serializers.SerializerMethodField()
    redemptions = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = (
            "code", "status", "email", "name", "sales_channel", "datetime", "list_total",
            "code_discount_total", "rule_discount_total", "total", "tags", "positions", "redemptions",
        )  # fmt: skip

    @extend_schema_field(OrderPositionSerializer(many=True))
    def get_positions(self, obj: Order) -> list[dict]:
        rows = obj.position_list
        context = {**self.context, "positionids": {row.pk: row.positionid for row in rows}}
        return OrderPositionSerializer(rows, many=True, context=context).data

    @extend_schema_field(RedemptionSerializer(many=True))
    def get_redemptions(self, obj: Order) -> list[dict]:
        return RedemptionSerializer(obj.redemption_list, many=True, context=self.context).data

    def to_representation(self, instance: Order) -> dict:
        """The declared fields describe the resource (schema, docs); rendering them through DRF's
        field machinery costs more than a checkout's pricing, so this builds the same dict directly
        (``test_the_fast_rendering_matches_the_declared_fields`` keeps the two in step)."""
        return order_data(instance, currency=context_currency(self))


def order_data(order: Order, *, currency: str) -> dict:
    places = currency_exponent(currency)

    def money(value) -> str:
        return str(Decimal(value).quantize(places))

    positionids = {row.pk: row.positionid for row in order.position_list}
    rules = {}
    positions = []
    for row in order.position_list:
        parent = positionids.get(row.addon_to_id) if row.addon_to_id else None
        rule = None
        if row.discount_rule_id is not None:
            rule = rules.get(row.discount_rule_id)
            if rule is None:
                rule = rules[row.discount_rule_id] = {
                    "id": row.discount_rule_id, "name": row.discount_rule.internal_name
                }  # fmt: skip
        positions.append({
            "id": row.pk, "positionid": row.positionid, "item": row.item_id, "variation": row.variation_id,
            "subevent": row.subevent_id, "addon_to": parent,
            "is_bundled": row.is_bundled, "list_price": money(row.list_price), "code": row.code or None,
            "code_discount": money(row.code_discount), "discount_rule": rule,
            "rule_discount": money(row.rule_discount), "price": money(row.price),
        })  # fmt: skip
    return {
        "code": order.code, "status": order.status, "email": order.email, "name": order.name,
        "sales_channel": order.sales_channel.identifier, "datetime": drf_datetime(order.datetime),
        "list_total": money(order.list_total), "code_discount_total": money(order.code_discount_total),
        "rule_discount_total": money(order.rule_discount_total), "total": money(order.total),
        "tags": list(order.tags), "positions": positions,
        "redemptions": [
            {"id": r.pk, "kind": r.kind, "code": r.code, "voucher": r.voucher_id, "coupon": r.coupon_id,
             "uses": r.uses, "tickets": r.tickets, "discount": money(r.discount), "reversed": r.reversed}
            for r in order.redemption_list
        ],
    }  # fmt: skip


_DATETIME = serializers.DateTimeField()


def drf_datetime(value) -> str:
    return _DATETIME.to_representation(value)

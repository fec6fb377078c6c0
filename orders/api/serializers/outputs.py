"""Response bodies: the priced view of a cart or preview, and orders with their breakdown.

Money is rendered with the event currency's places (``MoneyField``); a price
breakdown always reads ``price = list_price − code_discount − rule_discount``.
"""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import StrictModelSerializer, StrictSerializer
from orders.checkout.commit import set_aside_data, warnings_data
from orders.checkout.price import PricedPosition, PricedView
from orders.models import (
    GIFT_CARD_PROVIDER,
    Order,
    OrderFee,
    OrderPayment,
    OrderPosition,
    OrderRefund,
    OrderStatus,
    PaymentState,
    Redemption,
)
from orders.payments import payment_balance
from ticketing.api.fields import MoneyField, context_currency
from ticketing.currency import amount_text


class RuleRefSerializer(StrictSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="internal_name")


class CodeShareSerializer(StrictSerializer):
    """A code applied to a position and what it took off it."""

    code = serializers.CharField()
    amount = MoneyField()


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
    code = serializers.CharField(
        source="line.code", allow_null=True,
        help_text="The first code applied to the position: its voucher, or the first stacked coupon or promo "
        "code; `codes` lists them all.",
    )  # fmt: skip
    codes = CodeShareSerializer(
        source="line.codes", many=True,
        help_text="Every code applied to the position, in the order applied, with what it took off.",
    )  # fmt: skip
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
    """An applied code: what it took off the positions, and what it saved the customer."""

    code = serializers.CharField(source="code.code")
    kind = serializers.CharField(source="code.kind")
    discount = MoneyField(help_text="What the code took off the positions.")
    saving = MoneyField(
        allow_null=True,
        help_text="Coupons and promo codes: the total without the code minus the total with it (automatic "
        "rules that run after the codes can make it less than `discount`). Null for a voucher.",
    )  # fmt: skip


class SetAsideCodeSerializer(StrictSerializer):
    """A code that was not applied: with it the total would have been higher."""

    code = serializers.CharField(help_text="Why: `not_beneficial`.")
    code_text = serializers.CharField(help_text="The code set aside.")
    total_with = MoneyField(help_text="The total the order would have had with the code.")


class CodeWarningSerializer(StrictSerializer):
    """A code whose remaining ticket allowance reached fewer positions than it could have changed."""

    code = serializers.CharField(help_text="`partly_applied`.")
    code_text = serializers.CharField()
    discounted = serializers.IntegerField(help_text="Positions the code was applied to.")
    eligible = serializers.IntegerField(help_text="Positions the code could have been applied to.")


class GiftCardShareSerializer(StrictSerializer):
    """What a gift card would pay of the total (a cart, a preview), and what it holds now."""

    code = serializers.CharField()
    amount = MoneyField(help_text="What it pays of the total (0.00 when the cards before it pay it all).")
    balance = MoneyField(source="card.balance", help_text="What is on the card now.")


class PricedViewSerializer(StrictSerializer):
    currency = serializers.CharField()
    positions = PricedPositionSerializer(many=True)
    codes = AppliedCodeSerializer(source="applied_codes", many=True)
    set_aside_codes = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    list_total = MoneyField()
    code_discount_total = MoneyField()
    rule_discount_total = MoneyField()
    total = MoneyField()
    gift_cards = GiftCardShareSerializer(
        many=True, help_text="The gift cards, in the order they pay, with what each would pay of the total."
    )
    amount_due = MoneyField(help_text="The total minus what the gift cards would pay.")

    @extend_schema_field(SetAsideCodeSerializer(many=True))
    def get_set_aside_codes(self, obj: PricedView) -> list[dict]:
        return SetAsideCodeSerializer(set_aside_data(obj), many=True, context=self.context).data

    @extend_schema_field(CodeWarningSerializer(many=True))
    def get_warnings(self, obj: PricedView) -> list[dict]:
        return warnings_data(obj)


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
    codes = serializers.SerializerMethodField()
    code_discount = MoneyField()
    discount_rule = RuleRefSerializer(allow_null=True)
    rule_discount = MoneyField()
    price = MoneyField()
    price_manual = serializers.BooleanField(
        help_text="The price was set by the caller (a manual price): no code or rule changed it."
    )
    order = serializers.SerializerMethodField()
    voucher = serializers.IntegerField(
        source="voucher_id", allow_null=True, help_text="pretix: the voucher's id."
    )
    discount = serializers.IntegerField(
        source="discount_rule_id", allow_null=True, help_text="pretix: the id of the rule that consumed it."
    )
    voucher_budget_use = serializers.SerializerMethodField()
    canceled = serializers.BooleanField(
        help_text="Canceled on its own (an order change, or a cancel that kept a fee): it no longer counts."
    )

    class Meta:
        model = OrderPosition
        fields = (
            "id", "order", "positionid", "item", "variation", "subevent", "addon_to", "is_bundled",
            "list_price", "code", "codes", "code_discount", "discount_rule", "rule_discount", "price",
            "price_manual", "voucher", "discount", "voucher_budget_use", "canceled",
        )  # fmt: skip

    def get_order(self, obj: OrderPosition) -> str:
        """pretix: the order's code."""
        return obj.order.code

    @extend_schema_field(MoneyField(
        allow_null=True, help_text="pretix: what the position's voucher took off it (null without a voucher)."
    ))  # fmt: skip
    def get_voucher_budget_use(self, obj: OrderPosition) -> str | None:
        use = voucher_budget_use(obj, self.context["redemption_kinds"])
        return None if use is None else amount_text(use, context_currency(self))

    def get_addon_to(self, obj: OrderPosition) -> int | None:
        """The parent's ``positionid``, as pretix does."""
        return self.context["positionids"].get(obj.addon_to_id) if obj.addon_to_id else None

    def get_code(self, obj: OrderPosition) -> str | None:
        """The first code applied to the position; ``codes`` lists them all."""
        return obj.code or None

    @extend_schema_field(CodeShareSerializer(many=True))
    def get_codes(self, obj: OrderPosition) -> list[dict]:
        texts = self.context["redemption_codes"]
        shares = [{"code": texts[link.redemption_id], "amount": link.amount} for link in obj.code_list]
        return CodeShareSerializer(shares, many=True, context=self.context).data


class RedemptionSerializer(StrictModelSerializer):
    discount = MoneyField(help_text="What the code took off the positions.")
    saving = MoneyField(
        allow_null=True,
        help_text="Coupons and promo codes: the order's total without the code minus its total with it; null "
        "for a voucher.",
    )  # fmt: skip

    class Meta:
        model = Redemption
        fields = (
            "id", "kind", "code", "voucher", "coupon", "uses", "tickets", "discount", "saving", "reversed"
        )  # fmt: skip


class GiftCardPaymentSerializer(StrictSerializer):
    """What a gift card paid of the order (a payment of provider ``giftcard``); ``refunded`` once it went
    back to the card."""

    code = serializers.CharField(source="gift_card_code")
    amount = MoneyField()
    refunded = serializers.SerializerMethodField()

    def get_refunded(self, obj: OrderPayment) -> bool:
        return obj.state == PaymentState.REFUNDED


class OrderPaymentSerializer(StrictModelSerializer):
    """A payment of the order (pretix's order payment): ``local_id`` numbers it within the order."""

    amount = MoneyField()
    info = serializers.JSONField(help_text="What the provider recorded (pretix: ``details``).")
    gift_card = serializers.CharField(
        source="gift_card_code", allow_null=True, help_text="The gift card's code (provider giftcard)."
    )

    class Meta:
        model = OrderPayment
        fields = (
            "local_id", "state", "amount", "created", "payment_date", "provider", "info", "gift_card",
        )  # fmt: skip

    def to_representation(self, instance: OrderPayment) -> dict:
        return payment_data(instance, currency=context_currency(self))


class OrderRefundSerializer(StrictModelSerializer):
    """A refund of the order (pretix's order refund); ``payment`` is the ``local_id`` of the payment it
    gives back."""

    amount = MoneyField()
    payment = serializers.IntegerField(source="payment.local_id", allow_null=True)
    info = serializers.JSONField()

    class Meta:
        model = OrderRefund
        fields = (
            "local_id", "state", "source", "amount", "payment", "created", "execution_date", "comment",
            "provider", "info",
        )  # fmt: skip

    def to_representation(self, instance: OrderRefund) -> dict:
        return refund_data(instance, currency=context_currency(self))


class OrderFeeSerializer(StrictModelSerializer):
    """A fee line of the order (pretix's order fee)."""

    value = MoneyField()

    class Meta:
        model = OrderFee
        fields = ("fee_type", "value", "description", "internal_type", "canceled")


class IssuedGiftCardSerializer(StrictSerializer):
    """A gift card the (paid) order issued for one of its positions; ``voided`` once it was canceled."""

    code = serializers.CharField(source="gift_card.code")
    value = MoneyField()
    positionid = serializers.IntegerField(source="position.positionid")
    voided = serializers.BooleanField()


class OrderSerializer(StrictModelSerializer):
    """An order with its positions' price breakdown, the codes it redeemed, what gift cards paid of it
    and what is still due, and the gift cards it issued."""

    status = serializers.SerializerMethodField()
    status_text = serializers.ChoiceField(
        source="status", choices=OrderStatus.choices,
        help_text="The status in words: pending, paid, expired, canceled.",
    )
    event = serializers.SerializerMethodField()
    sales_channel = serializers.CharField(source="sales_channel.identifier")
    list_total = MoneyField()
    code_discount_total = MoneyField()
    rule_discount_total = MoneyField()
    total = MoneyField()
    positions = serializers.SerializerMethodField()
    redemptions = serializers.SerializerMethodField()
    set_aside_codes = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    fee_total = MoneyField(help_text="The fees that are not canceled.")
    fees = OrderFeeSerializer(source="fee_list", many=True)
    payments = OrderPaymentSerializer(source="payment_list", many=True)
    refunds = OrderRefundSerializer(source="refund_list", many=True)
    gift_cards = serializers.SerializerMethodField()
    payment_balance = serializers.SerializerMethodField()
    amount_due = serializers.SerializerMethodField()
    issued_gift_cards = IssuedGiftCardSerializer(source="gift_card_issue_list", many=True)

    class Meta:
        model = Order
        fields = (
            "code", "event", "status", "status_text", "email", "name", "sales_channel", "datetime",
            "expires", "list_total", "code_discount_total", "rule_discount_total", "fee_total", "total",
            "tags", "positions", "fees", "redemptions", "set_aside_codes", "warnings", "payments", "refunds",
            "gift_cards", "payment_balance", "amount_due", "issued_gift_cards",
        )  # fmt: skip

    @extend_schema_field(serializers.ChoiceField(
        choices=["n", "p", "e", "c"],
        help_text="pretix's letter: n (pending), p (paid), e (expired), c (canceled).",
    ))  # fmt: skip
    def get_status(self, obj: Order) -> str:
        return PRETIX_STATUS[obj.status]

    def get_event(self, obj: Order) -> str:
        """The event's slug."""
        return event_slug(obj, self.context)

    @extend_schema_field(MoneyField(help_text="What is still due (0 when nothing is): the payment balance "
                                    "when it is positive."))  # fmt: skip
    def get_amount_due(self, obj: Order) -> str:
        return amount_text(amount_due(obj), context_currency(self))

    @extend_schema_field(MoneyField(
        min_value=None,
        help_text="What the order owes (the total of a pending or paid order, 0 for an expired or canceled "
        "one) minus its confirmed payments plus its done refunds: positive, still due; negative, overpaid "
        "(a refund is due).",
    ))  # fmt: skip
    def get_payment_balance(self, obj: Order) -> str:
        return amount_text(payment_balance(obj, obj.payment_list, obj.refund_list), context_currency(self))

    @extend_schema_field(GiftCardPaymentSerializer(many=True))
    def get_gift_cards(self, obj: Order) -> list[dict]:
        """The payments of provider giftcard, as before payments were listed."""
        rows = [p for p in obj.payment_list if p.provider == GIFT_CARD_PROVIDER]
        return GiftCardPaymentSerializer(rows, many=True, context=self.context).data

    @extend_schema_field(OrderPositionSerializer(many=True))
    def get_positions(self, obj: Order) -> list[dict]:
        rows = obj.position_list
        context = {
            **self.context,
            "positionids": {row.pk: row.positionid for row in rows},
            "redemption_codes": {r.pk: r.code for r in obj.redemption_list},
            "redemption_kinds": {r.pk: r.kind for r in obj.redemption_list},
        }
        return OrderPositionSerializer(rows, many=True, context=context).data

    @extend_schema_field(SetAsideCodeSerializer(many=True))
    def get_set_aside_codes(self, obj: Order) -> list[dict]:
        return SetAsideCodeSerializer(obj.set_aside_codes, many=True, context=self.context).data

    @extend_schema_field(CodeWarningSerializer(many=True))
    def get_warnings(self, obj: Order) -> list[dict]:
        return list(obj.warnings)

    @extend_schema_field(RedemptionSerializer(many=True))
    def get_redemptions(self, obj: Order) -> list[dict]:
        return RedemptionSerializer(obj.redemption_list, many=True, context=self.context).data

    def to_representation(self, instance: Order) -> dict:
        """The declared fields describe the resource (schema, docs); rendering them through DRF's
        field machinery costs more than a checkout's pricing, so this builds the same dict directly
        (``test_the_fast_rendering_matches_the_declared_fields`` keeps the two in step)."""
        return order_data(instance, currency=context_currency(self), event=event_slug(instance, self.context))


#: pretix's status letters for this API's status words (``status``; ``status_text`` keeps the word).
PRETIX_STATUS = {
    OrderStatus.PENDING: "n", OrderStatus.PAID: "p", OrderStatus.EXPIRED: "e", OrderStatus.CANCELED: "c",
}  # fmt: skip


def event_slug(order: Order, context: dict) -> str:
    event = context.get("event")
    return event.slug if event is not None and event.pk == order.event_id else order.event.slug


def voucher_budget_use(row: OrderPosition, kinds: dict[int, str]) -> Decimal | None:
    """What the position's own voucher took off it (pretix's ``voucher_budget_use``); None without one."""
    if row.voucher_id is None:
        return None
    taken = sum((ln.amount for ln in row.code_list if kinds.get(ln.redemption_id) == "voucher"), Decimal("0"))
    return max(taken, Decimal("0"))


def amount_due(order: Order) -> Decimal:
    """What is still to pay: the payment balance when positive (``orders.payments``)."""
    return max(payment_balance(order, order.payment_list, order.refund_list), Decimal("0"))


def payment_data(payment: OrderPayment, *, currency: str) -> dict:
    return {
        "local_id": payment.local_id, "state": payment.state, "amount": amount_text(payment.amount, currency),
        "created": drf_datetime(payment.created),
        "payment_date": drf_datetime(payment.payment_date) if payment.payment_date else None,
        "provider": payment.provider, "info": payment.info, "gift_card": payment.gift_card_code or None,
    }  # fmt: skip


def refund_data(refund: OrderRefund, *, currency: str, payment_ids: dict[int, int] | None = None) -> dict:
    """``payment_ids``: the order's payments' ``local_id`` by primary key (else the payment is read)."""
    if refund.payment_id is None:
        payment = None
    elif payment_ids is not None:
        payment = payment_ids[refund.payment_id]
    else:
        payment = refund.payment.local_id
    return {
        "local_id": refund.local_id, "state": refund.state, "source": refund.source,
        "amount": amount_text(refund.amount, currency), "payment": payment,
        "created": drf_datetime(refund.created),
        "execution_date": drf_datetime(refund.execution_date) if refund.execution_date else None,
        "comment": refund.comment, "provider": refund.provider, "info": refund.info,
    }  # fmt: skip


def fee_data(fee: OrderFee, *, currency: str) -> dict:
    return {
        "fee_type": fee.fee_type, "value": amount_text(fee.value, currency), "description": fee.description,
        "internal_type": fee.internal_type, "canceled": fee.canceled,
    }  # fmt: skip


def order_data(order: Order, *, currency: str, event: str) -> dict:
    """The order as the API shows it. A simulated order (not stored: no primary key) shows no ids of
    its positions and redemptions."""

    def money(value) -> str:
        return amount_text(value, currency)

    stored = order.pk is not None
    payment_ids = {p.pk: p.local_id for p in order.payment_list}
    positionids = {row.pk: row.positionid for row in order.position_list}
    texts = {r.pk: r.code for r in order.redemption_list}
    kinds = {r.pk: r.kind for r in order.redemption_list}
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
        budget_use = voucher_budget_use(row, kinds)
        positions.append({
            "id": row.pk if stored else None, "order": order.code, "positionid": row.positionid,
            "item": row.item_id, "variation": row.variation_id,
            "subevent": row.subevent_id, "addon_to": parent,
            "is_bundled": row.is_bundled, "list_price": money(row.list_price), "code": row.code or None,
            "codes": [{"code": texts[ln.redemption_id], "amount": money(ln.amount)} for ln in row.code_list],
            "code_discount": money(row.code_discount), "discount_rule": rule,
            "rule_discount": money(row.rule_discount), "price": money(row.price),
            "price_manual": row.price_manual, "voucher": row.voucher_id, "discount": row.discount_rule_id,
            "voucher_budget_use": None if budget_use is None else money(budget_use), "canceled": row.canceled,
        })  # fmt: skip
    return {
        "code": order.code, "event": event, "status": PRETIX_STATUS[order.status],
        "status_text": order.status, "email": order.email, "name": order.name,
        "sales_channel": order.sales_channel.identifier, "datetime": drf_datetime(order.datetime),
        "expires": drf_datetime(order.expires) if order.expires else None,
        "list_total": money(order.list_total), "code_discount_total": money(order.code_discount_total),
        "rule_discount_total": money(order.rule_discount_total), "fee_total": money(order.fee_total),
        "total": money(order.total), "tags": list(order.tags), "positions": positions,
        "fees": [fee_data(f, currency=currency) for f in order.fee_list],
        "redemptions": [
            {"id": r.pk if stored else None, "kind": r.kind, "code": r.code, "voucher": r.voucher_id,
             "coupon": r.coupon_id, "uses": r.uses, "tickets": r.tickets, "discount": money(r.discount),
             "saving": None if r.saving is None else money(r.saving), "reversed": r.reversed}
            for r in order.redemption_list
        ],
        "set_aside_codes": [{**s, "total_with": money(s["total_with"])} for s in order.set_aside_codes],
        "warnings": list(order.warnings),
        "payments": [payment_data(p, currency=currency) for p in order.payment_list],
        "refunds": [
            refund_data(r, currency=currency, payment_ids=payment_ids) for r in order.refund_list
        ],
        "gift_cards": [
            {"code": p.gift_card_code, "amount": money(p.amount),
             "refunded": p.state == PaymentState.REFUNDED}
            for p in order.payment_list
            if p.provider == GIFT_CARD_PROVIDER
        ],
        "payment_balance": money(payment_balance(order, order.payment_list, order.refund_list)),
        "amount_due": money(amount_due(order)),
        "issued_gift_cards": [
            {"code": i.gift_card.code, "value": money(i.value), "positionid": i.position.positionid,
             "voided": i.voided}
            for i in order.gift_card_issue_list
        ],
    }  # fmt: skip


_DATETIME = serializers.DateTimeField()


def drf_datetime(value) -> str:
    return _DATETIME.to_representation(value)

"""Rows of the event's code list, and what the public lookup tells a customer about a code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from rest_framework import serializers

from core.serializers import StrictSerializer
from ticketing.api.filters import StrictBooleanField
from ticketing.currency import amount_text
from ticketing.models import Event, Item
from vouchers.api.fields import AmountField
from vouchers.choices import CodeKind
from vouchers.models import Coupon, GiftCard, SeriesKind, Voucher

DATETIME = serializers.DateTimeField()
AMOUNT = AmountField()


def datetime_or_none(value) -> str | None:
    return None if value is None else DATETIME.to_representation(value)


def coupon_kind(coupon: Coupon) -> CodeKind:
    return CodeKind.PROMO_CODE if coupon.series.kind == SeriesKind.PROMO_CODE else CodeKind.COUPON


class EventCodeSerializer(StrictSerializer):
    """One code usable in the event.

    ``scope``: ``event`` (every ticket) or ``items`` (listed tickets); ``active``: usable now;
    ``used``/``max_usages``: positions for vouchers, orders for coupons and promo codes.
    """

    kind = serializers.ChoiceField(choices=[k.value for k in CodeKind])
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    scope = serializers.ChoiceField(choices=["event", "items"])
    valid_from = serializers.DateTimeField(allow_null=True)
    valid_until = serializers.DateTimeField(allow_null=True)
    active = serializers.BooleanField()
    used = serializers.IntegerField()
    max_usages = serializers.IntegerField(allow_null=True)

    def to_representation(self, row: Voucher | Coupon) -> dict[str, Any]:
        if isinstance(row, Voucher):
            return {
                "kind": CodeKind.VOUCHER.value,
                "id": row.pk,
                "code": row.code,
                "name": row.tag,
                "scope": "items" if row.item_id or row.quota_id else "event",
                "valid_from": datetime_or_none(row.valid_from),
                "valid_until": datetime_or_none(row.valid_until),
                "active": row.is_active,
                "used": row.redeemed,
                "max_usages": row.max_usages,
            }
        series = row.series
        return {
            "kind": coupon_kind(row).value,
            "id": row.pk,
            "code": row.code,
            "name": series.name,
            "scope": "event" if series.allow_all_items else "items",
            "valid_from": datetime_or_none(series.valid_from),
            "valid_until": datetime_or_none(series.valid_until),
            "active": row.is_active,
            "used": row.used_orders,
            "max_usages": series.max_orders_per_coupon,
        }


class EventCodesQueryForm(forms.Form):
    kind = forms.ChoiceField(required=False, choices=[("", "")] + [(k.value, k.value) for k in CodeKind])
    active = StrictBooleanField(required=False)


# --- public lookup -------------------------------------------------------------------------------

MESSAGES = {
    "inactive": "inactive",
    "not_yet_valid": "notYetValid",
    "expired": "expired",
    "exhausted": "exhausted",
    "budget_exhausted": "exhausted",
    "not_valid_for_event": "notValidForEvent",
    "held_in_other_cart": "heldInOtherCart",
}


def code_amount(value: Decimal | None, event: Event | None) -> str | None:
    """A code's amount in the event's currency; without an event (a percentage, or an organizer-wide code
    looked up without one), as the API's plain amount."""
    if value is None:
        return None
    if event is None:
        return AMOUNT.to_representation(value)
    return amount_text(value, event.currency)


def revealed_items(item_ids) -> list[dict[str, Any]]:
    items = Item.objects.filter(pk__in=list(item_ids)).select_related("event").order_by("event__slug", "id")
    return [{"id": item.pk, "name": item.name, "event": item.event.slug} for item in items]


def voucher_info(voucher: Voucher, item_ids) -> dict[str, Any]:
    info = {
        "name": "",
        "discount_type": voucher.price_mode,
        "discount_value": code_amount(voucher.value, voucher.event),
        "discount_max_value": None,
        "can_be_combined": True,
        "min_tickets_in_cart": voucher.min_usages,
        "max_tickets_in_cart": None,
        "valid_from": datetime_or_none(voucher.valid_from),
        "valid_until": datetime_or_none(voucher.valid_until),
        "scope": "event" if item_ids is None else "items",
    }
    if voucher.show_hidden_items and item_ids is not None:
        info["allowed_items"] = revealed_items(item_ids)
    return info


def coupon_info(coupon: Coupon, item_ids, event: Event | None, unlocked_ids=frozenset()) -> dict[str, Any]:
    """``unlocked_ids``: the hidden items its series unlocks (shown as ``unlocks``, of the event when known,
    so that a shop can offer them)."""
    series = coupon.series
    info = {
        "name": series.name,
        "discount_type": series.discount_type,
        # a percentage has no currency; an amount takes the event's places when the event is known
        "discount_value": code_amount(
            series.discount_value, None if series.discount_type == "percent" else event
        ),
        "discount_max_value": code_amount(series.discount_max_value, event),
        "can_be_combined": series.can_be_combined,
        "min_tickets_in_cart": series.min_tickets_in_cart,
        "max_tickets_in_cart": series.max_tickets_in_cart,
        "valid_from": datetime_or_none(series.valid_from),
        "valid_until": datetime_or_none(series.valid_until),
        "scope": "event" if series.allow_all_items else "items",
    }
    if series.reveal_allowed_items and item_ids is not None:
        info["allowed_items"] = revealed_items(item_ids)
    if unlocked_ids:
        unlocked = revealed_items(unlocked_ids)
        info["unlocks"] = [i for i in unlocked if event is None or i["event"] == event.slug]
    return info


GIFT_CARD_TYPE = "gift_card"


def gift_card_info(card: GiftCard, event: Event | None, now) -> tuple[str, dict[str, Any]]:
    """What a customer holding a gift card may know (like vivenu's ``voucher: {code, balance}``): its
    balance, currency and validity; and the lookup's message — ``expired``, ``notValidForEvent`` (not
    among its events, or in another currency than the event), ``exhausted`` (nothing left) or ``valid``."""
    info = {
        "balance": amount_text(card.balance, card.currency),
        "currency": card.currency,
        "valid_until": datetime_or_none(card.expires),
    }
    if card.is_expired(now):
        message = "expired"
    elif not card.usable_here or (event is not None and event.currency != card.currency):
        message = "notValidForEvent"
    elif card.balance <= 0:
        message = "exhausted"
    else:
        message = "valid"
    return message, info


class CodeInfoSerializer(StrictSerializer):
    """What a customer holding the code may know. ``code`` is null for unknown codes."""

    message = serializers.ChoiceField(
        choices=[
            "valid", "notYetValid", "expired", "invalid", "exhausted", "heldInOtherCart", "inactive",
            "notValidForEvent",
        ]
    )  # fmt: skip
    type = serializers.CharField(
        allow_null=True, help_text="voucher, coupon, promo_code or gift_card; null when unknown."
    )
    code = serializers.DictField(allow_null=True)

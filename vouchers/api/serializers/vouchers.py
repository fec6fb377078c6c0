"""Vouchers in the API, shaped like pretix's voucher resource."""

from __future__ import annotations

from rest_framework import serializers

from core.serializers import StrictModelSerializer
from ticketing.api.common import ReplaceOnPutMixin, VisiblePrimaryKeyRelatedField
from ticketing.api.fields import MoneyField
from ticketing.api.validation import SharedValidationMixin
from ticketing.models import Item, ItemVariation, Quota, SubEvent
from vouchers.api.fields import CodeField
from vouchers.models import Voucher
from vouchers.services.checks import validate_voucher


class VoucherSerializer(ReplaceOnPutMixin, SharedValidationMixin, StrictModelSerializer):
    """``code`` may be left empty on create (a 16-character code is generated); a PUT without it keeps it."""

    shared_validator = validate_voucher

    code = CodeField(required=False, allow_blank=True)
    budget = MoneyField(required=False, allow_null=True)
    budget_used = MoneyField(read_only=True)
    value = MoneyField(required=False, allow_null=True)
    # Ids of another organizer (or of an event the caller may not see) do not exist; another event
    # the caller sees is named by validate_voucher.
    item = VisiblePrimaryKeyRelatedField(queryset=Item.objects.all(), required=False, allow_null=True)
    variation = VisiblePrimaryKeyRelatedField(
        event_lookup="item__event", queryset=ItemVariation.objects.all(), required=False, allow_null=True
    )
    quota = VisiblePrimaryKeyRelatedField(queryset=Quota.objects.all(), required=False, allow_null=True)
    subevent = VisiblePrimaryKeyRelatedField(queryset=SubEvent.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Voucher
        fields = (
            "id",
            "code",
            "max_usages",
            "min_usages",
            "redeemed",
            "budget",
            "budget_used",
            "valid_from",
            "valid_until",
            "block_quota",
            "allow_ignore_quota",
            "price_mode",
            "value",
            "item",
            "variation",
            "quota",
            "subevent",
            "tag",
            "comment",
            "show_hidden_items",
            "all_addons_included",
            "all_bundles_included",
            "created",
        )
        read_only_fields = ("id", "redeemed", "budget_used", "created")

    def extra_validation_values(self):
        values = super().extra_validation_values()
        if self.instance is not None:
            values["redeemed"] = self.instance.redeemed
        return values


class BatchErrorsSerializer(serializers.Serializer):
    """The 400 of a batch: the error shape, with ``errors`` aligned with the rows sent (as in pretix)."""

    code = serializers.CharField(help_text="`invalid`")
    detail = serializers.CharField()
    errors = serializers.ListField(
        child=serializers.DictField(), required=False,
        help_text="One object per row sent, in order: `{}` for a valid row, else its field errors.",
    )

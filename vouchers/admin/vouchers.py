"""Admin of event vouchers."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone

from ticketing.admin.display import AmountInput, money_field, money_text, usage_text
from ticketing.admin.scoping import OrganizerScopedAdmin
from ticketing.models.base import field_values
from ticketing.rights import VOUCHERS
from vouchers.admin.common import KeepsUsedCodes, ServiceRefusalShowsForm, ValidityFilter, validity
from vouchers.admin.states import voucher_state
from vouchers.choices import PriceMode
from vouchers.codes import normalise_code
from vouchers.models import Voucher
from vouchers.services.checks import validate_used_code_kept, validate_voucher_conflicts
from vouchers.services.vouchers import voucher_codes_generate, voucher_create, voucher_update


class VoucherAdminForm(forms.ModelForm):
    code = forms.CharField(required=False, max_length=255, help_text="Leave empty to generate a code.")

    class Meta:
        model = Voucher
        fields = (
            "event",
            "code",
            "max_usages",
            "min_usages",
            "budget",
            "valid_from",
            "valid_until",
            "price_mode",
            "value",
            "item",
            "variation",
            "quota",
            "subevent",
            "block_quota",
            "allow_ignore_quota",
            "show_hidden_items",
            "all_addons_included",
            "all_bundles_included",
            "tag",
            "comment",
        )

    def clean_code(self):
        return normalise_code(self.cleaned_data.get("code"))

    def clean(self):
        cleaned = super().clean()
        event = cleaned.get("event")
        if not cleaned.get("code") and event is not None:
            cleaned["code"] = voucher_codes_generate(event=event, count=1)[0]
        # Voucher.clean() runs the rules that need no query on the result; the checks that query (the code
        # is free, a blocking voucher finds room in the quota) run here, as validate_voucher runs them.
        try:
            validate_voucher_conflicts(**{**field_values(self.instance), **cleaned})
        except ValidationError as exc:
            self.add_error(None, exc)
        try:
            validate_used_code_kept(stored=self.instance, code=cleaned.get("code"))
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


@admin.register(Voucher)
class VoucherAdmin(ServiceRefusalShowsForm, KeepsUsedCodes, OrganizerScopedAdmin):
    organizer_path = "event__organizer"
    event_path = "event"
    rights = VOUCHERS
    form = VoucherAdminForm
    list_display = (
        "code", "event", "price_mode", "shown_value", "usage", "state", "shown_budget", "budget_left",
        "valid", "tag",
    )  # fmt: skip
    list_filter = ("event", "price_mode", ValidityFilter, "block_quota", "tag")
    list_select_related = ("event", "quota")  # the state's checks read a quota-scoped voucher's quota
    search_fields = ("code", "tag", "comment")
    readonly_fields = ("usage", "state", "shown_budget_used", "created")  # after the form's fields
    raw_id_fields = ("item", "variation", "quota", "subevent")
    ordering = ("-id",)

    def save_model(self, request, obj, form, change):
        """Through the services, as the API saves: the code is claimed in the organizer's code space, and
        a change writes the form's fields only (``redeemed`` and ``budget_used`` are the checkouts', which
        may have recorded uses since the page read the voucher)."""
        fields = {
            f.name: form.cleaned_data[f.name]
            for f in Voucher._meta.concrete_fields
            if f.name in form.cleaned_data
        }
        if change:
            voucher_update(voucher=obj, **fields)
        else:
            created = voucher_create(**fields)
            obj.pk, obj.created = created.pk, created.created

    def used_lines(self, objs) -> list[str]:
        return [
            f"Voucher {voucher.code}: redeemed {voucher.redeemed} of {voucher.max_usages} times"
            f"{', budget used' if voucher.budget_used > 0 else ''}; end its validity instead"
            for voucher in objs
            if voucher.redeemed > 0 or voucher.budget_used > 0
        ]

    shown_budget = money_field("budget", "event.currency")
    shown_budget_used = money_field("budget_used", "event.currency", description="budget used")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()  # a new voucher has no use or state yet

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # Amounts are in the event's currency: say which, show its places (a read-only page has no fields).
        if obj is not None and "value" in form.base_fields:
            currency = obj.event.currency
            for name in ("value", "budget"):
                form.base_fields[name].help_text = f"In {currency} (a percentage in percent mode)."
            budget = form.base_fields["budget"]
            budget.widget = AmountInput(attrs=budget.widget.attrs, currency=currency)
            if obj.price_mode != PriceMode.PERCENT:
                value = form.base_fields["value"]
                value.widget = AmountInput(attrs=value.widget.attrs, currency=currency)
        return form

    @admin.display(description="value", ordering="value")
    def shown_value(self, voucher: Voucher) -> str:
        """``"10 %"`` in percent mode, else an amount in the event's currency (``"-"``: none)."""
        if voucher.value is None or voucher.price_mode == PriceMode.NONE:
            return "-"
        if voucher.price_mode == PriceMode.PERCENT:
            return f"{voucher.value.normalize():f} %"
        return money_text(voucher.value, voucher.event.currency)

    @admin.display(description="used")
    def usage(self, voucher: Voucher) -> str:
        return usage_text(voucher.redeemed, voucher.max_usages)

    @admin.display(description="state")
    def state(self, voucher: Voucher) -> str:
        return voucher_state(voucher, timezone.now())

    @admin.display(description="budget left")
    def budget_left(self, voucher: Voucher) -> str:
        return money_text(voucher.budget_remaining, voucher.event.currency)

    @admin.display(description="validity")
    def valid(self, voucher: Voucher) -> str:
        return validity(voucher.valid_from, voucher.valid_until)

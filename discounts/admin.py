"""Admin of discount rules: listed in application order, toggled and reordered in the list."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from discounts.models import Discount, validate_discount
from discounts.services import Direction, discount_move, discounts_set_active
from ticketing.admin.display import label_currency, money_text
from ticketing.admin.scoping import OrganizerScopedAdmin
from ticketing.rights import ITEMS

RELATED_LISTS = ("condition_limit_products", "benefit_limit_products", "limit_sales_channels")


class DiscountAdminForm(forms.ModelForm):
    class Meta:
        model = Discount
        fields = (
            "event", "internal_name", "active", "position",
            "all_sales_channels", "limit_sales_channels", "available_from", "available_until",
            "subevent_mode", "subevent_date_from", "subevent_date_until",
            "condition_all_products", "condition_limit_products", "condition_apply_to_addons",
            "condition_ignore_voucher_discounted", "condition_min_count", "condition_min_value",
            "benefit_same_products", "benefit_limit_products", "benefit_apply_to_addons",
            "benefit_ignore_voucher_discounted", "benefit_discount_matching_percent",
            "benefit_only_apply_to_cheapest_n_matches",
        )

    def clean(self):
        cleaned = super().clean()
        # Model.clean() checks the other fields; the lists only exist here, before saving.
        lists = {name: cleaned[name] for name in RELATED_LISTS if cleaned.get(name) is not None}
        event = cleaned.get("event")
        if event is not None and lists:
            try:
                validate_discount(event=event, **lists)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(Discount)
class DiscountAdmin(OrganizerScopedAdmin):
    organizer_path = "event__organizer"
    event_path = "event"
    rights = ITEMS
    form = DiscountAdminForm
    list_display = (
        "internal_name", "event", "position", "active", "subevent_mode", "condition", "benefit",
    )
    list_display_links = ("internal_name",)
    list_editable = ("position", "active")
    list_filter = ("active", "subevent_mode", "event")
    list_select_related = ("event",)
    search_fields = ("internal_name",)
    ordering = ("event", "position", "id")
    filter_horizontal = RELATED_LISTS
    actions = ("move_up", "move_down", "activate", "deactivate")
    fieldsets = (
        (None, {"fields": ("event", "internal_name", "active", "position")}),
        ("Availability", {"fields": (
            "all_sales_channels", "limit_sales_channels", "available_from", "available_until",
            "subevent_mode", "subevent_date_from", "subevent_date_until",
        )}),
        ("Condition", {"fields": (
            "condition_all_products", "condition_limit_products", "condition_apply_to_addons",
            "condition_ignore_voucher_discounted", "condition_min_count", "condition_min_value",
        )}),
        ("Benefit", {"fields": (
            "benefit_same_products", "benefit_limit_products", "benefit_apply_to_addons",
            "benefit_ignore_voucher_discounted", "benefit_discount_matching_percent",
            "benefit_only_apply_to_cheapest_n_matches",
        )}),
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "limit_sales_channels" in form.base_fields:  # a read-only page has no fields
            # Editing a rule: offer only its own event's products and its organizer's channels (among those
            # the user's teams reach).
            for name in ("condition_limit_products", "benefit_limit_products"):
                field = form.base_fields[name]
                field.queryset = field.queryset.filter(event=obj.event)
            channels = form.base_fields["limit_sales_channels"]
            channels.queryset = channels.queryset.filter(organizer=obj.event.organizer)
            label_currency(form, ("condition_min_value",), obj.event.currency)
        return form

    @admin.display(description="condition")
    def condition(self, rule: Discount) -> str:
        scope = "all products" if rule.condition_all_products else "some products"
        if rule.condition_min_count:
            return f"at least {rule.condition_min_count} of {scope}"
        return f"at least {money_text(rule.condition_min_value, rule.event.currency)} of {scope}"

    @admin.display(description="benefit")
    def benefit(self, rule: Discount) -> str:
        text = f"{rule.benefit_discount_matching_percent}% off"
        if rule.benefit_only_apply_to_cheapest_n_matches:
            text += f" the cheapest {rule.benefit_only_apply_to_cheapest_n_matches}"
        return text

    @admin.action(description="Move selected rules up (apply earlier)")
    def move_up(self, request, queryset):
        for rule in queryset.order_by("position", "id"):
            discount_move(discount=rule, direction=Direction.UP)

    @admin.action(description="Move selected rules down (apply later)")
    def move_down(self, request, queryset):
        for rule in queryset.order_by("-position", "-id"):
            discount_move(discount=rule, direction=Direction.DOWN)

    @admin.action(description="Activate selected rules")
    def activate(self, request, queryset):
        changed = discounts_set_active(discounts=queryset, active=True)
        self.message_user(request, f"{changed} rule(s) activated.", messages.SUCCESS)

    @admin.action(description="Deactivate selected rules")
    def deactivate(self, request, queryset):
        changed = discounts_set_active(discounts=queryset, active=False)
        self.message_user(request, f"{changed} rule(s) deactivated.", messages.SUCCESS)

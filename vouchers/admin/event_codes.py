"""Admin of the events' designated discount codes: a list to read, and deleting a designation.

They are designated through the API (``events/<e>/discount-code/``), which finds the code by its text and
checks it is usable in the event; the back office shows them and can remove one (the code stays)."""

from __future__ import annotations

from django.contrib import admin

from ticketing.admin.scoping import OrganizerScopedAdmin
from ticketing.rights import VOUCHERS
from vouchers.api.serializers.codes import coupon_kind
from vouchers.models import EventDiscountCode


@admin.register(EventDiscountCode)
class EventDiscountCodeAdmin(OrganizerScopedAdmin):
    organizer_path = "event__organizer"
    event_path = "event"
    rights = VOUCHERS
    list_display = ("event", "code_text", "kind", "updated_at")
    list_select_related = ("event", "voucher", "coupon__series")
    list_filter = ("event",)
    search_fields = ("event__slug", "voucher__code", "coupon__code")
    fields = ("event", "voucher", "coupon", "created_at", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="code")
    def code_text(self, designation: EventDiscountCode) -> str:
        return designation.code.code

    @admin.display(description="kind")
    def kind(self, designation: EventDiscountCode) -> str:
        if designation.voucher_id is not None:
            return "voucher"
        return coupon_kind(designation.coupon).value

"""Back office for orders: positions with their price breakdown, redemptions per code, carts.

Prices and redemptions are records of what the checkout decided, so they are
read-only here; status changes go through the same services as the API.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone

from config.errors import DomainError
from orders.models import Cart, CartPosition, Order, OrderPosition, OrderStatus, Redemption
from orders.services.orders import order_mark_canceled, order_mark_paid
from ticketing.admin.scoping import OrganizerScopedAdmin, OrganizerScopedInline

BREAKDOWN = (
    "positionid", "item", "variation", "subevent", "addon_to", "is_bundled", "list_price", "code",
    "code_discount", "discount_rule", "rule_discount", "price",
)  # fmt: skip


class ReadOnlyInline(OrganizerScopedInline, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class OrderPositionInline(ReadOnlyInline):
    """``price = list_price − code_discount − rule_discount``."""

    model = OrderPosition
    organizer_path = "order__event__organizer"
    fk_name = "order"
    fields = BREAKDOWN
    readonly_fields = BREAKDOWN
    ordering = ("positionid",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "item", "variation", "subevent", "addon_to", "discount_rule"
        )


class RedemptionInline(ReadOnlyInline):
    model = Redemption
    organizer_path = "order__event__organizer"
    fields = ("kind", "code", "uses", "tickets", "discount", "reversed", "created")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(OrganizerScopedAdmin):
    organizer_path = "event__organizer"
    list_display = ("code", "event", "status", "email", "total", "datetime")
    list_filter = ("status", "event", "sales_channel")
    search_fields = ("code", "email", "name", "positions__code")
    date_hierarchy = "datetime"
    list_select_related = ("event",)
    fields = (
        "code", "event", "status", "email", "name", "sales_channel", "datetime", "list_total",
        "code_discount_total", "rule_discount_total", "total", "tags", "paid_at", "canceled_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = (OrderPositionInline, RedemptionInline)
    actions = ("mark_paid", "mark_canceled")

    def has_add_permission(self, request) -> bool:
        return False  # orders come from the checkout (API), which prices and redeems

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancel instead: usage is given back and the history kept

    def _each(self, request, queryset, service, verb: str) -> None:
        done = 0
        for order in queryset:
            try:
                service(order=order, now=timezone.now())
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{order.code}: {exc.detail}", messages.WARNING)
        if done:
            self.message_user(request, f"{done} order(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Mark selected pending orders as paid")
    def mark_paid(self, request, queryset):
        self._each(request, queryset.filter(status=OrderStatus.PENDING), order_mark_paid, "marked paid")

    @admin.action(description="Cancel selected orders (gives quota and code usage back)")
    def mark_canceled(self, request, queryset):
        self._each(request, queryset, order_mark_canceled, "canceled")


@admin.register(Redemption)
class RedemptionAdmin(OrganizerScopedAdmin):
    """Every use of a code: search a code to see the orders that used it."""

    organizer_path = "order__event__organizer"
    list_display = ("code", "kind", "order", "uses", "tickets", "discount", "reversed", "created")
    list_filter = ("kind", "reversed")
    search_fields = ("code", "order__code")
    list_select_related = ("order",)
    fields = ("kind", "code", "voucher", "coupon", "order", "uses", "tickets", "discount", "budget_spent",
              "deactivated_code", "reversed", "created", "reversed_at")  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CartPositionInline(ReadOnlyInline):
    model = CartPosition
    organizer_path = "cart__event__organizer"
    fk_name = "cart"
    fields = ("positionid", "item", "variation", "subevent", "addon_to", "is_bundled", "voucher")
    readonly_fields = fields


@admin.register(Cart)
class CartAdmin(OrganizerScopedAdmin):
    organizer_path = "event__organizer"
    list_display = ("id", "event", "sales_channel", "created", "expires")
    list_filter = ("event",)
    fields = ("id", "event", "sales_channel", "email", "created", "expires")
    readonly_fields = fields
    inlines = (CartPositionInline,)

    def has_add_permission(self, request) -> bool:
        return False

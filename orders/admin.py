"""Back office for orders: positions with their price breakdown, redemptions per code, carts.

Prices and redemptions are records of what the checkout decided, so they are
read-only here; amounts are written with their currency ("184.20 EUR"). Status changes go
through the same services as the API, after a confirmation page (``orders.admin_status``). The
order page says in words what each code did ("DEMO-PROMO: 5.00 off, saved 5.00"),
which codes were set aside and what the checkout warned of.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from orders.admin_status import (
    MARK_CANCELED,
    MARK_PAID,
    STATUS_CHANGES,
    StatusChange,
    confirmation_page,
    is_confirmed,
    run_status_change,
)
from orders.admin_views.order_actions import order_action_urls
from orders.admin_views.try_cart import try_cart_urls
from orders.models import (
    Cart,
    CartPosition,
    GiftCardIssue,
    Order,
    OrderFee,
    OrderPayment,
    OrderPosition,
    OrderRefund,
    Redemption,
    RedemptionPosition,
)
from orders.payments import order_net_paid, owed
from orders.selectors import order_notifications, priced_cart
from orders.timeline import timeline_text
from ticketing.admin.display import money_field, money_text
from ticketing.admin.scoping import OrganizerScopedAdmin, OrganizerScopedInline
from ticketing.currency import amount_text
from ticketing.rights import CARTS, ORDERS

BREAKDOWN = (
    "positionid", "item", "variation", "subevent", "addon_to", "is_bundled", "shown_list_price", "code",
    "codes", "shown_code_discount", "discount_rule", "shown_rule_discount", "shown_price",
)  # fmt: skip
ORDER_CURRENCY = "order.event.currency"


def lines(texts: Iterable[str]) -> SafeString:
    """One text a line; each is escaped (codes are user text)."""
    return format_html_join(mark_safe("<br>"), "{}", ((text,) for text in texts))


def redemption_text(redemption: Redemption, currency: str) -> str:
    """``"DEMO-PROMO: 5.00 off, saved 5.00"``; a voucher (no saving): ``"VOUCHER1: 5.00 off"``.

    A voucher that set a price above the list price has a negative discount ("10.00 added"); a code
    kept although it made the order dearer (it unlocks an item) a negative saving ("cost 9.00 more").
    """
    discount, saving = redemption.discount, redemption.saving
    if discount >= 0:
        text = f"{redemption.code}: {amount_text(discount, currency)} off"
    else:
        text = f"{redemption.code}: {amount_text(-discount, currency)} added"
    if saving is not None and saving >= 0:
        text += f", saved {amount_text(saving, currency)}"
    elif saving is not None:
        text += f", cost {amount_text(-saving, currency)} more"
    if redemption.reversed:
        text += " (reversed)"
    return text


def set_aside_text(entry: dict, currency: str) -> str:
    """``"ONE-PCT set aside: it would have raised the total to 99.00"``."""
    code_text, total_with = entry.get("code_text", ""), entry.get("total_with")
    if entry.get("code") == "not_beneficial" and total_with is not None:
        return f"{code_text} set aside: it would have raised the total to {amount_text(total_with, currency)}"
    return f"{code_text} set aside ({entry.get('code', 'no reason given')})"


def warning_text(entry: dict) -> str:
    """``"CART-COUPON applied to 1 of 3 eligible positions (no tickets left for the others)"``."""
    code_text = entry.get("code_text", "")
    if entry.get("code") == "partly_applied":
        return (
            f"{code_text} applied to {entry.get('discounted')} of {entry.get('eligible')} eligible positions "
            "(no tickets left for the others)"
        )
    return f"{code_text}: {entry.get('code', 'warning')}"


class ReadOnlyInline(OrganizerScopedInline, admin.TabularInline):
    rights = ORDERS
    event_path = "order__event"
    extra = 0
    can_delete = False
    related: tuple[str, ...] = ("order__event",)  # the currency of the amounts, with the rows

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)

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
    shown_list_price = money_field("list_price", ORDER_CURRENCY, description="list price")
    shown_code_discount = money_field("code_discount", ORDER_CURRENCY, description="code discount")
    shown_rule_discount = money_field("rule_discount", ORDER_CURRENCY, description="rule discount")
    shown_price = money_field("price", ORDER_CURRENCY)

    def get_queryset(self, request):
        # The codes of every position in one query, in the order they were applied (redemption id).
        links = RedemptionPosition.objects.select_related("redemption").order_by("redemption_id")
        return (
            super()
            .get_queryset(request)
            .select_related(
                "item", "variation__item", "subevent", "addon_to", "discount_rule", "order__event"
            )
            .prefetch_related(Prefetch("code_links", queryset=links, to_attr="code_list"))
        )

    @admin.display(description="Codes")
    def codes(self, obj: OrderPosition):
        """Each code applied to the position and what it took off: ``"CODE-A 5.00, CODE-B 2.50"``."""
        links = getattr(obj, "code_list", None)
        if links is None:  # not from get_queryset
            links = obj.code_links.select_related("redemption").order_by("redemption_id")
        if not links:
            return self.get_empty_value_display()
        currency = obj.order.event.currency
        return format_html_join(
            ", ", "{} {}", ((link.redemption.code, amount_text(link.amount, currency)) for link in links)
        )


class RedemptionInline(ReadOnlyInline):
    model = Redemption
    organizer_path = "order__event__organizer"
    fields = ("kind", "code", "uses", "tickets", "shown_discount", "shown_saving", "reversed", "created")
    readonly_fields = fields
    shown_discount = money_field("discount", ORDER_CURRENCY)
    shown_saving = money_field("saving", ORDER_CURRENCY)


class OrderPaymentInline(ReadOnlyInline):
    """What the order was paid, gift cards included (refunded ones were given back)."""

    model = OrderPayment
    organizer_path = "order__event__organizer"
    fields = ("local_id", "provider", "state", "shown_amount", "gift_card", "created", "payment_date", "info")
    readonly_fields = fields
    verbose_name_plural = "payments"
    shown_amount = money_field("amount", ORDER_CURRENCY)


class OrderRefundInline(ReadOnlyInline):
    """What was, or is being, given back."""

    model = OrderRefund
    organizer_path = "order__event__organizer"
    fields = (
        "local_id", "provider", "state", "source", "shown_amount", "payment", "created", "execution_date",
        "comment",
    )  # fmt: skip
    readonly_fields = fields
    verbose_name_plural = "refunds"
    shown_amount = money_field("amount", ORDER_CURRENCY)


class OrderFeeInline(ReadOnlyInline):
    model = OrderFee
    organizer_path = "order__event__organizer"
    fields = ("fee_type", "shown_value", "description", "canceled")
    readonly_fields = fields
    verbose_name_plural = "fees"
    shown_value = money_field("value", ORDER_CURRENCY)


class GiftCardIssueInline(ReadOnlyInline):
    """The gift cards the (paid) order issued for its gift-card items."""

    model = GiftCardIssue
    organizer_path = "order__event__organizer"
    fields = ("gift_card", "position", "shown_value", "voided")
    readonly_fields = fields
    verbose_name_plural = "gift cards issued"
    related = ("order__event", "gift_card", "position__order")
    shown_value = money_field("value", ORDER_CURRENCY)


@admin.register(Order)
class OrderAdmin(OrganizerScopedAdmin):
    organizer_path = "event__organizer"
    event_path = "event"
    rights = ORDERS
    list_display = ("code", "event", "status", "email", "shown_total", "datetime")
    list_filter = ("status", "event", "sales_channel")
    search_fields = ("code", "email", "name", "positions__code")
    date_hierarchy = "datetime"
    list_select_related = ("event",)
    fields = (
        "code", "event", "status", "email", "name", "sales_channel", "datetime", "expires",
        "shown_list_total", "shown_code_discount_total", "shown_rule_discount_total", "shown_fee_total",
        "shown_total", "shown_balance", "redeemed_codes", "codes_set_aside", "code_warnings", "tags",
        "paid_at", "canceled_at", "timeline",
    )  # fmt: skip
    readonly_fields = fields
    inlines = (
        OrderPositionInline, RedemptionInline, OrderFeeInline, OrderPaymentInline, OrderRefundInline,
        GiftCardIssueInline,
    )
    actions = ("mark_paid", "mark_canceled")
    shown_list_total = money_field("list_total", "event.currency", description="list total")
    shown_code_discount_total = money_field(
        "code_discount_total", "event.currency", description="code discount total"
    )
    shown_rule_discount_total = money_field(
        "rule_discount_total", "event.currency", description="rule discount total"
    )
    shown_total = money_field("total", "event.currency")
    shown_fee_total = money_field("fee_total", "event.currency", description="fee total")

    @admin.display(description="payment balance")
    def shown_balance(self, obj: Order):
        """What is still due (positive) or due back (negative), as the API's ``payment_balance``."""
        balance = owed(obj) - order_net_paid(obj)
        text = money_text(balance, obj.event.currency)
        if balance > 0:
            return f"{text} due"
        return f"{text} overpaid: a refund is due" if balance < 0 else text

    @admin.display(description="Timeline")
    def timeline(self, obj: Order):
        """What happened to the order, oldest first: each notification it announced (placed, payments,
        refunds, fees kept, expiry, changes, codes), one a line."""
        rows = order_notifications(obj)
        return lines([f"{row.created:%Y-%m-%d %H:%M:%S} {timeline_text(row)}" for row in rows]) or "-"

    @admin.display(description="Codes")
    def redeemed_codes(self, obj: Order):
        """Each redemption in words, one a line, in the order the codes were applied."""
        texts = [redemption_text(r, obj.event.currency) for r in obj.redemptions.order_by("id")]
        return lines(texts) if texts else self.get_empty_value_display()

    @admin.display(description="Codes set aside")
    def codes_set_aside(self, obj: Order):
        texts = [set_aside_text(entry, obj.event.currency) for entry in obj.set_aside_codes or ()]
        return lines(texts) if texts else self.get_empty_value_display()

    @admin.display(description="Warnings")
    def code_warnings(self, obj: Order):  # not "warnings": the model field of that name would be shown
        texts = [warning_text(entry) for entry in obj.warnings or ()]
        return lines(texts) if texts else self.get_empty_value_display()

    def has_add_permission(self, request) -> bool:
        return False  # orders come from the checkout (API), which prices and redeems

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancel instead: usage is given back and the history kept

    def get_urls(self):
        def view(change: StatusChange):
            def status_change(request, object_id):
                return self.status_change_view(request, object_id, change)

            return self.admin_site.admin_view(status_change)

        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/mark-paid/", view(MARK_PAID), name=f"{name}_mark_paid"),
            path("<path:object_id>/cancel/", view(MARK_CANCELED), name=f"{name}_mark_canceled"),
            *order_action_urls(self),
            *super().get_urls(),
        ]

    def status_change_view(self, request, object_id, change: StatusChange):
        """The confirmation page of one order (its page's buttons), and the change once confirmed."""
        order = self.get_object(request, unquote(object_id))
        if order is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        back = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[order.pk])
        if is_confirmed(request):
            run_status_change(self, request, [order], change)
            return redirect(back)
        return confirmation_page(self, request, [order], change, back_url=back, from_list=False)

    def confirm_or_run(self, request, queryset, change: StatusChange):
        if not queryset.exists():  # every selected id is outside the user's organizers (or gone)
            self.message_user(request, "None of the selected orders can be changed here.", messages.WARNING)
            return None
        if is_confirmed(request):
            run_status_change(self, request, queryset.order_by("datetime", "id"), change)
            return None  # back to the list
        back = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return confirmation_page(self, request, queryset, change, back_url=back, from_list=True)

    @admin.action(description="Mark selected orders as paid …", permissions=("change",))
    def mark_paid(self, request, queryset):
        return self.confirm_or_run(request, queryset, STATUS_CHANGES["mark_paid"])

    @admin.action(description="Cancel selected orders (gives quota and code usage back) …",
                  permissions=("change",))  # fmt: skip
    def mark_canceled(self, request, queryset):
        return self.confirm_or_run(request, queryset, STATUS_CHANGES["mark_canceled"])


@admin.register(Redemption)
class RedemptionAdmin(OrganizerScopedAdmin):
    """Every use of a code: search a code to see the orders that used it."""

    organizer_path = "order__event__organizer"
    event_path = "order__event"
    rights = ORDERS
    list_display = (
        "code", "kind", "order", "uses", "tickets", "shown_discount", "shown_saving", "reversed", "created",
    )  # fmt: skip
    list_filter = ("kind", "reversed")
    search_fields = ("code", "order__code")
    list_select_related = ("order__event",)
    fields = ("kind", "code", "voucher", "coupon", "order", "uses", "tickets", "shown_discount",
              "shown_saving", "shown_budget_spent", "deactivated_code", "reversed", "created",
              "reversed_at")  # fmt: skip
    readonly_fields = fields
    shown_discount = money_field("discount", ORDER_CURRENCY)
    shown_saving = money_field("saving", ORDER_CURRENCY)
    shown_budget_spent = money_field("budget_spent", ORDER_CURRENCY, description="budget spent")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order__event")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CartPositionInline(ReadOnlyInline):
    model = CartPosition
    organizer_path = "cart__event__organizer"
    event_path = "cart__event"
    rights = CARTS
    fk_name = "cart"
    fields = ("positionid", "item", "variation", "subevent", "addon_to", "is_bundled", "voucher")
    readonly_fields = fields
    related = ("item", "voucher")


@admin.register(Cart)
class CartAdmin(OrganizerScopedAdmin):
    organizer_path = "event__organizer"
    event_path = "event"
    rights = CARTS
    list_display = ("id", "event", "sales_channel", "created", "expires")
    list_filter = ("event",)
    fields = ("id", "event", "sales_channel", "email", "created", "expires", "price_now")
    readonly_fields = fields
    inlines = (CartPositionInline,)

    def has_add_permission(self, request) -> bool:
        return False

    def get_urls(self):
        return try_cart_urls(self) + super().get_urls()  # "try a cart" of an event (orders.admin_views)

    @admin.display(description="price now")
    def price_now(self, cart: Cart):
        """What the checkout would charge for the cart now (``orders.selectors.priced_cart``), one figure a
        line, and the codes and gift cards that no longer apply."""
        priced = priced_cart(cart, now=timezone.now())
        view, currency = priced.view, priced.view.currency
        texts = [
            f"list total {money_text(view.list_total, currency)}",
            f"code discounts {money_text(view.code_discount_total, currency)}",
            f"rule discounts {money_text(view.rule_discount_total, currency)}",
            f"total {money_text(view.total, currency)}",
            *(f"gift card {card.code} pays {money_text(card.amount, currency)}" for card in view.gift_cards),
            f"due {money_text(view.amount_due, currency)}",
            *(f"{gone.code} no longer applies: {gone.error.detail}" for gone in priced.invalid_codes),
        ]
        return lines(texts)

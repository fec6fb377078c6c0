"""Back office for what is sold: categories, items (variations, add-ons, bundles) and quotas."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count

from ticketing.admin.choices import EventScopedChoicesMixin
from ticketing.admin.display import UNLIMITED, CurrencyLabelledInline, label_currency, money_field
from ticketing.admin.forms import SharedValidationForm
from ticketing.admin.pages import PreparedPageAdmin
from ticketing.admin.scoping import OrganizerScopedAdmin, OrganizerScopedInline
from ticketing.models import Item, ItemAddOn, ItemBundle, ItemCategory, ItemVariation, Quota
from ticketing.quotas import QuotaTooSmall, quota_change_check
from ticketing.rights import ITEMS
from ticketing.selectors import QuotaAvailability, quota_availabilities, quota_availability
from ticketing.validation import validate_addon, validate_bundle, validate_item, validate_quota


class EventFieldReadOnlyOnChange:
    """An object stays in its event: the API addresses it below the event's URL."""

    def get_readonly_fields(self, request, obj=None):
        return ("event",) if obj is not None else ()


@admin.register(ItemCategory)
class ItemCategoryAdmin(EventFieldReadOnlyOnChange, OrganizerScopedAdmin):
    organizer_path = "event__organizer"
    event_path = "event"
    rights = ITEMS
    list_display = ("name", "event", "is_addon", "position")
    list_filter = ("event", "is_addon")
    search_fields = ("name", "event__name", "event__slug")
    list_select_related = ("event",)
    autocomplete_fields = ("event",)


class ItemForm(SharedValidationForm):
    class Meta:
        model = Item
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        # Model.clean() checks the concrete fields; the channels are many-to-many.
        self.run_validator(
            validate_item, only=("limit_sales_channels",), event=self.value("event"),
            limit_sales_channels=cleaned.get("limit_sales_channels") or (),
        )
        return cleaned


class AddOnForm(SharedValidationForm):
    def clean(self):
        cleaned = super().clean()
        self.run_validator(
            validate_addon, base_item=cleaned.get("base_item"), addon_category=cleaned.get("addon_category"),
            min_count=cleaned.get("min_count"), max_count=cleaned.get("max_count"),
        )
        return cleaned


class BundleForm(SharedValidationForm):
    def clean(self):
        cleaned = super().clean()
        self.run_validator(
            validate_bundle, base_item=cleaned.get("base_item"), bundled_item=cleaned.get("bundled_item"),
            bundled_variation=cleaned.get("bundled_variation"),
        )
        return cleaned


class RowsWithNames:
    """Inline rows print ``str(obj)``, which names related objects: fetch them with the rows."""

    related: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)


class ItemVariationInline(CurrencyLabelledInline, RowsWithNames, OrganizerScopedInline, admin.TabularInline):
    model = ItemVariation
    money_fields = ("default_price",)
    organizer_path = "item__event__organizer"
    event_path = "item__event"
    rights = ITEMS
    related = ("item",)
    fields = ("value", "default_price", "active", "position")
    extra = 0


class ItemAddOnInline(RowsWithNames, EventScopedChoicesMixin, OrganizerScopedInline, admin.TabularInline):
    model = ItemAddOn
    organizer_path = "base_item__event__organizer"
    event_path = "base_item__event"
    rights = ITEMS
    related = ("base_item", "addon_category")
    form = AddOnForm
    fk_name = "base_item"
    fields = ("addon_category", "min_count", "max_count", "price_included", "position")
    extra = 0


class ItemBundleInline(
    CurrencyLabelledInline, RowsWithNames, EventScopedChoicesMixin, OrganizerScopedInline, admin.TabularInline
):
    model = ItemBundle
    money_fields = ("designated_price",)
    organizer_path = "base_item__event__organizer"
    event_path = "base_item__event"
    rights = ITEMS
    related = ("base_item", "bundled_item")
    form = BundleForm
    fk_name = "base_item"
    fields = ("bundled_item", "bundled_variation", "count", "designated_price")
    extra = 0


@admin.register(Item)
class ItemAdmin(EventFieldReadOnlyOnChange, EventScopedChoicesMixin, OrganizerScopedAdmin):
    organizer_path = "event__organizer"
    event_path = "event"
    rights = ITEMS
    form = ItemForm
    list_display = (
        "name", "event", "category", "shown_default_price", "active", "admission", "hide_without_voucher",
    )
    # Category names repeat across events; offer only those that have items.
    list_filter = (
        "event", "active", ("category", admin.RelatedOnlyFieldListFilter), "admission",
        "hide_without_voucher",
    )
    search_fields = ("name", "description", "event__name", "event__slug")
    list_select_related = ("event", "category")
    autocomplete_fields = ("event",)
    filter_horizontal = ("limit_sales_channels",)
    inlines = (ItemVariationInline, ItemAddOnInline, ItemBundleInline)
    fieldsets = (
        (None, {"fields": ("event", "category", "name", "description", "default_price", "position")}),
        ("Sale", {"fields": (
            "active", "admission", "hide_without_voucher", "require_bundling", "issues_gift_card",
            "min_per_order", "max_per_order", "available_from", "available_until",
        )}),
        ("Sales channels", {"fields": ("all_sales_channels", "limit_sales_channels")}),
    )
    shown_default_price = money_field("default_price", "event.currency", description="default price")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:  # prices are in the event's currency: say which
            label_currency(form, ("default_price",), obj.event.currency)
        return form


class QuotaForm(SharedValidationForm):
    class Meta:
        model = Quota
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        # Model.clean() checks event and date; items and variations are many-to-many.
        self.run_validator(
            validate_quota, only=("items", "variations"), event=self.value("event"),
            subevent=self.value("subevent"), items=cleaned.get("items") or (),
            variations=cleaned.get("variations") or (),
        )
        if not self.errors and self.value("event") is not None:
            # The admin saves the form in the transaction that checked it, under the quota's lock.
            try:
                quota_change_check(
                    quota=self.instance if self.instance.pk else None, event=self.value("event"),
                    items=cleaned.get("items") or (), variations=cleaned.get("variations") or (),
                    name=cleaned.get("name") or "", size=cleaned.get("size"),
                    subevent=cleaned.get("subevent"),
                )  # fmt: skip
            except QuotaTooSmall as exc:
                self.add_error("size", str(exc.detail))
        return cleaned


def quota_left_text(availability: QuotaAvailability) -> str:
    return UNLIMITED if availability.available_number is None else str(availability.available_number)


@admin.register(Quota)
class QuotaAdmin(
    PreparedPageAdmin, EventFieldReadOnlyOnChange, EventScopedChoicesMixin, OrganizerScopedAdmin
):
    """Each quota with what uses it up, from the selector the API's availability endpoint uses: sold
    (paid orders), pending orders, unexpired carts, vouchers that block quota, and what is left."""

    organizer_path = "event__organizer"
    event_path = "event"
    rights = ITEMS
    form = QuotaForm
    list_display = (
        "name", "event", "subevent", "size", "item_count", "sold", "pending", "in_carts", "blocked", "left",
    )  # fmt: skip
    list_filter = ("event",)
    search_fields = ("name", "event__name", "event__slug", "subevent__name")
    list_select_related = ("event", "subevent")
    autocomplete_fields = ("event",)
    filter_horizontal = ("items", "variations")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_items=Count("items", distinct=True))

    def prepare_page(self, rows: list) -> None:
        # On the rows, not on the admin: one model admin instance serves every request.
        availabilities = quota_availabilities(rows)
        for quota in rows:
            quota.page_availability = availabilities[quota.pk]

    def availability_of(self, quota: Quota) -> QuotaAvailability:
        found = getattr(quota, "page_availability", None)
        return found if found is not None else quota_availability(quota)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "availability") if obj is not None else readonly

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != "availability"]
        return [*fields, "availability"] if obj is not None else fields

    @admin.display(description="items", ordering="num_items")
    def item_count(self, obj: Quota) -> int:
        return obj.num_items

    @admin.display(description="sold (paid)")
    def sold(self, obj: Quota) -> int:
        return self.availability_of(obj).paid_orders

    @admin.display(description="pending")
    def pending(self, obj: Quota) -> int:
        return self.availability_of(obj).pending_orders

    @admin.display(description="in carts")
    def in_carts(self, obj: Quota) -> int:
        return self.availability_of(obj).cart_positions

    @admin.display(description="blocked by vouchers")
    def blocked(self, obj: Quota) -> int:
        return self.availability_of(obj).blocking_vouchers

    @admin.display(description="left")
    def left(self, obj: Quota) -> str:
        return quota_left_text(self.availability_of(obj))

    @admin.display(description="availability")
    def availability(self, obj: Quota) -> str:
        a = self.availability_of(obj)
        return (
            f"sold (paid) {a.paid_orders}, pending {a.pending_orders}, in carts {a.cart_positions}, "
            f"blocked by vouchers {a.blocking_vouchers}, left {quota_left_text(a)}"
        )

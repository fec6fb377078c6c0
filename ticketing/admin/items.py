"""Back office for what is sold: categories, items (variations, add-ons, bundles) and quotas."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count

from ticketing.admin.choices import EventScopedChoicesMixin
from ticketing.admin.forms import SharedValidationForm
from ticketing.admin.scoping import OrganizerScopedAdmin, OrganizerScopedInline
from ticketing.models import Item, ItemAddOn, ItemBundle, ItemCategory, ItemVariation, Quota
from ticketing.validation import validate_addon, validate_bundle, validate_item, validate_quota


class EventFieldReadOnlyOnChange:
    """An object stays in its event: the API addresses it below the event's URL."""

    def get_readonly_fields(self, request, obj=None):
        return ("event",) if obj is not None else ()


@admin.register(ItemCategory)
class ItemCategoryAdmin(EventFieldReadOnlyOnChange, OrganizerScopedAdmin):
    organizer_path = "event__organizer"
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


class ItemVariationInline(RowsWithNames, OrganizerScopedInline, admin.TabularInline):
    model = ItemVariation
    organizer_path = "item__event__organizer"
    related = ("item",)
    fields = ("value", "default_price", "active", "position")
    extra = 0


class ItemAddOnInline(RowsWithNames, EventScopedChoicesMixin, OrganizerScopedInline, admin.TabularInline):
    model = ItemAddOn
    organizer_path = "base_item__event__organizer"
    related = ("base_item", "addon_category")
    form = AddOnForm
    fk_name = "base_item"
    fields = ("addon_category", "min_count", "max_count", "price_included", "position")
    extra = 0


class ItemBundleInline(RowsWithNames, EventScopedChoicesMixin, OrganizerScopedInline, admin.TabularInline):
    model = ItemBundle
    organizer_path = "base_item__event__organizer"
    related = ("base_item", "bundled_item")
    form = BundleForm
    fk_name = "base_item"
    fields = ("bundled_item", "bundled_variation", "count", "designated_price")
    extra = 0


@admin.register(Item)
class ItemAdmin(EventFieldReadOnlyOnChange, EventScopedChoicesMixin, OrganizerScopedAdmin):
    organizer_path = "event__organizer"
    form = ItemForm
    list_display = (
        "name", "event", "category", "default_price", "active", "admission", "hide_without_voucher",
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
        return cleaned


@admin.register(Quota)
class QuotaAdmin(EventFieldReadOnlyOnChange, EventScopedChoicesMixin, OrganizerScopedAdmin):
    organizer_path = "event__organizer"
    form = QuotaForm
    list_display = ("name", "event", "subevent", "size", "item_count")
    list_filter = ("event",)
    search_fields = ("name", "event__name", "event__slug", "subevent__name")
    list_select_related = ("event", "subevent")
    autocomplete_fields = ("event",)
    filter_horizontal = ("items", "variations")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_items=Count("items", distinct=True))

    @admin.display(description="items", ordering="num_items")
    def item_count(self, obj: Quota) -> int:
        return obj.num_items

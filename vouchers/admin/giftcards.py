"""Admin of gift cards: balance, the ledger (read-only), top-ups and corrections with a reason.

Every change of value goes through ``vouchers.services.giftcards`` (under the card's row lock): issuing
a new card with its initial value, and the change form's "book a transaction" fields. The ledger shows
which order each payment, refund or issue belongs to.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import DomainError
from ticketing.admin.display import money_field, money_text
from ticketing.admin.scoping import OrganizerScopedAdmin, OrganizerScopedInline
from ticketing.currency import ISO_4217, currency_exponent
from ticketing.rights import GIFT_CARDS
from vouchers.admin.common import ServiceRefusalShowsForm
from vouchers.admin.states import gift_card_state
from vouchers.choices import GiftCardTransactionKind
from vouchers.codes import normalise_code
from vouchers.models import GiftCard, GiftCardTransaction
from vouchers.selectors import gift_card_balance, with_balance
from vouchers.services.checks import validate_gift_card
from vouchers.services.giftcards import gift_card_create, gift_card_transact, gift_card_update


class GiftCardAdminForm(forms.ModelForm):
    code = forms.CharField(required=False, max_length=255, help_text="Leave empty to generate a code.")
    initial_value = forms.DecimalField(
        required=False, max_digits=13, decimal_places=3, min_value=Decimal("0"),
        help_text="What is on the card when it is issued.",
    )  # fmt: skip
    transaction_value = forms.DecimalField(
        required=False, max_digits=13, decimal_places=3,
        help_text="Book a transaction: a positive amount tops the card up, a negative one corrects it.",
    )  # fmt: skip
    transaction_text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The reason (required with an amount).",
    )

    class Meta:
        model = GiftCard
        fields = ("organizer", "code", "currency", "expires", "note", "allowed_events")

    def clean_code(self):
        return normalise_code(self.cleaned_data.get("code"))

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            try:
                validate_gift_card(
                    organizer=cleaned.get("organizer"), code=cleaned.get("code"),
                    currency=cleaned.get("currency"), allowed_events=cleaned.get("allowed_events"),
                )  # fmt: skip
            except ValidationError as exc:
                self.add_error(None, exc)
            self.check_places("initial_value", cleaned.get("currency"))
        else:
            value = cleaned.get("transaction_value")
            if value is not None and not cleaned.get("transaction_text", "").strip():
                self.add_error("transaction_text", "Say why the value changes.")
            if value == 0:
                self.add_error("transaction_value", "A transaction moves some value: 0 is not one.")
            self.check_places("transaction_value", self.instance.currency)
        return cleaned

    def check_places(self, field: str, currency: str | None) -> None:
        value = self.cleaned_data.get(field)
        if (
            value is not None
            and currency in ISO_4217
            and value != value.quantize(currency_exponent(currency))
        ):
            self.add_error(field, f"{currency} amounts have fewer decimal places.")

    def _post_clean(self):
        pass  # cards are written by their service, which checks the code's uniqueness itself


class GiftCardTransactionInline(OrganizerScopedInline, admin.TabularInline):
    """The ledger, oldest first: read-only (value moves only through the service)."""

    model = GiftCardTransaction
    organizer_path = "card__organizer"
    rights = GIFT_CARDS
    fields = ("created", "kind", "shown_value", "order_code", "text", "user", "token")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("id",)
    shown_value = money_field("value", "card.currency")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("card", "user", "token")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return (("valid", "Not expired"), ("expired", "Expired"))

    def queryset(self, request, queryset):
        past = {"expires__lt": timezone.now()}
        if self.value() == "expired":
            return queryset.filter(**past)
        if self.value() == "valid":
            return queryset.exclude(**past)
        return queryset


@admin.register(GiftCard)
class GiftCardAdmin(ServiceRefusalShowsForm, OrganizerScopedAdmin):
    organizer_path = "organizer"
    rights = GIFT_CARDS
    form = GiftCardAdminForm
    list_display = ("code", "organizer", "currency", "shown_balance", "state", "expires", "created")
    list_filter = ("currency", ExpiryFilter, "organizer")
    list_select_related = ("organizer",)
    search_fields = ("code", "note", "transactions__order_code")
    filter_horizontal = ("allowed_events",)
    inlines = (GiftCardTransactionInline,)
    ordering = ("-id",)

    def get_queryset(self, request):
        return with_balance(super().get_queryset(request))

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a card's history is kept: correct its value to zero instead

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()  # a new card has no ledger yet

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("organizer", "code", "currency", "initial_value", "expires", "note", "allowed_events")
        return (
            "organizer", "code", "currency", "shown_balance", "state", "orders_paid", "expires", "note",
            "allowed_events", "transaction_value", "transaction_text", "created",
        )  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("organizer", "code", "currency", "shown_balance", "state", "orders_paid", "created")

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.strip())

    def balance_of(self, card: GiftCard) -> Decimal:
        balance = getattr(card, "balance", None)
        return gift_card_balance(card) if balance is None else balance

    @admin.display(description="balance", ordering="balance")
    def shown_balance(self, card: GiftCard) -> str:
        return money_text(self.balance_of(card), card.currency)

    @admin.display(description="state")
    def state(self, card: GiftCard) -> str:
        return gift_card_state(card, self.balance_of(card), timezone.now())

    @admin.display(description="orders paid")
    def orders_paid(self, card: GiftCard) -> str:
        """Each order the card paid for, with what it paid (and whether that was refunded)."""
        rows = card.transactions.filter(
            kind__in=(GiftCardTransactionKind.PAYMENT, GiftCardTransactionKind.REFUND)
        ).order_by("id")
        paid: dict[str, Decimal] = {}
        for row in rows:
            paid[row.order_code] = paid.get(row.order_code, Decimal("0")) - row.value
        texts = [
            f"{code}: {money_text(amount, card.currency)}" if amount else f"{code}: refunded"
            for code, amount in paid.items()
        ]
        return ", ".join(texts) or self.get_empty_value_display()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = gift_card_create(
                organizer=data["organizer"], code=data["code"], currency=data["currency"],
                initial_value=data.get("initial_value") or Decimal("0"), expires=data["expires"],
                note=data["note"], allowed_events=data["allowed_events"], user=request.user,
                text="Issued in the admin",
            )  # fmt: skip
            obj.pk, obj.code, obj.organizer = created.pk, created.code, created.organizer
            return
        gift_card_update(card=obj, expires=data["expires"], note=data["note"])
        value = data.get("transaction_value")
        if value:
            try:
                gift_card_transact(card=obj, value=value, text=data["transaction_text"], user=request.user)
            except DomainError as exc:
                self.message_user(request, f"{obj.code}: {exc.detail}", messages.ERROR)

    def save_related(self, request, form, formsets, change):
        # Not ``form.save_m2m()``: the allowed events go through the service like the rest.
        gift_card_update(card=form.instance, allowed_events=form.cleaned_data["allowed_events"])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

"""The "try a cart" page of an event: pick items and codes, see the cart priced as the API's price preview
prices it (``orders.selectors.price_preview``), with every change explained; nothing is stored.

The page's URL is one of the carts' admin URLs (``admin:orders_cart_try``, added by ``CartAdmin.get_urls``);
the event's change page links to it by that name. The event is looked up through the events' model admin,
so a staff member reaches the events of their own organizers only (``ticketing.admin.scoping``): another
organizer's event answers 404, like a missing one.
"""

from __future__ import annotations

import re
from dataclasses import replace

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone

from core.errors import DomainError
from orders.admin_views.cart_explanation import CartExplanation, CatalogNames, explain_cart
from orders.api.serializers.inputs import MAX_CODES, MAX_GIFT_CARDS
from orders.checkout.draft import PositionSpec
from orders.checkout.gather import MAX_POSITIONS
from orders.selectors import price_preview
from ticketing.models import Event, Item, ItemVariation, SalesChannel

#: Empty rows offered for items; the page shows the rows filled in before, then these.
EMPTY_ROWS = 3
MAX_QUANTITY = 100
CODE_SEPARATORS = re.compile(r"[\s,;]+")


def product_choices(event: Event) -> list[tuple[str, str]]:
    """``"item"`` or ``"item:variation"`` for every item of the event (inactive ones too: trying one shows
    the refusal)."""
    choices = [("", "---------")]
    items = Item.objects.filter(event=event).prefetch_related("variations").order_by("position", "pk")
    for item in items:
        inactive = "" if item.active else " (inactive)"
        variations = sorted(item.variations.all(), key=lambda v: (v.position, v.pk))
        if not variations:
            choices.append((str(item.pk), f"{item.name}{inactive}"))
        for variation in variations:
            off = inactive or ("" if variation.active else " (inactive)")
            choices.append((f"{item.pk}:{variation.pk}", f"{item.name} – {variation.value}{off}"))
    return choices


class TryCartLineForm(forms.Form):
    product = forms.ChoiceField(required=False)
    subevent = forms.ModelChoiceField(queryset=None, required=False, label="Date")
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, required=False, initial=1)
    addon_to = forms.IntegerField(
        min_value=1, required=False, label="Add-on to row",
        help_text="The row whose positions each get this many of this add-on.",
    )  # fmt: skip

    def __init__(self, *args, event: Event, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = choices
        if event.has_subevents:
            self.fields["subevent"].queryset = event.subevents.order_by("date_from", "pk")
        else:
            del self.fields["subevent"]

    def clean(self):
        cleaned = super().clean()
        # An add-on is for its parent's date: it needs none of its own.
        needs_date = cleaned.get("product") and cleaned.get("addon_to") is None and "subevent" in self.fields
        if needs_date and cleaned.get("subevent") is None:
            self.add_error("subevent", "Choose the date: the event is a series.")
        return cleaned

    def spec(self) -> PositionSpec | None:
        """The chosen product as one position (``None`` for an empty row)."""
        product = self.cleaned_data.get("product")
        if not product:
            return None
        item, _, variation = product.partition(":")
        subevent = self.cleaned_data.get("subevent")
        return PositionSpec(
            item=int(item), variation=int(variation) if variation else None,
            subevent=subevent.pk if subevent is not None else None,
        )  # fmt: skip


class TryCartLineSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        chosen = {
            n: line.cleaned_data
            for n, line in enumerate(self.forms, start=1)
            if line.cleaned_data.get("product")
        }
        for line in self.forms:
            parent = line.cleaned_data.get("addon_to")
            if parent is None or not line.cleaned_data.get("product"):
                continue
            if parent not in chosen or chosen[parent].get("addon_to") is not None:
                line.add_error("addon_to", f"Row {parent} has no item, or is an add-on itself.")
                raise forms.ValidationError("Some add-ons name no parent row.")

    def positions(self) -> tuple[list[PositionSpec], list[int]]:
        """The positions to price, and the row of each: every row's ``quantity`` positions, then the
        add-ons, ``quantity`` of them after each position of their row (parents come first)."""
        positions: list[PositionSpec] = []
        rows: list[int] = []
        of_row: dict[int, list[int]] = {}
        lines = [(n, line) for n, line in enumerate(self.forms, start=1) if line.spec() is not None]
        for number, line in lines:
            if line.cleaned_data.get("addon_to") is None:
                of_row[number] = list(range(len(positions), len(positions) + quantity(line)))
                positions += [line.spec()] * quantity(line)
                rows += [number] * quantity(line)
        for number, line in lines:
            parent_row = line.cleaned_data.get("addon_to")
            if parent_row is None:
                continue
            spec = line.spec()
            for parent in of_row[parent_row]:
                subevent = spec.subevent if spec.subevent is not None else positions[parent].subevent
                positions += [replace(spec, addon_to=parent, subevent=subevent)] * quantity(line)
                rows += [number] * quantity(line)
        return positions, rows


def quantity(line: TryCartLineForm) -> int:
    return line.cleaned_data.get("quantity") or 1


TryCartLines = forms.formset_factory(TryCartLineForm, formset=TryCartLineSet, extra=0)


class TryCartForm(forms.Form):
    sales_channel = forms.ModelChoiceField(queryset=None, empty_label=None)
    codes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Vouchers, coupons and promo codes, separated by spaces, commas or lines, in the order "
        "they are applied.",
    )  # fmt: skip
    gift_cards = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Gift cards that pay the total, in this order.",
    )  # fmt: skip
    email = forms.EmailField(
        required=False, help_text="The customer's address (some coupons are theirs only)."
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        channels = SalesChannel.objects.filter(organizer_id=event.organizer_id).order_by("position", "pk")
        self.fields["sales_channel"].queryset = channels
        web = channels.filter(identifier=SalesChannel.WEB).first()
        if web is not None:
            self.fields["sales_channel"].initial = web.pk

    def clean_codes(self) -> list[str]:
        return split_codes(self.cleaned_data["codes"], limit=MAX_CODES, what="codes")

    def clean_gift_cards(self) -> list[str]:
        return split_codes(self.cleaned_data["gift_cards"], limit=MAX_GIFT_CARDS, what="gift cards")


def split_codes(text: str, *, limit: int, what: str) -> list[str]:
    """The codes typed, at most ``limit`` of them (the API's limits)."""
    codes = [code for code in CODE_SEPARATORS.split(text) if code]
    if len(codes) > limit:
        raise forms.ValidationError(f"At most {limit} {what}.")
    return codes


def scoped_event(model_admin: admin.ModelAdmin, request: HttpRequest, event_id: int) -> Event:
    """The event through the events' model admin (its organizer scoping); 404 when out of reach."""
    event_admin = model_admin.admin_site.get_model_admin(Event)
    event = event_admin.get_queryset(request).select_related("organizer").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event.")
    if not event_admin.has_view_permission(request, event):
        raise PermissionDenied
    return event


def catalog_names(event: Event) -> CatalogNames:
    items = {item.pk: item.name for item in Item.objects.filter(event=event)}
    variations = dict(ItemVariation.objects.filter(item__event=event).values_list("pk", "value"))
    subevents = {subevent.pk: str(subevent) for subevent in event.subevents.all()}
    return CatalogNames(items=items, variations=variations, subevents=subevents)


def refusal_text(error: DomainError, rows: list[int]) -> str:
    """``"Refused (item_inactive): This item is not sold. Row 2."``: the error's code and detail, and what
    it is about: the form row of the position it names (``rows[i]``: the row of the ``i``-th position),
    the code or the gift card."""
    text = f"Refused ({error.code}): {error.detail}"
    index = error.context.get("position")
    if isinstance(index, int) and 0 <= index < len(rows):
        text += f" Row {rows[index]}."
    for key, what in (("code_text", "Code"), ("gift_card", "Gift card")):
        value = error.context.get(key)
        if value:
            text += f" {what}: {value}."
    return text


def refilled(lines: TryCartLineSet, form_kwargs: dict) -> TryCartLineSet:
    """The rows as filled in (their cleaned values, in place: add-ons name rows by number) up to the last
    with an item, then empty ones to add more."""
    values = [
        {name: line.cleaned_data.get(name) for name in ("product", "subevent", "quantity", "addon_to")}
        for line in lines.forms
    ]
    while values and not values[-1]["product"]:
        values.pop()
    empty = [{"quantity": 1}] * EMPTY_ROWS
    return TryCartLines(prefix="lines", form_kwargs=form_kwargs, initial=values + empty)


def priced_explanation(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    event: Event,
    form: TryCartForm,
    lines: TryCartLineSet,
) -> CartExplanation | None:
    """The cart of the valid forms through the price preview, explained; a refusal is a message."""
    positions, rows = lines.positions()  # rows: the form row of each position
    if not positions:
        model_admin.message_user(request, "Choose at least one item.", messages.WARNING)
        return None
    if len(positions) > MAX_POSITIONS:
        model_admin.message_user(request, f"At most {MAX_POSITIONS} positions.", messages.ERROR)
        return None
    try:
        view = price_preview(
            event=event, sales_channel=form.cleaned_data["sales_channel"], positions=positions,
            codes=form.cleaned_data["codes"], email=form.cleaned_data["email"], now=timezone.now(),
            gift_cards=form.cleaned_data["gift_cards"],
        )  # fmt: skip
    except DomainError as exc:
        model_admin.message_user(request, refusal_text(exc, rows), messages.ERROR)
        return None
    return explain_cart(view, catalog_names(event))


def try_cart_view(model_admin: admin.ModelAdmin, request: HttpRequest, event_id: int) -> HttpResponse:
    event = scoped_event(model_admin, request, event_id)
    form_kwargs = {"event": event, "choices": product_choices(event)}
    explanation = None
    if request.method == "POST":
        form = TryCartForm(request.POST, event=event)
        lines = TryCartLines(request.POST, prefix="lines", form_kwargs=form_kwargs)
        if lines.is_valid():
            if form.is_valid():
                explanation = priced_explanation(model_admin, request, event, form, lines)
            lines = refilled(lines, form_kwargs)
    else:
        form = TryCartForm(event=event)
        lines = TryCartLines(prefix="lines", form_kwargs=form_kwargs, initial=[{"quantity": 1}] * EMPTY_ROWS)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Try a cart: {event.name}",
        "event": event,
        "form": form,
        "lines": lines,
        "explanation": explanation,
        "opts": Event._meta,
    }
    return TemplateResponse(request, "admin/orders/cart/try_cart.html", context)


def try_cart_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    """The page's URL, for ``CartAdmin.get_urls`` (before the model admin's own catch-all URLs)."""

    def view(request: HttpRequest, event_id: int) -> HttpResponse:
        return try_cart_view(model_admin, request, event_id)

    return [path("try/<int:event_id>/", model_admin.admin_site.admin_view(view), name="orders_cart_try")]

"""The order page's forms for the life cycle: record a payment (mark paid with an amount), give a new
payment deadline (extend, reviving an expired order), refund a payment, cancel keeping a fee, expire now.

Each form calls the service the API calls (``orders.services``); a refusal (409, 400) is shown on the form
in the service's words and nothing changes. The pages are the orders' admin URLs added by
``OrderAdmin.get_urls`` (``admin:orders_order_<action>``); the order is looked up through the model admin, so
staff reach the orders of their own organizers' events only, and changing needs the change permission.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from core.errors import DomainError
from orders.models import Order, OrderPayment, PaymentState
from orders.payments import payment_refundable
from orders.services.changes import NewPosition, OrderChange, PositionPatch, order_change
from orders.services.expiry import order_extend, order_mark_expired
from orders.services.orders import order_mark_canceled, order_mark_paid
from orders.services.payments import refund_create
from ticketing.currency import currency_places
from ticketing.models import Item

PROVIDER_PATTERN = r"^[a-z0-9_.-]+$"


def order_money_field(order: Order, **kwargs) -> forms.DecimalField:
    places = currency_places(order.event.currency)
    return forms.DecimalField(min_value=Decimal("0"), max_digits=13, decimal_places=places, **kwargs)


class PaymentForm(forms.Form):
    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"] = order_money_field(
            order, required=False, help_text="Empty: what is still due."
        )
        self.fields["provider"] = forms.RegexField(
            PROVIDER_PATTERN, max_length=64, initial="manual", help_text="manual, banktransfer, cash …"
        )

    def run(self, order: Order, now) -> str:
        order_mark_paid(order=order, now=now, amount=self.cleaned_data["amount"],
                        provider=self.cleaned_data["provider"])  # fmt: skip
        return "The payment was recorded."


class ExtendForm(forms.Form):
    expires = forms.DateTimeField(help_text="The new payment deadline (an expired order comes back first).")

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)

    def run(self, order: Order, now) -> str:
        order_extend(order=order, expires=self.cleaned_data["expires"], now=now)
        return "The order has a new payment deadline."


class RefundForm(forms.Form):
    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        received = order.payments.filter(state=PaymentState.CONFIRMED).order_by("local_id")
        self.fields["payment"] = forms.ModelChoiceField(queryset=received, empty_label=None)
        self.fields["payment"].label_from_instance = lambda p: (
            f"#{p.local_id} {p.provider} {p.amount} ({payment_refundable(p)} left)"
        )
        self.fields["amount"] = order_money_field(order, help_text="At most what is left of the payment.")
        self.fields["done"] = forms.BooleanField(
            required=False,
            initial=True,
            help_text="The money has left already (else: created, marked done later).",
        )
        self.fields["comment"] = forms.CharField(required=False, max_length=255)

    def run(self, order: Order, now) -> str:
        payment: OrderPayment = self.cleaned_data["payment"]
        refund_create(
            order=order, payment=payment, amount=self.cleaned_data["amount"], now=now,
            state="done" if self.cleaned_data["done"] else "created", comment=self.cleaned_data["comment"],
        )  # fmt: skip
        return "The refund was recorded."


class CancelWithFeeForm(forms.Form):
    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cancellation_fee"] = order_money_field(
            order, help_text="Kept: the order stays, of just this fee."
        )
        self.fields["comment"] = forms.CharField(required=False, max_length=255)

    def run(self, order: Order, now) -> str:
        order_mark_canceled(order=order, now=now, cancellation_fee=self.cleaned_data["cancellation_fee"],
                            comment=self.cleaned_data["comment"])  # fmt: skip
        return "The order was canceled; it keeps the fee."


class ChangeForm(forms.Form):
    """One change at a time, as the API's ``change/`` takes it: add a position, cancel one, or give one
    another item (priced again with the order's rules and codes; a new place needs room)."""

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        live = order.positions.filter(canceled=False).select_related("item").order_by("positionid")
        positions = [("", "---------")] + [
            (p.positionid, f"#{p.positionid} {p.item.name} ({p.price})") for p in live
        ]
        items = [("", "---------")] + [
            (item.pk, item.name)
            for item in Item.objects.filter(event=order.event_id).order_by("position", "pk")
        ]
        self.fields["add_item"] = forms.TypedChoiceField(choices=items, coerce=int, required=False)
        self.fields["cancel_position"] = forms.TypedChoiceField(choices=positions, coerce=int, required=False)
        self.fields["patch_position"] = forms.TypedChoiceField(choices=positions, coerce=int, required=False)
        self.fields["patch_item"] = forms.TypedChoiceField(
            choices=items, coerce=int, required=False, help_text="The item the position above becomes."
        )

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("patch_position")) != bool(cleaned.get("patch_item")):
            raise forms.ValidationError(
                "To give a position another item, choose both the position and the item."
            )
        if not (cleaned.get("add_item") or cleaned.get("cancel_position") or cleaned.get("patch_position")):
            raise forms.ValidationError("Choose what to change.")
        return cleaned

    def run(self, order: Order, now) -> str:
        data = self.cleaned_data
        change = OrderChange(
            create=(NewPosition(item=data["add_item"]),) if data.get("add_item") else (),
            cancel=(data["cancel_position"],) if data.get("cancel_position") else (),
            patch=(PositionPatch(position=data["patch_position"], values={"item": data["patch_item"]}),)
            if data.get("patch_position") else (),
        )  # fmt: skip
        order_change(order=order, change=change, now=now)
        return "The order was changed."


class ExpireForm(forms.Form):
    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)

    def run(self, order: Order, now) -> str:
        order_mark_expired(order=order, now=now)
        return "The order expired: its places, codes and gift card money were given back."


@dataclass(frozen=True)
class OrderAction:
    name: str  # URL name suffix and path
    title: str
    button: str
    form: Callable[..., forms.Form]


ACTIONS = (
    OrderAction("record_payment", "Record a payment", "Record the payment", PaymentForm),
    OrderAction("extend", "Give a new payment deadline", "Set the deadline", ExtendForm),
    OrderAction("refund", "Refund a payment", "Record the refund", RefundForm),
    OrderAction("cancel_with_fee", "Cancel keeping a fee", "Cancel the order", CancelWithFeeForm),
    OrderAction("expire", "Expire the order now", "Expire it", ExpireForm),
    OrderAction("modify", "Change the order", "Change it", ChangeForm),
)


def order_action_urls(model_admin) -> list:
    name = f"{model_admin.opts.app_label}_{model_admin.opts.model_name}"

    def view(action: OrderAction):
        def page(request, object_id):
            return order_action_view(model_admin, request, object_id, action)

        return model_admin.admin_site.admin_view(page)

    return [
        path(f"<path:object_id>/{action.name.replace('_', '-')}/", view(action), name=f"{name}_{action.name}")
        for action in ACTIONS
    ]


def order_action_view(model_admin, request, object_id: str, action: OrderAction):
    order = model_admin.get_object(request, unquote(object_id))
    if order is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    if not model_admin.has_change_permission(request, order):
        raise PermissionDenied
    back = reverse(
        f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_change", args=[order.pk]
    )
    form = action.form(request.POST if request.method == "POST" else None, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            done = form.run(order, timezone.now())
        except (DomainError, ValidationError) as exc:
            form.add_error(None, service_refusal(exc))
        else:
            model_admin.message_user(request, done, messages.SUCCESS)
            return redirect(back)
    context = {
        **model_admin.admin_site.each_context(request), "opts": model_admin.opts, "title": action.title,
        "order": order, "form": form, "action": action, "back_url": back,
    }  # fmt: skip
    return TemplateResponse(request, "admin/orders/order/order_action.html", context)


def service_refusal(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.detail
    if hasattr(exc, "message_dict"):
        return " ".join(f"{field}: {' '.join(texts)}" for field, texts in exc.message_dict.items())
    return " ".join(exc.messages)

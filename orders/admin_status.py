"""Marking orders paid or canceled from the back office: a confirmation page first, then the service.

The list actions and the buttons of an order's page both show the same page: the orders, their totals
and what the change will do (the gift cards a payment issues; what a cancel gives back to gift cards and
codes, and which issued cards it voids). Only the page's confirm button (``post=yes``, as Django's own
delete confirmation) calls ``order_mark_paid`` / ``order_mark_canceled``, once per order; what a service
refuses (an order in the wrong state, ``gift_card_spent`` …) becomes a message naming the order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.utils import timezone

from core.errors import DomainError
from orders.api.serializers.outputs import amount_due
from orders.models import (
    GIFT_CARD_PROVIDER,
    GiftCardIssue,
    Order,
    OrderPosition,
    OrderStatus,
    PaymentState,
    Redemption,
)
from orders.selectors import MONEY_ROWS
from orders.services.orders import order_mark_canceled, order_mark_paid
from ticketing.admin.display import money_text

CONFIRMED = "yes"  # the value of ``post`` on the confirmation page's form


@dataclass(frozen=True)
class StatusChange:
    """One of the two status changes: how the pages name it and the service that makes it."""

    action: str  # the list action's name
    title: str
    button: str
    done: str  # "3 orders marked paid"
    service: Callable[..., Order]
    #: Only for the preview's wording ("will be refused"): the service checks the status itself.
    applies_to: frozenset[str]


MARK_PAID = StatusChange(
    action="mark_paid", title="Mark orders as paid", button="Yes, mark them paid", done="marked paid",
    service=order_mark_paid, applies_to=frozenset({OrderStatus.PENDING}),
)  # fmt: skip
MARK_CANCELED = StatusChange(
    action="mark_canceled", title="Cancel orders", button="Yes, cancel them", done="canceled",
    service=order_mark_canceled, applies_to=frozenset({OrderStatus.PENDING, OrderStatus.PAID}),
)  # fmt: skip
STATUS_CHANGES = {change.action: change for change in (MARK_PAID, MARK_CANCELED)}


@dataclass(frozen=True)
class OrderOutcome:
    """An order as the confirmation page lists it: its figures and, line by line, what will happen."""

    order: Order
    total: str
    due: str
    effects: tuple[str, ...]


def orders_for_confirmation(orders: Iterable[Order]) -> list[Order]:
    """The orders with everything the page names, in a fixed number of queries."""
    return list(
        Order.objects.filter(pk__in=[order.pk for order in orders])
        .select_related("event")
        .prefetch_related(
            *MONEY_ROWS,
            Prefetch(
                "gift_card_issues",
                queryset=GiftCardIssue.objects.select_related("gift_card")
                .filter(voided=False)
                .order_by("id"),
                to_attr="issues_to_void",
            ),
            Prefetch(
                "redemptions",
                queryset=Redemption.objects.filter(reversed=False).order_by("id"),
                to_attr="live_redemptions",
            ),
            Prefetch(
                "positions",
                queryset=OrderPosition.objects.filter(item__issues_gift_card=True)
                .select_related("item")
                .order_by("positionid"),
                to_attr="gift_card_positions",
            ),
        )  # fmt: skip
        .order_by("datetime", "id")
    )


def paid_effects(order: Order) -> list[str]:
    currency = order.event.currency
    effects = [f"Becomes paid; {money_text(amount_due(order), currency)} to collect."]
    effects += [
        f"Issues a gift card worth {money_text(position.price, currency)} for {position.item.name} "
        f"(position {position.positionid})."
        for position in order.gift_card_positions
    ]
    return effects


def canceled_effects(order: Order) -> list[str]:
    currency = order.event.currency
    effects = ["Becomes canceled; its tickets go back to the quotas."]
    effects += [
        f"Gives {money_text(payment.amount, currency)} back to gift card {payment.gift_card_code}."
        for payment in order.payment_list
        if payment.provider == GIFT_CARD_PROVIDER and payment.state == PaymentState.CONFIRMED
    ]
    effects += [f"Gives the use of code {redemption.code} back." for redemption in order.live_redemptions]
    effects += [
        f"Voids gift card {issue.gift_card.code} ({money_text(issue.value, currency)}) — refused if the "
        "card has already paid for something."
        for issue in order.issues_to_void
    ]
    return effects


def order_outcomes(orders: Iterable[Order], change: StatusChange) -> list[OrderOutcome]:
    effects_of = paid_effects if change is MARK_PAID else canceled_effects

    def effects(order: Order) -> tuple[str, ...]:
        if order.status not in change.applies_to:
            return (f"Nothing: the order is {order.get_status_display().lower()}, it will be refused.",)
        return tuple(effects_of(order))

    return [
        OrderOutcome(
            order=order,
            total=money_text(order.total, order.event.currency),
            due=money_text(amount_due(order), order.event.currency),
            effects=effects(order),
        )
        for order in orders_for_confirmation(orders)
    ]


def confirmation_page(
    model_admin, request, orders: Iterable[Order], change: StatusChange, *, back_url: str, from_list: bool
) -> TemplateResponse:
    outcomes = order_outcomes(orders, change)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": change.title,
        "opts": model_admin.opts,
        "change": change,
        "outcomes": outcomes,
        "from_list": from_list,
        "back_url": back_url,
        "confirmed": CONFIRMED,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/orders/order/confirm_status_change.html", context)


def run_status_change(
    model_admin, request, orders: Iterable[Order], change: StatusChange, *, now: datetime | None = None
) -> None:
    """The service once per order; a refusal is a message naming the order, the rest go on."""
    now = now or timezone.now()
    done: list[str] = []
    for order in orders:
        try:
            change.service(order=order, now=now)
        except DomainError as exc:
            model_admin.message_user(request, f"{order.code}: {exc.detail}", messages.ERROR)
        else:
            done.append(order.code)
    if done:
        text = f"{len(done)} order(s) {change.done}: {', '.join(done)}."
        model_admin.message_user(request, text, messages.SUCCESS)


def is_confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get("post") == CONFIRMED

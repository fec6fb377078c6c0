"""Orders of an event: /api/v1/organizers/<o>/events/<e>/orders/"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import DomainError
from orders.api.errors import add_position_fields
from orders.api.filters import OrderFilter
from orders.api.serializers.inputs import OrderCreateSerializer, fee_specs, position_specs
from orders.api.serializers.money import MarkCanceledSerializer, MarkPaidSerializer
from orders.api.serializers.outputs import OrderSerializer
from orders.api.views.changes import ChangeActions
from orders.api.views.common import IDEMPOTENCY_PARAMETER, caller_scope, idempotency_key, validated_body
from orders.api.views.expiry import ExpiryActions
from orders.idempotency import request_hash, run_idempotent
from orders.models import Order
from orders.selectors import event_orders
from orders.services.checkout import order_place
from orders.services.orders import order_mark_canceled, order_mark_paid
from ticketing.api.scoping import EventScopedMixin
from ticketing.rights import ORDERS


class OrderViewSet(
    EventScopedMixin, ExpiryActions, ChangeActions, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Orders of the event, addressed by their code. Filters: ``status``, ``email``, ``code``,
    ``voucher`` (a code the order used), ``tag``. Ordering: ``datetime`` (default), ``code``, ``total``.
    Reading needs ``can_view_orders``, creating and changing ``can_change_orders``."""

    queryset = Order.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = OrderSerializer
    rights = ORDERS
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9]+"
    filterset_class = OrderFilter
    ordering_fields = ("datetime", "code", "total")
    ordering = ("datetime", "id")

    def get_queryset(self):
        return event_orders(self.event)

    def get_object(self):
        self.kwargs["code"] = self.kwargs["code"].upper()
        return super().get_object()

    @extend_schema(
        request=OrderCreateSerializer, responses={201: OrderSerializer}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    def create(self, request, *args, **kwargs):
        """Create an order directly from positions and codes, through the checkout's service.

        ``gift_cards`` pay its total, in the order given; when they pay all of it the order is created
        paid (``amount_due`` 0.00). A position's ``price`` is a manual price. ``simulate: true`` checks
        and prices everything and stores nothing: 201 with the order that would be created (code
        ``PREVIEW``). ``consume_carts``: carts the order replaces (their holds are its own; they are
        deleted with it). A refused position also carries pretix's ``positions`` list."""
        body = OrderCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        specs = position_specs(data["positions"])

        def work():
            try:
                order = order_place(
                    event=self.event, sales_channel=data["sales_channel"], positions=specs,
                    codes=data["codes"], email=data["email"], name=data["name"], now=timezone.now(),
                    expected_total=data["expected_total"], gift_cards=data["gift_cards"],
                    consume_carts=data["consume_carts"], simulate=data["simulate"],
                    fees=fee_specs(data["fees"]), expires=data["expires"],
                )  # fmt: skip
            except DomainError as exc:
                add_position_fields(exc, specs)
                raise
            return status.HTTP_201_CREATED, OrderSerializer(order, context=self.get_serializer_context()).data

        if data["simulate"]:  # stores nothing, not even the answer under an idempotency key
            return Response(work()[1], status=status.HTTP_201_CREATED)
        stored = run_idempotent(
            scope=caller_scope(self), key=idempotency_key(request),
            fingerprint=request_hash("POST", request.path, request.data), work=work,
        )  # fmt: skip
        return Response(stored.body, status=stored.status)

    def answer(self, order: Order) -> Response:
        return Response(self.get_serializer(event_orders(self.event).get(pk=order.pk)).data)

    @extend_schema(request=MarkPaidSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def mark_paid(self, request, *args, **kwargs):
        """A confirmed payment of what is due (or of ``amount``, by ``provider``, default ``manual``): the
        order becomes paid when its payments cover it. Only a pending order (409 ``order_state``)."""
        data = validated_body(self, MarkPaidSerializer)
        order = order_mark_paid(
            order=self.get_object(), now=timezone.now(), amount=data["amount"], provider=data["provider"],
            info=data["info"],
        )  # fmt: skip
        return self.answer(order)

    @extend_schema(request=MarkCanceledSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def mark_canceled(self, request, *args, **kwargs):
        """Cancel the order: quota and code usage are given back, redemptions marked reversed, what gift
        cards paid refunded to them, the gift cards it issued voided (409 ``gift_card_spent`` when one of
        them has paid for something already). With ``cancellation_fee`` the order stays as an order of
        just that fee; what was paid beyond it is due back (``payment_balance`` < 0)."""
        data = validated_body(self, MarkCanceledSerializer)
        order = order_mark_canceled(
            order=self.get_object(), now=timezone.now(), cancellation_fee=data["cancellation_fee"],
            comment=data["comment"],
        )  # fmt: skip
        return self.answer(order)

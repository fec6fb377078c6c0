"""An order's payments and refunds: /api/v1/organizers/<o>/events/<e>/orders/<code>/payments/ and
``refunds/``, addressed by their ``local_id`` as pretix does.

Reading needs ``can_view_orders``, creating and changing ``can_change_orders``. The views parse the body
and call one service each (``orders.services.payments``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from orders.api.serializers.money import (
    EmptySerializer,
    PaymentConfirmSerializer,
    PaymentCreateSerializer,
    PaymentRefundSerializer,
    RefundCreateSerializer,
)
from orders.api.serializers.outputs import OrderPaymentSerializer, OrderRefundSerializer
from orders.api.views.common import validated_body
from orders.models import Order, OrderPayment, OrderRefund
from orders.payments import payment_refundable
from orders.services.orders import order_mark_canceled
from orders.services.payments import (
    payment_cancel,
    payment_confirm,
    payment_create,
    refund_cancel,
    refund_create,
    refund_done,
)
from ticketing.api.scoping import EventScopedMixin
from ticketing.rights import ORDERS


class OrderChildMixin(EventScopedMixin):
    """A resource below one order of the event (404 for another event's order)."""

    rights = ORDERS
    lookup_field = "local_id"
    lookup_value_regex = "[0-9]+"
    pagination_class = None  # an order has a handful: pretix lists them whole too

    def order(self) -> Order:
        if not hasattr(self, "_order"):
            code = self.kwargs["order_code"].upper()
            found = Order.objects.filter(event=self.event, code=code).first()
            if found is None:
                raise Http404("No order with this code in this event.")
            self._order = found
        return self._order


class PaymentViewSet(
    OrderChildMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Payments of the order: ``created`` or ``pending`` until ``confirm``ed (or ``cancel``ed); a
    confirmed one is ``refund``ed (to its card at once for a gift card)."""

    queryset = OrderPayment.objects.none()
    serializer_class = OrderPaymentSerializer

    def get_queryset(self):
        return OrderPayment.objects.filter(order=self.order()).order_by("local_id")

    def answer(self, payment: OrderPayment, code: int = status.HTTP_200_OK) -> Response:
        fresh = OrderPayment.objects.get(pk=payment.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(request=PaymentCreateSerializer, responses={201: OrderPaymentSerializer})
    def create(self, request, *args, **kwargs):
        """A payment of the order; ``state: confirmed`` confirms it at once (the order becomes paid when
        its payments cover it; an expired one comes back when it can)."""
        data = validated_body(self, PaymentCreateSerializer)
        payment = payment_create(
            order=self.order(), provider=data["provider"], amount=data["amount"], state=data["state"],
            info=data["info"], payment_date=data["payment_date"], now=timezone.now(),
        )  # fmt: skip
        return self.answer(payment, status.HTTP_201_CREATED)

    @extend_schema(request=PaymentConfirmSerializer, responses={200: OrderPaymentSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, *args, **kwargs):
        """The payment's money arrived (409 ``payment_state`` unless it is created or pending)."""
        data = validated_body(self, PaymentConfirmSerializer)
        payment = payment_confirm(
            payment=self.get_object(), now=timezone.now(), payment_date=data["payment_date"]
        )
        return self.answer(payment)

    @extend_schema(request=None, responses={200: OrderPaymentSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        """The payment will not arrive (409 ``payment_state`` unless it is created or pending)."""
        validated_body(self, EmptySerializer)
        return self.answer(payment_cancel(payment=self.get_object(), now=timezone.now()))

    @extend_schema(request=PaymentRefundSerializer, responses={201: OrderRefundSerializer})
    @action(detail=True, methods=["post"])
    def refund(self, request, *args, **kwargs):
        """Give (part of) the payment back: a refund of its provider (done at once for a gift card).
        ``mark_canceled`` cancels the order as well. 409 ``refund_too_large`` beyond what is left."""
        data = validated_body(self, PaymentRefundSerializer)
        payment = self.get_object()
        now = timezone.now()
        with transaction.atomic():
            amount = data["amount"] if data["amount"] is not None else payment_refundable(payment)
            refund = refund_create(
                order=self.order(), amount=amount, payment=payment, comment=data["comment"], now=now
            )
            if data["mark_canceled"]:
                order_mark_canceled(order=self.order(), now=now)
        fresh = OrderRefund.objects.select_related("payment").get(pk=refund.pk)
        return Response(OrderRefundSerializer(fresh, context=self.get_serializer_context()).data, status=201)


class RefundViewSet(
    OrderChildMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Refunds of the order: ``created`` (or ``transit``, ``external``) until ``done`` or ``cancel``ed."""

    queryset = OrderRefund.objects.none()
    serializer_class = OrderRefundSerializer

    def get_queryset(self):
        return OrderRefund.objects.filter(order=self.order()).select_related("payment").order_by("local_id")

    def answer(self, refund: OrderRefund, code: int = status.HTTP_200_OK) -> Response:
        fresh = OrderRefund.objects.select_related("payment").get(pk=refund.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(request=RefundCreateSerializer, responses={201: OrderRefundSerializer})
    def create(self, request, *args, **kwargs):
        """A refund of the order, of one payment (``payment``: its local_id) or naming its ``provider``.
        Never more than is left to refund (409 ``refund_too_large``)."""
        data = validated_body(self, RefundCreateSerializer)
        order = self.order()
        payment = None
        if data["payment"] is not None:
            payment = OrderPayment.objects.filter(order=order, local_id=data["payment"]).first()
            if payment is None:
                raise ValidationError({"payment": [f"The order has no payment {data['payment']}."]})
        now = timezone.now()
        with transaction.atomic():
            refund = refund_create(
                order=order, amount=data["amount"], payment=payment, provider=data["provider"],
                state=data["state"], source=data["source"], comment=data["comment"], info=data["info"],
                now=now,
                execution_date=data["execution_date"],
            )  # fmt: skip
            if data["mark_canceled"]:
                order_mark_canceled(order=order, now=now)
        return self.answer(refund, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: OrderRefundSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request, *args, **kwargs):
        """The refund's money left (409 ``refund_state`` unless it is created, in transit or external)."""
        validated_body(self, EmptySerializer)
        return self.answer(refund_done(refund=self.get_object(), now=timezone.now()))

    @extend_schema(request=None, responses={200: OrderRefundSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        """The refund will not happen (409 ``refund_state`` unless it is created, in transit or external)."""
        validated_body(self, EmptySerializer)
        return self.answer(refund_cancel(refund=self.get_object(), now=timezone.now()))

"""Payment deadlines of orders, as pretix has them: ``POST orders/<code>/mark_expired/`` and
``POST orders/<code>/extend/`` (a mixin of ``OrderViewSet``; ``can_change_orders``)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.serializers import StrictSerializer
from orders.api.serializers.outputs import OrderSerializer
from orders.api.views.common import validated_body
from orders.selectors import event_orders
from orders.services.expiry import order_extend, order_mark_expired


class MarkExpiredSerializer(StrictSerializer):
    """No body (any field is refused: 400 naming it)."""


class ExtendSerializer(StrictSerializer):
    expires = serializers.DateTimeField(help_text="The new payment deadline; must be in the future.")
    force = serializers.BooleanField(
        required=False, default=False,
        help_text="pretix's \"ignore quotas\": refused (400) when true, an order is never oversold.",
    )  # fmt: skip


class ExpiryActions:
    """``mark_expired/`` and ``extend/`` of ``OrderViewSet`` (which gives ``get_object``, ``event``)."""

    def answer(self, order) -> Response:
        return Response(self.get_serializer(event_orders(self.event).get(pk=order.pk)).data)

    @extend_schema(request=MarkExpiredSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def mark_expired(self, request, *args, **kwargs):
        """A pending order expires now, whatever its deadline: its places, code uses and gift card payments
        are given back (409 ``order_state`` for an order that is not pending)."""
        order = self.get_object()
        validated_body(self, MarkExpiredSerializer)
        return self.answer(order_mark_expired(order=order, now=timezone.now()))

    @extend_schema(request=ExtendSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def extend(self, request, *args, **kwargs):
        """A new payment deadline: a pending order keeps it; an expired order takes its places and code
        uses again (409 ``quota_exceeded`` and nothing changes when they are gone; a code used up
        meanwhile: its ``exhausted`` …, naming it) and is pending with it. ``force: true`` is refused
        (400); 409 ``order_state`` for a paid or canceled order."""
        order = self.get_object()
        data = validated_body(self, ExtendSerializer)
        order = order_extend(order=order, expires=data["expires"], now=timezone.now(), force=data["force"])
        return self.answer(order)

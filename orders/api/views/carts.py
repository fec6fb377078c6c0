"""Carts of an event: /api/v1/organizers/<o>/events/<e>/carts/"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from orders.api.serializers.inputs import (
    CartCreateSerializer,
    CartPositionAddSerializer,
    CheckoutSerializer,
    CodeInputSerializer,
    position_specs,
)
from orders.api.serializers.outputs import (
    InvalidCodeSerializer,
    OrderSerializer,
    PricedViewSerializer,
    priced_view_data,
)
from orders.api.views.common import IDEMPOTENCY_PARAMETER, caller_scope, idempotency_key
from orders.checkout.commit import Outcome
from orders.checkout.price import PricedView
from orders.idempotency import request_hash, run_idempotent
from orders.models import Cart
from orders.selectors import event_carts, priced_cart
from orders.services.carts import (
    cart_code_apply,
    cart_code_remove,
    cart_create,
    cart_delete,
    cart_gift_card_add,
    cart_gift_card_remove,
    cart_position_add,
    cart_position_delete,
)
from orders.services.checkout import cart_checkout
from ticketing.api.scoping import EventScopedMixin
from ticketing.rights import CARTS


class CartSerializer(PricedViewSerializer):
    """A cart priced as the checkout would price it now."""

    id = serializers.UUIDField()
    sales_channel = serializers.CharField()
    email = serializers.CharField()
    created = serializers.DateTimeField()
    expires = serializers.DateTimeField()
    invalid_codes = InvalidCodeSerializer(many=True)


def cart_data(view, cart: Cart, priced: PricedView, invalid_codes=()) -> dict:
    data = {
        "id": str(cart.pk),
        "sales_channel": cart.sales_channel.identifier,
        "email": cart.email,
        "created": serializers.DateTimeField().to_representation(cart.created),
        "expires": serializers.DateTimeField().to_representation(cart.expires),
    }
    data.update(priced_view_data(priced, view.get_serializer_context(), with_refs=True))
    data["invalid_codes"] = InvalidCodeSerializer(invalid_codes, many=True).data
    return data


def changed_cart_data(view, outcome: Outcome) -> dict:
    """The cart as the change left it: priced by the change itself (every code passed)."""
    return cart_data(view, outcome.cart, outcome.view)


CODE_PARAMETER = OpenApiParameter("code", str, OpenApiParameter.PATH)
POSITION_PARAMETER = OpenApiParameter("position_id", int, OpenApiParameter.PATH)


class CartViewSet(EventScopedMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Carts: create with positions and codes, read the priced cart, change it, check it out.

    Needs ``can_change_orders``. A cart holds its positions against quotas and its
    codes' uses until it expires (30 minutes after the last change by default).
    """

    queryset = Cart.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = CartSerializer
    rights = CARTS
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    pagination_class = None
    filter_backends = ()

    def get_queryset(self):
        return event_carts(self.event)

    def retrieve(self, request, *args, **kwargs):
        priced = priced_cart(self.get_object(), now=timezone.now())
        return Response(cart_data(self, priced.cart, priced.view, priced.invalid_codes))

    @extend_schema(request=CartCreateSerializer, responses={201: CartSerializer})
    def create(self, request, *args, **kwargs):
        body = CartCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        outcome = cart_create(
            event=self.event, sales_channel=data["sales_channel"],
            positions=position_specs(data["positions"]), codes=data["codes"], email=data["email"],
            now=timezone.now(), gift_cards=data["gift_cards"],
        )  # fmt: skip
        return Response(changed_cart_data(self, outcome), status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        cart_delete(cart=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CartPositionAddSerializer, responses={201: CartSerializer})
    @action(detail=True, methods=["post"], url_path="positions")
    def add_position(self, request, *args, **kwargs):
        """Add a position (``addon_to``: a cart position id) with the bundled positions its item includes."""
        cart = self.get_object()
        body = CartPositionAddSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        spec = position_specs([{**data, "addon_to": None}])[0]
        outcome = cart_position_add(cart=cart, position=spec, addon_to=data["addon_to"], now=timezone.now())
        return Response(changed_cart_data(self, outcome), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[POSITION_PARAMETER], request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"positions/(?P<position_id>[0-9]+)")
    def remove_position(self, request, position_id: str, *args, **kwargs):
        """Remove a position with its add-ons and bundled positions."""
        cart_position_delete(cart=self.get_object(), position_id=int(position_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CodeInputSerializer, responses={201: CartSerializer})
    @action(detail=True, methods=["post"], url_path="codes")
    def apply_code(self, request, *args, **kwargs):
        """Apply a code: a voucher attaches to the positions it may change; a refused code is a 400
        with the code service's stable error (``invalid``, ``expired``, ``exhausted`` …)."""
        cart = self.get_object()
        body = CodeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = cart_code_apply(cart=cart, code=body.validated_data["code"], now=timezone.now())
        return Response(changed_cart_data(self, outcome), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[CODE_PARAMETER], request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"codes/(?P<code>[^/]+)")
    def remove_code(self, request, code: str, *args, **kwargs):
        cart_code_remove(cart=self.get_object(), code=code)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CodeInputSerializer, responses={201: CartSerializer})
    @action(detail=True, methods=["post"], url_path="gift-cards")
    def add_gift_card(self, request, *args, **kwargs):
        """Pay with this gift card too at checkout, after the cart's others (it holds no balance: the
        checkout reads it under its lock); a refused card is a 400 with its stable code
        (``gift_card_invalid``, ``gift_card_expired``, ``gift_card_empty`` …)."""
        cart = self.get_object()
        body = CodeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = cart_gift_card_add(cart=cart, code=body.validated_data["code"], now=timezone.now())
        return Response(changed_cart_data(self, outcome), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[CODE_PARAMETER], request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"gift-cards/(?P<code>[^/]+)")
    def remove_gift_card(self, request, code: str, *args, **kwargs):
        cart_gift_card_remove(cart=self.get_object(), code=code)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=CheckoutSerializer, responses={201: OrderSerializer}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @action(detail=True, methods=["post"])
    def checkout(self, request, *args, **kwargs):
        """Turn the cart into a pending order, in one transaction (see docs/orders.md)."""
        body = CheckoutSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data

        def work():
            # Read inside the key's transaction: a repeated request replays the first response
            # even though the cart is gone by then.
            order = cart_checkout(
                cart=self.get_object(), email=data["email"], name=data["name"], now=timezone.now(),
                expected_total=data["expected_total"], gift_cards=data["gift_cards"],
            )  # fmt: skip
            return status.HTTP_201_CREATED, OrderSerializer(order, context=self.get_serializer_context()).data

        stored = run_idempotent(
            scope=caller_scope(self), key=idempotency_key(request),
            fingerprint=request_hash("POST", request.path, request.data), work=work,
        )  # fmt: skip
        return Response(stored.body, status=stored.status)

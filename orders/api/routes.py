"""This app's resources in the API URL tree (see ``config.api_router``)."""

from rest_framework_nested.routers import NestedSimpleRouter

from orders.api.views.carts import CartViewSet
from orders.api.views.orders import OrderViewSet
from orders.api.views.payments import PaymentViewSet, RefundViewSet
from orders.api.views.preview import PricePreviewViewSet


def register(organizer_router, event_router) -> list:
    """Register viewsets on the organizer/event routers; return any further nested routers created."""
    event_router.register(r"carts", CartViewSet, basename="cart")
    event_router.register(r"orders", OrderViewSet, basename="order")
    event_router.register(r"price-preview", PricePreviewViewSet, basename="price-preview")
    order_router = NestedSimpleRouter(event_router, r"orders", lookup="order")
    order_router.register(r"payments", PaymentViewSet, basename="orderpayment")
    order_router.register(r"refunds", RefundViewSet, basename="orderrefund")
    return [order_router]

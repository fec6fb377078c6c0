"""This app's resources in the API URL tree (see ``config.api_router``)."""

from rest_framework.routers import Route
from rest_framework_nested.routers import NestedSimpleRouter

from vouchers.api.views.codes import CodeInfoViewSet, EventCodeViewSet, ItemCodeViewSet
from vouchers.api.views.coupons import CouponSeriesViewSet, CouponViewSet
from vouchers.api.views.discount_code import EventDiscountCodeViewSet
from vouchers.api.views.giftcards import GiftCardViewSet
from vouchers.api.views.promo import PromoCodeViewSet
from vouchers.api.views.vouchers import VoucherViewSet


class SingletonNestedRouter(NestedSimpleRouter):
    """One object per parent at ``<prefix>/``: GET reads it, PUT sets it, DELETE removes it."""

    routes = [
        Route(
            url=r"^{prefix}{trailing_slash}$",
            mapping={"get": "retrieve", "put": "update", "delete": "destroy"},
            name="{basename}-detail",
            detail=True,
            initkwargs={"suffix": "Instance"},
        )
    ]


def register(organizer_router, event_router) -> list:
    """Register viewsets on the organizer/event routers; return any further nested routers created."""
    organizer_router.register(r"coupon-series", CouponSeriesViewSet, basename="coupon-series")
    organizer_router.register(r"coupons", CouponViewSet, basename="coupon")
    organizer_router.register(r"promo-codes", PromoCodeViewSet, basename="promo-code")
    organizer_router.register(r"code-info", CodeInfoViewSet, basename="code-info")
    organizer_router.register(r"giftcards", GiftCardViewSet, basename="giftcard")
    event_router.register(r"vouchers", VoucherViewSet, basename="voucher")
    event_router.register(r"codes", EventCodeViewSet, basename="event-code")
    event_singletons = SingletonNestedRouter(organizer_router, r"events", lookup="event")
    event_singletons.register(r"discount-code", EventDiscountCodeViewSet, basename="event-discount-code")
    item_router = NestedSimpleRouter(event_router, r"items", lookup="item")
    item_router.register(r"codes", ItemCodeViewSet, basename="item-code")
    return [event_singletons, item_router]

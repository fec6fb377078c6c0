"""This app's resources in the API URL tree (see ``config.api_router``)."""

from vouchers.api.views.codes import CodeInfoViewSet, EventCodeViewSet
from vouchers.api.views.coupons import CouponSeriesViewSet, CouponViewSet
from vouchers.api.views.giftcards import GiftCardViewSet
from vouchers.api.views.promo import PromoCodeViewSet
from vouchers.api.views.vouchers import VoucherViewSet


def register(organizer_router, event_router) -> list:
    """Register viewsets on the organizer/event routers; return any further nested routers created."""
    organizer_router.register(r"coupon-series", CouponSeriesViewSet, basename="coupon-series")
    organizer_router.register(r"coupons", CouponViewSet, basename="coupon")
    organizer_router.register(r"promo-codes", PromoCodeViewSet, basename="promo-code")
    organizer_router.register(r"code-info", CodeInfoViewSet, basename="code-info")
    organizer_router.register(r"giftcards", GiftCardViewSet, basename="giftcard")
    event_router.register(r"vouchers", VoucherViewSet, basename="voucher")
    event_router.register(r"codes", EventCodeViewSet, basename="event-code")
    return []

from vouchers.choices import DiscountType, GiftCardTransactionKind, PriceMode, SeriesKind
from vouchers.models.coupons import Coupon, CouponEventUsage, CouponSeries, PromoCode, StandaloneCoupon
from vouchers.models.event_codes import EventDiscountCode
from vouchers.models.giftcards import GiftCard, GiftCardTransaction
from vouchers.models.vouchers import Voucher

__all__ = [
    "Coupon",
    "CouponEventUsage",
    "CouponSeries",
    "DiscountType",
    "EventDiscountCode",
    "GiftCard",
    "GiftCardTransaction",
    "GiftCardTransactionKind",
    "PriceMode",
    "PromoCode",
    "SeriesKind",
    "StandaloneCoupon",
    "Voucher",
]

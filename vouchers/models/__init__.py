from vouchers.choices import CodeHolder, DiscountType, GiftCardTransactionKind, PriceMode, SeriesKind
from vouchers.models.code_texts import CodeText
from vouchers.models.coupons import Coupon, CouponEventUsage, CouponSeries, PromoCode, StandaloneCoupon
from vouchers.models.event_codes import EventDiscountCode
from vouchers.models.giftcards import GiftCard, GiftCardTransaction
from vouchers.models.vouchers import Voucher

__all__ = [
    "CodeHolder",
    "CodeText",
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

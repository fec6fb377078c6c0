from vouchers.choices import DiscountType, PriceMode, SeriesKind
from vouchers.models.coupons import Coupon, CouponEventUsage, CouponSeries, PromoCode
from vouchers.models.vouchers import Voucher

__all__ = [
    "Coupon",
    "CouponEventUsage",
    "CouponSeries",
    "DiscountType",
    "PriceMode",
    "PromoCode",
    "SeriesKind",
    "Voucher",
]

from vouchers.models.coupons import (
    Coupon,
    CouponEventUsage,
    CouponSeries,
    DiscountType,
    PromoCode,
    SeriesKind,
)
from vouchers.models.vouchers import PriceMode, Voucher

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

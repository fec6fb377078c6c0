from orders.models.carts import Cart, CartCode, CartPosition
from orders.models.giftcards import CartGiftCard, GiftCardIssue
from orders.models.idempotency import IdempotencyKey
from orders.models.orders import (
    LIVE_STATUSES,
    Order,
    OrderPosition,
    OrderStatus,
    OrderTag,
    Redemption,
    RedemptionPosition,
)
from orders.models.payments import (
    GIFT_CARD_PROVIDER,
    MANUAL_PROVIDER,
    FeeType,
    OrderFee,
    OrderPayment,
    OrderRefund,
    PaymentState,
    RefundSource,
    RefundState,
)
from orders.models.sales import ProductSales

__all__ = [
    "GIFT_CARD_PROVIDER",
    "LIVE_STATUSES",
    "MANUAL_PROVIDER",
    "FeeType",
    "OrderFee",
    "OrderPayment",
    "OrderRefund",
    "PaymentState",
    "RefundSource",
    "RefundState",
    "Cart",
    "CartCode",
    "CartGiftCard",
    "CartPosition",
    "GiftCardIssue",
    "IdempotencyKey",
    "Order",
    "OrderPosition",
    "OrderStatus",
    "OrderTag",
    "ProductSales",
    "Redemption",
    "RedemptionPosition",
]

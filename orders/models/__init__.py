from orders.models.carts import Cart, CartCode, CartPosition
from orders.models.giftcards import CartGiftCard, GiftCardIssue, GiftCardPayment
from orders.models.idempotency import IdempotencyKey
from orders.models.orders import (
    Order,
    OrderPosition,
    OrderStatus,
    OrderTag,
    Redemption,
    RedemptionPosition,
)
from orders.models.sales import ProductSales

__all__ = [
    "Cart",
    "CartCode",
    "CartGiftCard",
    "CartPosition",
    "GiftCardIssue",
    "GiftCardPayment",
    "IdempotencyKey",
    "Order",
    "OrderPosition",
    "OrderStatus",
    "OrderTag",
    "ProductSales",
    "Redemption",
    "RedemptionPosition",
]

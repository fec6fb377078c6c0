"""The choices of the vouchers app's models, in a module of their own.

The models and the validation (``vouchers.validation``) both import them from here, so
neither needs the other for them. ``vouchers.models`` exports the same classes.
"""

from __future__ import annotations

from django.db import models


class CodeKind(models.TextChoices):
    """The three kinds of code a customer can type: what the resolution returns and a redemption stores."""

    VOUCHER = "voucher", "Voucher"
    COUPON = "coupon", "Coupon"
    PROMO_CODE = "promo_code", "Promo code"


class CodeHolder(models.TextChoices):
    """Which table holds the code a text of the organizer's code space is claimed for
    (``vouchers.models.CodeText``): a promo code and a stand-alone coupon are rows of the coupon table."""

    VOUCHER = "voucher", "Vouchers of the organizer's events"
    COUPON = "coupon", "A coupon, promo code or stand-alone coupon"
    GIFT_CARD = "gift_card", "A gift card"


class PriceMode(models.TextChoices):
    NONE = "none", "No effect on the price"
    SET = "set", "Set the price to the value"
    SUBTRACT = "subtract", "Subtract the value"
    PERCENT = "percent", "Reduce by a percentage"


class DiscountType(models.TextChoices):
    PERCENT = "percent", "Percent off the eligible tickets"
    FIX = "fix", "Amount off the order"
    FIX_PER_ITEM = "fix_per_item", "Amount off each eligible ticket"


class SeriesKind(models.TextChoices):
    COUPON = "coupon", "Coupon series"
    PROMO_CODE = "promo_code", "Promo code"
    STANDALONE = "standalone", "Stand-alone coupon"  # a private series holding exactly one coupon


class GiftCardTransactionKind(models.TextChoices):
    """What moved value on a gift card (``vouchers.models.GiftCardTransaction``)."""

    ISSUE = "issue", "Issued"
    TOP_UP = "top_up", "Topped up"
    PAYMENT = "payment", "Paid an order"
    REFUND = "refund", "Refunded by a canceled order"
    CORRECTION = "correction", "Correction"

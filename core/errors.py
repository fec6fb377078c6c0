"""Domain errors: a business rule refused an operation. Plain Python, no DRF imports,
so services anywhere can raise them; ``core.exceptions`` renders them."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the operation; ``code`` is stable and documented."""

    status_code = 400
    code = "invalid"
    default_detail = "The request could not be processed."

    def __init__(self, detail: str | None = None, *, code: str | None = None, **context: Any) -> None:
        self.detail = detail or self.default_detail
        if code is not None:
            self.code = code
        self.context = context
        super().__init__(self.detail)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, **self.context}


class ConflictError(DomainError):
    status_code = 409
    code = "conflict"


#: Every stable ``code`` a ``{"code", "detail"}`` error body can carry, by HTTP status. The OpenAPI
#: schema documents them (``core.schema``), ``docs/api.md`` explains them, and a test checks that
#: every code raised in the source is listed here under the status its error class answers with.
ERROR_CODES: dict[int, tuple[str, ...]] = {
    400: (
        # malformed input and generic refusals
        "invalid", "parse_error",
        # order and cart positions (``position`` or ``position_id`` says which)
        "item_not_found", "item_inactive", "item_not_on_sale", "item_not_in_channel", "item_only_bundled",
        "item_only_addon", "item_hidden", "variation_required", "variation_not_found", "variation_inactive",
        "subevent_required", "subevent_not_found", "subevent_inactive", "subevent_not_on_sale",
        "subevent_not_allowed", "addon_not_offered", "addon_subevent_mismatch", "addon_parent_invalid",
        "addon_max_count", "addon_min_count", "max_per_order", "min_per_order", "cart_empty",
        "too_many_positions", "position_bundled",
        # typed codes (vouchers, coupons, promo codes)
        "inactive", "not_yet_valid", "expired", "exhausted", "not_valid_for_event", "not_valid_for_items",
        "not_combinable", "customer_mismatch", "cart_too_small", "cart_too_large", "budget_exhausted",
        "held_in_other_cart",
        # gift cards (``gift_card`` names the card)
        "gift_card_invalid", "gift_card_duplicate", "gift_card_expired", "gift_card_currency",
        "gift_card_not_valid_for_event", "gift_card_empty",
        # generating codes
        "code_space_exhausted",
        # an event's discount code, a voucher's items (``field`` names the field)
        "code_not_found", "voucher_one_item",
    ),
    401: ("not_authenticated", "authentication_failed"),
    403: ("permission_denied",),
    404: ("not_found",),
    405: ("method_not_allowed",),
    406: ("not_acceptable",),
    409: (
        "conflict", "busy", "price_changed", "order_state", "idempotency_key_reused", "no_quota",
        "quota_exceeded", "code_collision", "sales_channel_required", "sales_channel_in_use", "item_in_use",
        "variation_in_use", "subevent_in_use", "event_in_use", "voucher_redeemed", "coupon_series_in_use",
        "coupon_in_use", "promo_code_in_use", "discount_in_use", "gift_card_overdrawn", "gift_card_spent",
        "already_standalone", "quota_too_small", "quota_in_use", "job_state", "payment_term_ended",
        "payment_state", "refund_state", "refund_too_large",
    ),
    411: ("length_required",),
    413: ("too_large",),
    415: ("unsupported_media_type",),
    429: ("throttled",),
    500: ("server_error",),
    503: ("unavailable",),
}  # fmt: skip

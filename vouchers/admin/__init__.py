"""Back office of the vouchers app: vouchers, coupon series, coupons, promo codes and gift cards.

Forms run the same validation functions as the models and the API (the rules of
``vouchers.validation`` through ``Model.clean()``, the checks that query from
``vouchers.services.checks``); lists show usage and validity, filter, and search by code.
"""

from vouchers.admin import (  # noqa: F401  (registers the model admins)
    coupons,
    event_codes,
    giftcards,
    promo,
    standalone,
    vouchers,
)

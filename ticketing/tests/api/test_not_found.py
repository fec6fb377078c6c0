"""A missing object is a 404 whose detail says in words what was looked for and where (docs/api.md,
"Errors"), for every kind of resource, the same as for the parts of a missing item."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
ORG = "/api/v1/organizers/demo-org/"


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("events/conf/items/999/", "No item with this id in this event."),
        ("events/conf/items/999/variations/", "No item with this id in this event."),
        ("events/conf/items/999/codes/", "No item with this id in this event."),
        ("events/conf/quotas/999/", "No quota with this id in this event."),
        ("events/conf/subevents/999/", "No subevent with this id in this event."),
        ("events/conf/categories/999/", "No item category with this id in this event."),
        ("events/conf/vouchers/999/", "No voucher with this id in this event."),
        ("events/conf/vouchers/999/items/", "No voucher with this id in this event."),
        ("events/conf/orders/ABCDE/", "No order with this code in this event."),
        ("coupon-series/999/", "No coupon series with this id of this organizer."),
        ("coupon-series/999/items/", "No coupon series with this id of this organizer."),
        ("coupons/999/", "No coupon with this id of this organizer."),
        ("promo-codes/999/", "No promo code with this id of this organizer."),
        ("giftcards/999/", "No gift card with this id of this organizer."),
        ("saleschannels/999/", "No sales channel with this id of this organizer."),
    ],
)
def test_a_missing_object_is_named(api, event, path, detail):
    response = api.get(ORG + path)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": detail}

"""Unknown fields are refused, at any depth, naming each; read-only fields are accepted and ignored."""

from __future__ import annotations

from decimal import Decimal

import pytest

from discounts.models import Discount
from orders.models import Cart, Order
from ticketing.tests.factories import ItemFactory, QuotaFactory
from vouchers.models import Voucher
from vouchers.tests.factories import VoucherFactory

pytestmark = pytest.mark.django_db
EVENT = "/api/v1/organizers/demo-org/events/conf/"
UNKNOWN = ["Unknown field."]


@pytest.fixture
def ticket(event):
    item = ItemFactory(event=event, default_price=Decimal("50.00"))
    QuotaFactory(event=event, size=10, items=[item])
    return item


def test_an_order_with_fields_of_another_system_is_refused_naming_each(api, ticket):
    body = {
        "email": "a@example.com",
        "positions": [{"item": ticket.pk}],
        "promo_code": "X",
        "discount": "12.00",
    }
    response = api.post(EVENT + "orders/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"promo_code": UNKNOWN, "discount": UNKNOWN}
    assert not Order.objects.exists()


def test_an_unknown_field_deep_in_a_position_is_named_where_it_is(api, ticket):
    positions = [{"item": ticket.pk}, {"item": ticket.pk, "vouchr": "SAVE"}]
    response = api.post(EVENT + "orders/", {"email": "a@example.com", "positions": positions}, format="json")
    assert response.status_code == 400
    assert response.json() == {"positions": {"1": {"vouchr": UNKNOWN}}}  # keyed by the row's index


def test_unknown_fields_are_reported_together_with_the_other_errors(api, ticket):
    response = api.post(
        EVENT + "orders/", {"email": "not-an-email", "positions": [], "extra": 1}, format="json"
    )
    body = response.json()
    assert response.status_code == 400
    assert set(body) == {"email", "positions", "extra"} and body["extra"] == UNKNOWN


def test_a_cart_and_a_price_preview_refuse_unknown_fields_and_store_nothing(api, anon, event, ticket):
    event.live = True
    event.save()
    cart = api.post(EVENT + "carts/", {"positions": [{"item": ticket.pk}], "coupon": "X"}, format="json")
    assert (cart.status_code, cart.json()) == (400, {"coupon": UNKNOWN})
    assert not Cart.objects.exists()
    preview = anon.post(
        EVENT + "price-preview/", {"positions": [{"item": ticket.pk, "qty": 2}]}, format="json"
    )
    assert (preview.status_code, preview.json()) == (400, {"positions": {"0": {"qty": UNKNOWN}}})


def test_a_patch_with_a_field_the_voucher_does_not_have_changes_nothing(api, event, ticket):
    voucher = VoucherFactory(event=event, max_usages=3)
    response = api.patch(
        EVENT + f"vouchers/{voucher.pk}/", {"items": [ticket.pk], "max_usages": 9}, format="json"
    )
    assert (response.status_code, response.json()) == (400, {"items": UNKNOWN})
    assert Voucher.objects.get(pk=voucher.pk).max_usages == 3


def test_what_was_read_can_be_put_back_read_only_fields_included(api, event):
    voucher = VoucherFactory(event=event, max_usages=3, redeemed=1)
    read = api.get(EVENT + f"vouchers/{voucher.pk}/").json()
    assert "redeemed" in read and "id" in read  # read-only, sent back as they were read
    read["max_usages"] = 5
    response = api.put(EVENT + f"vouchers/{voucher.pk}/", read, format="json")
    assert response.status_code == 200, response.json()
    voucher.refresh_from_db()
    assert (voucher.max_usages, voucher.redeemed) == (5, 1)


def test_a_discount_rule_with_a_misspelt_field_is_refused(api, event):
    body = {"internal_name": "10 %", "benefit_discount_matching_percent": "10.00", "condition_min_cout": 3}
    response = api.post(EVENT + "discounts/", body, format="json")
    assert (response.status_code, response.json()) == (400, {"condition_min_cout": UNKNOWN})
    assert not Discount.objects.exists()


def test_a_batch_of_vouchers_names_the_unknown_field_of_its_row(api, event):
    rows = [{"code": "FIRST-ONE", "max_usages": 1}, {"code": "SECOND-ONE", "max_uses": 2}]
    response = api.post(EVENT + "vouchers/batch_create/", rows, format="json")
    assert response.status_code == 400
    assert "max_uses" in str(response.json())
    assert not Voucher.objects.exists()

"""Hostile input that used to answer 500 (often as HTML) now gets a clear JSON 4xx naming the problem."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from orders.models import Cart, Order
from ticketing.tests.factories import ItemFactory, QuotaFactory
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db
ORGANIZER = "/api/v1/organizers/demo-org/"
EVENT = ORGANIZER + "events/conf/"
HUGE = 2**63  # one more than PostgreSQL's bigint (and SQLite's integer) holds


@pytest.fixture
def ticket(event):
    event.live = True
    event.save()
    item = ItemFactory(event=event, default_price=Decimal("50.00"))
    QuotaFactory(event=event, size=10, items=[item])
    return item


@pytest.mark.parametrize("field", ["item", "subevent", "variation", "addon_to"])
def test_an_id_beyond_the_database_s_range_in_a_public_preview_is_a_400_naming_it(anon, ticket, field):
    position = {"item": ticket.pk, field: HUGE}
    response = anon.post(EVENT + "price-preview/", {"positions": [position]}, format="json")
    assert response.status_code == 400
    assert field in response.json()["positions"]["0"]


def test_an_id_beyond_range_in_an_order_or_a_cart_is_a_400_and_stores_nothing(api, ticket):
    body = {"email": "a@example.com", "positions": [{"item": HUGE}]}
    order = api.post(EVENT + "orders/", body, format="json")
    cart = api.post(EVENT + "carts/", {"positions": [{"item": ticket.pk, "subevent": HUGE}]}, format="json")
    assert (order.status_code, cart.status_code) == (400, 400)
    assert "item" in order.json()["positions"]["0"] and "subevent" in cart.json()["positions"]["0"]
    assert not Order.objects.exists() and not Cart.objects.exists()


def test_an_id_filter_beyond_range_is_a_400_naming_it(api):
    response = api.get(ORGANIZER + f"coupons/?series={HUGE}")
    assert response.status_code == 400
    assert "series" in response.json()


def test_an_object_id_beyond_range_in_the_url_is_a_404(api, event):
    assert api.get(EVENT + f"vouchers/{HUGE}/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        ORGANIZER + "code-info/AB%00CD/",
        "/api/v1/organizers/demo%00org/events/",
        EVENT + "vouchers/%00/",
        EVENT.replace("conf", "co%00nf") + "items/",
    ],
)
def test_a_null_character_in_the_path_is_a_json_404(api, ticket, url):
    response = api.get(url)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "There is no such resource."}


@pytest.mark.parametrize(
    "url, parameter",
    [
        (EVENT + "orders/?email=a%00b@example.com", "email"),
        (EVENT + "orders/?code=AB%00", "code"),
        (EVENT + "vouchers/?code=%00", "code"),
        (ORGANIZER + "coupons/?search=x%00", "search"),
        (ORGANIZER + "code-info/ABCD/?event=%00", "event"),
        (EVENT + "orders/?ordering=%00", "ordering"),
    ],
)
def test_a_null_character_in_a_query_parameter_is_a_400_naming_it(api, ticket, url, parameter):
    response = api.get(url)
    assert response.status_code == 400
    assert response.json() == {parameter: ["Null characters are not allowed."]}


def test_a_null_character_in_a_body_string_is_a_400_naming_the_field(api, ticket):
    body = {"email": "a\u0000b@example.com", "positions": [{"item": ticket.pk}]}
    response = api.post(EVENT + "orders/", body, format="json")
    assert response.status_code == 400
    assert "email" in response.json()
    assert not Order.objects.exists()


def test_a_body_nested_a_thousand_deep_is_a_json_400(anon, ticket):
    nested = "[" * 1000 + "]" * 1000
    body = f'{{"positions": [{{"item": {ticket.pk}}}], "codes": {nested}}}'
    response = anon.post(EVENT + "price-preview/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "nested" in json.dumps(response.json())


@pytest.mark.parametrize("rows", [[None], [{}, None], ["text"]])
def test_a_batch_with_null_or_non_object_rows_is_a_400_and_creates_nothing(api, event, rows):
    response = api.post(EVENT + "vouchers/batch_create/", rows, format="json")
    assert response.status_code == 400
    assert not Voucher.objects.exists()


def test_an_empty_batch_is_refused(api, event):
    response = api.post(EVENT + "vouchers/batch_create/", [], format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["1_000", "１０", "١٢", "1e3", "0x10", "10 000"])
def test_numbers_in_anything_but_plain_ascii_digits_are_refused(api, event, value):
    response = api.post(EVENT + "vouchers/", {"max_usages": value}, format="json")
    assert response.status_code == 400
    assert response.json()["max_usages"] == ["A number in plain digits is required, like 1000 or 10.50."]
    money = api.post(EVENT + "vouchers/", {"price_mode": "set", "value": value}, format="json")
    assert money.status_code == 400 and "value" in money.json()
    assert not Voucher.objects.exists()


@pytest.mark.parametrize("value", ["-0", "-0.00", "-0.0"])
def test_a_negative_zero_is_stored_and_shown_as_zero(api, event, value):
    body = {"budget": value, "price_mode": "subtract", "value": "5.00"}
    response = api.post(EVENT + "vouchers/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["budget"] == "0.00"
    assert str(Voucher.objects.get().budget) in {"0", "0.00", "0.000", "0.0"}
    assert not Voucher.objects.get().budget.is_signed()


def test_an_amount_sent_as_a_json_number_is_refused_naming_the_field(api, event):
    body = {"max_usages": 1, "price_mode": "set", "value": 10.5}
    response = api.post(EVENT + "vouchers/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"value": ['A decimal number as a string is required, like "10.50".']}
    assert not Voucher.objects.exists()


@pytest.mark.parametrize(
    "field, raw, message",
    [
        ("block_quota", "yes", "Must be true or false."),
        ("block_quota", 1, "Must be true or false."),
        ("tag", 42, "A string is required."),
        ("max_usages", True, "A number is required."),
        ("item", True, "An id is required."),
    ],
)
def test_a_value_of_another_json_type_than_the_schema_s_is_refused(api, event, field, raw, message):
    response = api.post(EVENT + "vouchers/", {field: raw}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_a_list_field_refuses_an_object(api, event):
    response = api.post(EVENT + "quotas/", {"name": "Q", "size": 1, "items": {}}, format="json")
    assert response.status_code == 400
    assert response.json() == {"items": ["A list is required."]}


def test_plain_numbers_as_text_or_json_are_read(api, event):
    for max_usages, value in (("3", "10.50"), (4, "10.5"), (" 5 ", "+7")):
        body = {"max_usages": max_usages, "price_mode": "set", "value": value}
        response = api.post(EVENT + "vouchers/", body, format="json")
        assert response.status_code == 201, response.json()


def test_a_date_filter_with_an_offset_postgresql_cannot_hold_is_read_in_utc(api, event):
    # +21:42 is beyond PostgreSQL's offsets: it was a DataError (500) there.
    response = api.get(EVENT + "subevents/?date_from_before=2030-03-29T14%3A48%3A34%2B21%3A42")
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_a_date_filter_that_does_not_exist_in_utc_is_a_400_naming_it(api, event):
    response = api.get(EVENT + "subevents/?date_from_after=0001-01-01T00%3A00%3A00%2B05%3A00")
    assert response.status_code == 400
    assert response.json() == {"date_from_after": ["This date and time is out of range."]}


def test_an_empty_string_is_no_amount(api, event):
    response = api.post(EVENT + "vouchers/", {"price_mode": "set", "value": ""}, format="json")
    assert response.status_code == 400
    assert response.json() == {"value": ['A decimal number as a string is required, like "10.50".']}


def test_a_list_of_strings_refuses_a_number_in_it(api, event):
    body = {"name": "T", "default_price": "10.00", "sales_channels": ["web", 0]}
    response = api.post(EVENT + "items/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"sales_channels": ["A string is required."]}


def test_a_null_character_in_a_sales_channel_or_a_code_is_a_400_naming_it(api, ticket):
    # A slug field sent a NUL to PostgreSQL (a DataError, 500); CharField alone refused it.
    for body, field in (
        ({"sales_channel": "we\u0000b", "positions": [{"item": ticket.pk}]}, "sales_channel"),
        ({"codes": ["AB\u0000CD"], "positions": [{"item": ticket.pk}]}, "codes"),
    ):
        response = api.post(EVENT + "carts/", body, format="json")
        assert response.status_code == 400, response.json()
        assert field in response.json()
    assert not Cart.objects.exists()

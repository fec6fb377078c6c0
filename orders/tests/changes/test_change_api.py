"""``POST orders/<code>/change/`` over HTTP: a change and its answer, the preview (``simulate``), and every
refusal: the body's shape, pretix's fields this backend does not support, the order's state, room."""

from __future__ import annotations

from decimal import Decimal

import pytest

from notifications.models import Notification
from orders.models import Order, OrderPosition
from orders.tests.conftest import BASE, pos
from ticketing.models import Quota
from ticketing.selectors import quota_availability

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def order(buy, shop) -> str:
    """A pending order of two tickets (100.00); its code."""
    response = buy([pos(shop.ticket), pos(shop.ticket)])
    assert response.status_code == 201, response.json()
    return response.json()["code"]


def url(code: str) -> str:
    return f"{BASE}orders/{code}/change/"


def post(api, code, body):
    return api.post(url(code), body, format="json")


def live(code: str) -> list[tuple[int, int]]:
    rows = OrderPosition.objects.filter(order__code=code, canceled=False).order_by("positionid")
    return list(rows.values_list("positionid", "item_id"))


def pending(quota) -> int:
    return quota_availability(Quota.objects.get(pk=quota.pk)).pending_orders


def test_a_change_answers_the_order_as_it_is_now(api, order, shop):
    body = {
        "cancel_positions": [{"positionid": 1}],
        "create_positions": [{"item": shop.cheap.pk}],
        "patch_positions": [{"positionid": 2, "body": {"price": "45.00"}}],
    }

    response = post(api, order, body)

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["code"], data["status"], data["total"]) == (order, "n", "75.00")
    assert [(p["positionid"], p["price"], p["canceled"]) for p in data["positions"]] == [
        (1, "50.00", True), (2, "45.00", False), (3, "30.00", False),
    ]  # fmt: skip
    assert data["payment_balance"] == "75.00"
    assert live(order) == [(2, shop.ticket.pk), (3, shop.cheap.pk)]
    assert pending(shop.quota) == 2
    assert Notification.objects.filter(order_code=order, type="order.changed").count() == 1


def test_simulate_answers_the_change_and_stores_nothing(api, order, shop):
    notes = Notification.objects.count()

    response = post(api, order, {"create_positions": [{"item": shop.cheap.pk}], "simulate": True})

    assert response.status_code == 200, response.json()
    assert response.json()["total"] == "130.00"
    assert [p["positionid"] for p in response.json()["positions"]] == [1, 2, 3]
    assert Order.objects.get(code=order).total == D("100.00")
    assert live(order) == [(1, shop.ticket.pk), (2, shop.ticket.pk)]
    assert pending(shop.quota) == 2
    assert Notification.objects.count() == notes


def test_simulate_is_refused_as_the_change_would_be(api, order, shop):
    Quota.objects.filter(pk=shop.quota.pk).update(size=2)

    response = post(api, order, {"create_positions": [{"item": shop.cheap.pk}], "simulate": True})

    assert response.status_code == 409
    assert response.json()["code"] == "quota_exceeded"


SHAPE_REFUSALS = [
    ({"cancel_position": [{"positionid": 1}]}, "cancel_position", "Unknown field."),
    ({"cancel_positions": [{"positionid": 0}]}, "cancel_positions", None),
    ({"create_positions": [{"item": 1, "vouchr": "X"}]}, "create_positions", None),
    ({"patch_positions": [{"positionid": 1}]}, "patch_positions", None),
    ({"patch_positions": [{"positionid": 1, "body": {"price": 5.5}}]}, "patch_positions", None),
    ({"split_positions": [{"positionid": 1}]}, "split_positions", "Not supported: an order is not split here."),  # noqa: E501
    ({"cancel_fees": [{"fee": 1}]}, "cancel_fees", "Not supported: an order's fees do not change here."),
    ({"patch_fees": []}, "patch_fees", "Not supported: an order's fees do not change here."),
    ({"recalculate_taxes": "keep_gross"}, "recalculate_taxes", None),
    ({"send_email": True}, "send_email", None),
    ({"reissue_invoice": True}, "reissue_invoice", None),
    ({"create_positions": [{"item": 1, "seat": "A1"}]}, "create_positions", None),
    ({"create_positions": [{"item": 1, "voucher": "X"}]}, "create_positions", None),
    ({"patch_positions": [{"positionid": 1, "body": {"tax_rule": 3}}]}, "patch_positions", None),
]


@pytest.mark.parametrize(("body", "field", "message"), SHAPE_REFUSALS)
def test_a_body_of_the_wrong_shape_is_refused_naming_the_field(api, order, body, field, message):
    response = post(api, order, body)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    if message is not None:
        assert response.json()[field] == [message]
    assert Order.objects.get(code=order).total == D("100.00")


REFUSALS = [
    ({}, 400, "non_field_errors"),
    ({"cancel_positions": [{"positionid": 1}, {"positionid": 2}]}, 400, "cancel_positions"),
    ({"cancel_positions": [{"positionid": 3}]}, 400, "cancel_positions"),
    ({"patch_positions": [{"positionid": 3, "body": {"price": "1.00"}}]}, 400, "patch_positions"),
    ({"create_positions": [{"item": 1, "addon_to_positionid": 9}]}, 400, "create_positions"),
]


@pytest.mark.parametrize(("body", "status", "field"), REFUSALS)
def test_a_change_of_positions_the_order_does_not_have_is_refused(api, order, body, status, field):
    response = post(api, order, body)

    assert response.status_code == status
    assert list(response.json()) == [field]
    assert live(order) == list(
        OrderPosition.objects.filter(order__code=order).values_list("positionid", "item_id")
    )


def test_an_unknown_item_is_a_400_naming_it(api, order):
    response = post(api, order, {"create_positions": [{"item": 999999}]})

    assert response.status_code == 400
    assert response.json()["code"] == "item_not_found"


def test_a_new_position_without_room_is_a_409_and_nothing_changes(api, order, shop):
    Quota.objects.filter(pk=shop.quota.pk).update(size=2)

    body = {"cancel_positions": [{"positionid": 1}], "create_positions": [{"item": shop.cheap.pk}] * 2}
    response = post(api, order, body)

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["quota"]) == ("quota_exceeded", shop.quota.pk)
    assert live(order) == [(1, shop.ticket.pk), (2, shop.ticket.pk)]
    assert pending(shop.quota) == 2


def test_a_canceled_order_does_not_change(api, order, shop):
    assert api.post(f"{BASE}orders/{order}/mark_canceled/", {}, format="json").status_code == 200

    response = post(api, order, {"create_positions": [{"item": shop.cheap.pk}]})

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["status"]) == ("order_state", "canceled")


def test_an_unknown_order_is_a_404(api, shop):
    response = post(api, "NOSUCH", {"create_positions": [{"item": shop.cheap.pk}]})

    assert response.status_code == 404


def test_changing_needs_can_change_orders(api_for, order, shop):
    viewer = api_for(all_events=True, can_view_orders=True)

    response = post(viewer, order, {"create_positions": [{"item": shop.cheap.pk}]})

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert live(order) == [(1, shop.ticket.pk), (2, shop.ticket.pk)]


def test_positions_are_named_by_their_id_as_pretix_names_them(api, order, shop):
    ids = dict(OrderPosition.objects.filter(order__code=order).values_list("positionid", "pk"))
    body = {
        "cancel_positions": [{"position": ids[1]}],
        "patch_positions": [{"position": ids[2], "body": {"price": "45.00"}}],
        "create_positions": [{"item": shop.cheap.pk, "addon_to": None}],
    }
    data = post(api, order, body).json()
    assert [(p["id"] == ids.get(p["positionid"]), p["price"], p["canceled"]) for p in data["positions"]] == [
        (True, "50.00", True), (True, "45.00", False), (False, "30.00", False),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cancel_positions": [{"position": 999999}]}, "cancel_positions"),
        ({"patch_positions": [{"position": 999999, "body": {"price": "1.00"}}]}, "patch_positions"),
        ({"create_positions": [{"item": 1, "addon_to": 999999}]}, "create_positions"),
        ({"cancel_positions": [{"position": 1, "positionid": 1}]}, "cancel_positions"),
        ({"cancel_positions": [{}]}, "cancel_positions"),
        ({"create_positions": [{"item": 1, "addon_to": 1, "addon_to_positionid": 1}]}, "create_positions"),
    ],
)
def test_a_position_id_that_is_not_the_orders_or_named_twice_is_refused(api, order, body, field):
    before = live(order)
    response = post(api, order, body)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert live(order) == before

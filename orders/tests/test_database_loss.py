"""A database connection lost in the middle of a checkout: 503 ``unavailable``, nothing written.

The backend serving the request is terminated from a second connection after the order and its
positions were inserted and before the code's use is recorded, as an operator's
``pg_terminate_backend`` or a database failover would. PostgreSQL only: it needs a server
process to kill; the test runs outside a test transaction so the rollback is the database's.
"""

from __future__ import annotations

import importlib
from decimal import Decimal

import psycopg
import pytest
from django.db import connection

from orders.models import Order, OrderPosition, Redemption
from orders.tests.conftest import pos
from vouchers.models import Coupon
from vouchers.tests.factories import CouponFactory

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]

commit_module = importlib.import_module("orders.checkout.commit")


def terminate_own_backend() -> None:
    """Kill the server process behind Django's connection, from another connection."""
    pid = connection.connection.info.backend_pid
    settings = connection.get_connection_params()
    with psycopg.connect(**settings, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def dies_before_redeeming(monkeypatch):
    real_redeem = commit_module.redeem

    def redeem(*args, **kwargs):
        terminate_own_backend()
        return real_redeem(*args, **kwargs)

    monkeypatch.setattr(commit_module, "redeem", redeem)


def test_a_connection_killed_mid_checkout_answers_503_and_writes_nothing(
    organizer, shop, buy, dies_before_redeeming
):
    coupon = CouponFactory(series__organizer=organizer, series__single_usage=True)

    response = buy([pos(shop.ticket), pos(shop.ticket)], codes=[coupon.code])
    connection.close()  # the test client keeps the dead connection; a server would drop it

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "unavailable"
    assert Order.objects.count() == 0
    assert OrderPosition.objects.count() == 0
    assert Redemption.objects.count() == 0
    assert Coupon.objects.get(pk=coupon.pk).used_orders == 0


def test_after_the_loss_the_next_checkout_reconnects_and_the_code_is_still_usable(
    organizer, shop, buy, monkeypatch, dies_before_redeeming
):
    coupon = CouponFactory(series__organizer=organizer, series__single_usage=True)
    assert buy([pos(shop.ticket)], codes=[coupon.code]).status_code == 503
    connection.close()
    monkeypatch.undo()

    response = buy([pos(shop.ticket)], codes=[coupon.code])

    assert response.status_code == 201, response.json()
    assert Order.objects.count() == 1
    assert Coupon.objects.get(pk=coupon.pk).used_orders == 1
    assert Decimal(response.json()["total"]) < Decimal("50.00")


def test_a_database_that_cannot_be_reached_answers_503_as_json_under_api(api, settings, monkeypatch):
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "PORT", "1")  # nothing listens there

    try:
        response = api.get("/api/v1/organizers/demo-org/events/")
    finally:
        connection.close()
        monkeypatch.undo()

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "code": "unavailable",
        "detail": "The service is unavailable for a moment; nothing was changed. Please retry.",
    }

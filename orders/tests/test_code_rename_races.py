"""A code renamed while an order uses it, at the same moment, in two processes: never both.

Either the order comes first and keeps the code it used (the rename is a 409 naming ``code``), or the
rename comes first and the order no longer finds the old text (400 ``invalid``). An order whose code
was renamed after it used it would name a code that does not exist. PostgreSQL only (row locks).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core.tests.processes import at_the_same_moment
from orders.models import Redemption
from orders.tests.conftest import BASE, pos
from ticketing.tests.factories import ItemFactory, QuotaFactory, TeamFactory, make_token
from vouchers.tests.factories import CouponFactory, VoucherFactory

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]

TRIES = 10
ORG = "/api/v1/organizers/demo-org/"
TOKEN: list[str] = []


def client() -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {TOKEN[0]}")
    return api


@pytest.fixture
def ticket(organizer, event):
    TOKEN[:] = [make_token(TeamFactory(organizer=organizer, all_permissions=True, all_events=True))]
    item = ItemFactory(event=event, default_price=Decimal("50.00"))
    QuotaFactory(event=event, size=1000, items=[item])
    return item


def order(item, code: str, *, voucher: bool) -> tuple[int, dict]:
    position = pos(item, voucher=code) if voucher else pos(item)
    body = {"email": "buyer@example.com", "positions": [position], "codes": [] if voucher else [code]}
    response = client().post(BASE + "orders/", body, format="json")
    return response.status_code, response.json()


def rename(url: str, code: str) -> tuple[int, dict]:
    response = client().patch(url, {"code": code}, format="json")
    return response.status_code, response.json()


@pytest.mark.parametrize("kind", ["coupon", "voucher"])
def test_a_code_renamed_while_an_order_uses_it_is_either_used_or_renamed(organizer, event, ticket, kind):
    urls = {}
    for attempt in range(TRIES):
        text = f"USE-ME-{attempt:02d}"
        if kind == "coupon":
            urls[text] = f"{ORG}coupons/{CouponFactory(series__organizer=organizer, code=text).pk}/"
        else:
            urls[text] = (
                f"{ORG}events/conf/vouchers/{VoucherFactory(event=event, code=text, max_usages=5).pk}/"
            )
    used = "This coupon has been used" if kind == "coupon" else "This voucher has been redeemed"
    in_use = (409, {"code": "coupon_in_use" if kind == "coupon" else "voucher_redeemed",
                    "detail": f"{used}: its code cannot change.", "field": "code"})  # fmt: skip
    tries = at_the_same_moment(
        [
            lambda i: order(ticket, f"USE-ME-{i:02d}", voucher=kind == "voucher"),
            lambda i: rename(urls[f"USE-ME-{i:02d}"], f"RENAMED-{i:02d}"),
        ],
        TRIES,
    )
    for attempt, ((ordered, order_body), (renamed, rename_body)) in enumerate(tries):
        text = f"USE-ME-{attempt:02d}"
        if ordered == 201:
            assert (renamed, rename_body) == in_use, text
            assert Redemption.objects.filter(code=text).count() == 1
        else:
            assert renamed == 200, (text, rename_body)
            assert (ordered, order_body["code"]) == (400, "invalid"), text
            assert not Redemption.objects.filter(code=text).exists()

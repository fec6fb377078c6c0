"""An order's money over HTTP: mark_paid with an amount, payments and refunds as resources, fees on a new
order, and a cancel that keeps a fee (docs/orders.md, "Payments, refunds and fees")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.models import Order, OrderFee, OrderPayment, OrderRefund, ProductSales
from orders.tests.conftest import BASE, pos
from vouchers.selectors import gift_card_balance
from vouchers.tests.factories import GiftCardFactory

pytestmark = pytest.mark.django_db
D = Decimal
ORDERS = BASE + "orders/"


def place(buy, shop, **body) -> dict:
    response = buy([pos(shop.ticket), pos(shop.cheap)], **body)  # 50.00 + 30.00
    assert response.status_code == 201, response.json()
    return response.json()


def money(body: dict) -> tuple[str, str, str, str]:
    return body["status"], body["total"], body["payment_balance"], body["amount_due"]


def sold(shop, status: str) -> int:
    return sum(
        ProductSales.objects.filter(item__in=[shop.ticket, shop.cheap], status=status).values_list(
            "quantity", flat=True
        )
    )


# --- mark_paid -------------------------------------------------------------------------------------


def test_mark_paid_without_a_body_is_a_confirmed_manual_payment_of_what_is_due(api, buy, shop):
    order = place(buy, shop)
    response = api.post(ORDERS + f"{order['code']}/mark_paid/", {}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert money(body) == ("p", "80.00", "0.00", "0.00")
    assert [(p["local_id"], p["provider"], p["state"], p["amount"]) for p in body["payments"]] == [
        (1, "manual", "confirmed", "80.00")
    ]
    assert body["payments"][0]["payment_date"] is not None
    assert (sold(shop, "pending"), sold(shop, "paid")) == (0, 2)


def test_a_partial_payment_leaves_the_order_pending_and_the_rest_due(api, buy, shop):
    order = place(buy, shop)
    url = ORDERS + f"{order['code']}/mark_paid/"
    first = api.post(
        url, {"amount": "30.00", "provider": "banktransfer", "info": {"ref": "A1"}}, format="json"
    )
    assert money(first.json()) == ("n", "80.00", "50.00", "50.00")
    assert first.json()["payments"][0]["info"] == {"ref": "A1"}
    second = api.post(url, {"amount": "60.00"}, format="json")  # 10.00 too much
    assert money(second.json()) == ("p", "80.00", "-10.00", "0.00")
    assert [p["amount"] for p in second.json()["payments"]] == ["30.00", "60.00"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-1.00"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"provider": "giftcard"}, "provider"),
        ({"provider": "Bank Transfer"}, "provider"),
        ({"send_email": True}, "send_email"),
        ({"comment": "x"}, "comment"),
    ],
)
def test_mark_paid_refuses_a_bad_body_naming_the_field(api, buy, shop, body, field):
    order = place(buy, shop)
    response = api.post(ORDERS + f"{order['code']}/mark_paid/", body, format="json")
    assert response.status_code == 400
    assert field in str(response.json())
    assert not OrderPayment.objects.exists()


def test_mark_paid_of_a_paid_order_is_a_409(api, buy, shop):
    order = place(buy, shop)
    api.post(ORDERS + f"{order['code']}/mark_paid/", {}, format="json")
    again = api.post(ORDERS + f"{order['code']}/mark_paid/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "order_state")
    assert OrderPayment.objects.count() == 1


# --- payments --------------------------------------------------------------------------------------


def test_a_payment_is_created_then_confirmed_and_pays_the_order(api, buy, shop):
    order = place(buy, shop)
    payments = ORDERS + f"{order['code']}/payments/"
    created = api.post(
        payments, {"provider": "stripe", "amount": "80.00", "info": {"intent": "pi_1"}}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["local_id"], created.json()["state"], created.json()["payment_date"]) == (
        1,
        "created",
        None,
    )
    assert api.get(ORDERS + f"{order['code']}/").json()["status"] == "n"
    confirmed = api.post(payments + "1/confirm/", {}, format="json")
    assert (confirmed.status_code, confirmed.json()["state"]) == (200, "confirmed")
    assert money(api.get(ORDERS + f"{order['code']}/").json()) == ("p", "80.00", "0.00", "0.00")
    assert [p["local_id"] for p in api.get(payments).json()] == [1]
    assert api.get(payments + "1/").json()["provider"] == "stripe"


def test_a_payment_created_confirmed_pays_at_once(api, buy, shop):
    order = place(buy, shop)
    response = api.post(
        ORDERS + f"{order['code']}/payments/",
        {"provider": "manual", "amount": "80.00", "state": "confirmed"},
        format="json",
    )
    assert response.json()["state"] == "confirmed"
    assert api.get(ORDERS + f"{order['code']}/").json()["status"] == "p"


def test_payment_state_changes_refused_in_the_wrong_state(api, buy, shop):
    order = place(buy, shop)
    payments = ORDERS + f"{order['code']}/payments/"
    api.post(payments, {"provider": "stripe", "amount": "10.00"}, format="json")
    assert api.post(payments + "1/cancel/", {}, format="json").json()["state"] == "canceled"
    again = api.post(payments + "1/confirm/", {}, format="json")
    assert (again.status_code, again.json()["code"], again.json()["state"]) == (
        409,
        "payment_state",
        "canceled",
    )
    cancel = api.post(payments + "1/cancel/", {}, format="json")
    assert (cancel.status_code, cancel.json()["code"]) == (409, "payment_state")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "10.00"}, "provider"),
        ({"provider": "stripe"}, "amount"),
        ({"provider": "stripe", "amount": "0.00"}, "amount"),
        ({"provider": "stripe", "amount": "10.00", "state": "refunded"}, "state"),
        ({"provider": "giftcard", "amount": "10.00"}, "provider"),
        ({"provider": "stripe", "amount": "10.00", "fee": "1.00"}, "fee"),
    ],
)
def test_a_bad_payment_body_is_refused_naming_the_field(api, buy, shop, body, field):
    order = place(buy, shop)
    response = api.post(ORDERS + f"{order['code']}/payments/", body, format="json")
    assert response.status_code == 400
    assert field in str(response.json())
    assert not OrderPayment.objects.exists()


def test_confirm_with_force_is_refused(api, buy, shop):
    order = place(buy, shop)
    payments = ORDERS + f"{order['code']}/payments/"
    api.post(payments, {"provider": "stripe", "amount": "80.00"}, format="json")
    response = api.post(payments + "1/confirm/", {"force": True}, format="json")
    assert response.status_code == 400 and "force" in response.json()
    assert OrderPayment.objects.get().state == "created"


def test_payments_of_an_unknown_order_or_payment_are_404(api, buy, shop):
    order = place(buy, shop)
    assert api.get(ORDERS + "NOSUCHORDER/payments/").status_code == 404
    assert api.get(ORDERS + f"{order['code']}/payments/7/").status_code == 404
    assert api.post(ORDERS + f"{order['code']}/payments/7/confirm/", {}, format="json").status_code == 404


# --- refunds ---------------------------------------------------------------------------------------


def paid(api, buy, shop) -> dict:
    order = place(buy, shop)
    api.post(ORDERS + f"{order['code']}/mark_paid/", {"provider": "banktransfer"}, format="json")
    return order


def test_a_payment_refunded_in_part_then_in_full(api, buy, shop):
    order = paid(api, buy, shop)
    url = ORDERS + f"{order['code']}/"
    part = api.post(url + "payments/1/refund/", {"amount": "30.00", "comment": "one ticket"}, format="json")
    assert part.status_code == 201, part.json()
    assert (part.json()["state"], part.json()["provider"], part.json()["payment"]) == (
        "created",
        "banktransfer",
        1,
    )
    assert api.get(url).json()["payment_balance"] == "0.00"  # not done yet: no money left
    done = api.post(url + "refunds/1/done/", {}, format="json")
    assert (done.json()["state"], done.json()["execution_date"] is not None) == ("done", True)
    body = api.get(url).json()
    assert money(body) == ("p", "80.00", "30.00", "30.00")  # the order stays paid; 30.00 is owed again
    rest = api.post(url + "payments/1/refund/", {}, format="json")  # all that is left: 50.00
    assert rest.json()["amount"] == "50.00"
    api.post(url + "refunds/2/done/", {}, format="json")
    assert api.get(url + "payments/1/").json()["state"] == "refunded"


def test_a_refund_larger_than_what_is_left_is_a_409(api, buy, shop):
    order = paid(api, buy, shop)
    url = ORDERS + f"{order['code']}/"
    api.post(url + "payments/1/refund/", {"amount": "50.00"}, format="json")
    response = api.post(url + "payments/1/refund/", {"amount": "30.01"}, format="json")
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["refundable"], response.json()["payment"]) == (
        "refund_too_large",
        "30.00",
        1,
    )
    assert OrderRefund.objects.count() == 1


def test_a_refund_canceled_gives_its_room_back(api, buy, shop):
    order = paid(api, buy, shop)
    url = ORDERS + f"{order['code']}/"
    api.post(url + "payments/1/refund/", {}, format="json")
    assert api.post(url + "refunds/1/cancel/", {}, format="json").json()["state"] == "canceled"
    assert api.post(url + "payments/1/refund/", {"amount": "80.00"}, format="json").status_code == 201
    again = api.post(url + "refunds/1/done/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "refund_state")


def test_a_refund_created_through_refunds_names_a_payment_or_a_provider(api, buy, shop):
    order = paid(api, buy, shop)
    refunds = ORDERS + f"{order['code']}/refunds/"
    no_provider = api.post(refunds, {"amount": "5.00"}, format="json")
    assert no_provider.status_code == 400 and "provider" in no_provider.json()
    no_payment = api.post(refunds, {"amount": "5.00", "payment": 9}, format="json")
    assert no_payment.status_code == 400 and "payment" in no_payment.json()
    done = api.post(
        refunds, {"amount": "5.00", "provider": "cash", "state": "done", "source": "buyer"}, format="json"
    )
    assert done.status_code == 201, done.json()
    assert (done.json()["payment"], done.json()["state"], done.json()["source"]) == (None, "done", "buyer")
    too_much = api.post(refunds, {"amount": "75.01", "provider": "cash"}, format="json")
    assert (too_much.status_code, too_much.json()["refundable"]) == (409, "75.00")
    listed = api.get(refunds).json()
    assert [(r["local_id"], r["amount"]) for r in listed] == [(1, "5.00")]


def test_refund_with_mark_canceled_cancels_the_order(api, buy, shop):
    order = paid(api, buy, shop)
    url = ORDERS + f"{order['code']}/"
    response = api.post(url + "payments/1/refund/", {"mark_canceled": True}, format="json")
    assert response.status_code == 201
    body = api.get(url).json()
    assert body["status"] == "c"
    assert (sold(shop, "pending"), sold(shop, "paid")) == (0, 0)


def test_a_gift_card_payment_is_refunded_to_its_card_at_once(api, buy, shop, organizer):
    card = GiftCardFactory(organizer=organizer, code="GIFT-TWENTY", value=D("20.00"))
    order = place(buy, shop, gift_cards=["GIFT-TWENTY"])
    url = ORDERS + f"{order['code']}/"
    assert (
        order["payments"][0]["provider"] == "giftcard" and order["payments"][0]["gift_card"] == "GIFT-TWENTY"
    )
    response = api.post(url + "payments/1/refund/", {"amount": "5.00"}, format="json")
    assert (response.json()["state"], response.json()["provider"]) == ("done", "giftcard")
    assert gift_card_balance(card) == D("5.00")
    assert api.get(url).json()["amount_due"] == "65.00"


# --- fees ------------------------------------------------------------------------------------------


def test_fees_on_a_new_order_are_in_its_total(buy, shop):
    body = place(buy, shop, fees=[
        {"fee_type": "service", "value": "2.50", "description": "Service"},
        {"fee_type": "shipping", "value": "4.00", "internal_type": "dhl"},
    ], expected_total="86.50")  # fmt: skip
    assert (body["total"], body["fee_total"], body["list_total"]) == ("86.50", "6.50", "80.00")
    assert body["fees"] == [
        {
            "fee_type": "service",
            "value": "2.50",
            "description": "Service",
            "internal_type": "",
            "canceled": False,
        },
        {
            "fee_type": "shipping",
            "value": "4.00",
            "description": "",
            "internal_type": "dhl",
            "canceled": False,
        },
    ]
    assert Order.objects.get().total == D("86.50") and OrderFee.objects.count() == 2


def test_a_simulated_order_shows_its_fees_and_stores_none(buy, shop):
    body = place(buy, shop, fees=[{"fee_type": "service", "value": "2.50"}], simulate=True)
    assert (body["code"], body["total"], len(body["fees"])) == ("PREVIEW", "82.50", 1)
    assert not OrderFee.objects.exists()


@pytest.mark.parametrize(
    ("fee", "text"),
    [
        ({"fee_type": "tip", "value": "1.00"}, "fee_type"),
        ({"fee_type": "service", "value": "-1.00"}, "value"),
        ({"fee_type": "service", "value": "1.001"}, "value"),
        ({"fee_type": "service", "value": "1.00", "tax_rule": 3}, "Taxes are not computed"),
        ({"fee_type": "service", "value": "1.00", "tax_value": "0.19"}, "tax_value"),
    ],
)
def test_a_bad_fee_is_refused(buy, shop, fee, text):
    response = buy([pos(shop.ticket)], fees=[fee])
    assert response.status_code == 400
    assert text in str(response.json())
    assert not Order.objects.exists()


def test_the_deadline_can_be_set_per_order_and_must_be_in_the_future(buy, shop):
    body = place(buy, shop, expires="2099-01-31T12:00:00Z")
    assert body["expires"] == "2099-01-31T12:00:00Z"
    past = buy([pos(shop.ticket)], expires="2001-01-01T00:00:00Z")
    assert past.status_code == 400 and "expires" in past.json()


# --- cancel with a fee -----------------------------------------------------------------------------


def test_a_paid_order_canceled_with_a_fee_stays_paid_of_the_fee_and_states_the_refund_due(api, buy, shop):
    order = paid(api, buy, shop)
    url = ORDERS + f"{order['code']}/"
    response = api.post(
        url + "mark_canceled/", {"cancellation_fee": "10.00", "comment": "late"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["total"], body["fee_total"], body["list_total"]) == (
        "p",
        "10.00",
        "10.00",
        "0.00",
    )
    assert (body["payment_balance"], body["amount_due"]) == ("-70.00", "0.00")  # 70.00 is due back
    assert [p["canceled"] for p in body["positions"]] == [True, True]
    assert body["fees"] == [
        {
            "fee_type": "cancellation",
            "value": "10.00",
            "description": "late",
            "internal_type": "",
            "canceled": False,
        }
    ]
    assert (sold(shop, "pending"), sold(shop, "paid")) == (0, 0)
    refund = api.post(url + "payments/1/refund/", {"amount": "70.00"}, format="json")
    api.post(url + f"refunds/{refund.json()['local_id']}/done/", {}, format="json")
    assert api.get(url).json()["payment_balance"] == "0.00"


def test_a_pending_order_canceled_with_a_fee_stays_pending_for_the_fee(api, buy, shop):
    order = place(buy, shop)
    body = api.post(
        ORDERS + f"{order['code']}/mark_canceled/", {"cancellation_fee": "5.00"}, format="json"
    ).json()
    assert money(body) == ("n", "5.00", "5.00", "5.00")
    assert (sold(shop, "pending"), sold(shop, "paid")) == (0, 0)
    paid_fee = api.post(ORDERS + f"{order['code']}/mark_paid/", {}, format="json").json()
    assert money(paid_fee) == ("p", "5.00", "0.00", "0.00")


def test_a_fee_kept_from_gift_card_money_when_nothing_else_paid(api, buy, shop, organizer):
    card = GiftCardFactory(organizer=organizer, code="GIFT-ALL", value=D("100.00"))
    order = place(buy, shop, gift_cards=["GIFT-ALL"])  # paid by the card: 80.00
    assert order["status"] == "p"
    body = api.post(
        ORDERS + f"{order['code']}/mark_canceled/", {"cancellation_fee": "15.00"}, format="json"
    ).json()
    assert money(body) == ("p", "15.00", "0.00", "0.00")
    assert gift_card_balance(card) == D("85.00")  # 20.00 left + 65.00 back
    assert [(r["provider"], r["amount"], r["state"]) for r in body["refunds"]] == [
        ("giftcard", "65.00", "done")
    ]


@pytest.mark.parametrize(
    ("fee", "code_or_field"),
    [("-1.00", "cancellation_fee"), ("80.01", "cancellation_fee"), ("1.001", "cancellation_fee")],
)
def test_a_bad_cancellation_fee_is_refused_and_nothing_changes(api, buy, shop, fee, code_or_field):
    order = place(buy, shop)
    response = api.post(ORDERS + f"{order['code']}/mark_canceled/", {"cancellation_fee": fee}, format="json")
    assert response.status_code == 400
    assert code_or_field in response.json()
    assert Order.objects.get().status == "pending" and sold(shop, "pending") == 2


def test_mark_canceled_refuses_unknown_fields(api, buy, shop):
    order = place(buy, shop)
    response = api.post(ORDERS + f"{order['code']}/mark_canceled/", {"reason": "x"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


# --- rights ----------------------------------------------------------------------------------------


def test_reading_payments_needs_view_rights_and_writing_change_rights(api_for, buy, shop):
    order = place(buy, shop)
    reader = api_for(all_events=True, can_view_orders=True)
    assert reader.get(ORDERS + f"{order['code']}/payments/").status_code == 200
    refused = reader.post(
        ORDERS + f"{order['code']}/payments/", {"provider": "x", "amount": "1.00"}, format="json"
    )
    assert refused.status_code == 403
    nobody = api_for(all_events=True)
    assert nobody.get(ORDERS + f"{order['code']}/refunds/").status_code == 403

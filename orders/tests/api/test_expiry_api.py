"""Payment deadlines over HTTP: the periodic expiry freeing a place for a new checkout, and
``POST orders/<code>/mark_expired/`` and ``POST orders/<code>/extend/`` with every refusal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Order, Redemption
from orders.tasks import expire_orders_task
from orders.tests.conftest import BASE, pos
from ticketing.models import Quota
from ticketing.selectors import quota_availability
from ticketing.tests.factories import EventFactory, ItemFactory, OrganizerFactory, QuotaFactory
from vouchers.selectors import gift_card_balance
from vouchers.tests.factories import GiftCardFactory, PromoCodeFactory

pytestmark = pytest.mark.django_db
D = Decimal
ORDERS = BASE + "orders/"
HOUR = timedelta(hours=1)


@pytest.fixture
def ticket(event):
    """A ticket at 50.00 in a quota of 1."""
    item = ItemFactory(event=event, name="Ticket", default_price=D("50.00"))
    QuotaFactory(event=event, name="Hall", size=1, items=[item])
    return item


def bought(buy, item, *, deadline: timedelta = -HOUR, **body) -> str:
    """An order bought over HTTP, its payment deadline moved to now + ``deadline``; its code."""
    response = buy([pos(item)], **body)
    assert response.status_code == 201, response.json()
    code = response.json()["code"]
    Order.objects.filter(code=code).update(expires=timezone.now() + deadline)
    return code


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def status(code: str) -> str:
    return Order.objects.values_list("status", flat=True).get(code=code)


def refusal(response) -> tuple[int, str | None]:
    return response.status_code, response.json().get("code")


# --- the periodic expiry, seen from the shop -----------------------------------------------------


def test_after_the_deadline_one_run_of_the_task_frees_the_place_for_a_new_checkout(buy, ticket):
    first = bought(buy, ticket)
    assert refusal(buy([pos(ticket)])) == (409, "quota_exceeded")
    assert expire_orders_task.delay().get() == 1
    assert status(first) == "expired"
    response = buy([pos(ticket)])
    assert response.status_code == 201, response.json()
    assert response.json()["status_text"] == "pending"


def test_before_the_deadline_the_place_stays_sold(buy, ticket):
    first = bought(buy, ticket, deadline=HOUR)
    assert expire_orders_task.delay().get() == 0
    assert status(first) == "pending"
    response = buy([pos(ticket)])
    assert refusal(response) == (409, "quota_exceeded")
    assert response.json()["available"] == 0


# --- mark_expired --------------------------------------------------------------------------------


def test_mark_expired_answers_the_expired_order_and_gives_back_its_place_and_card_money(
    api, buy, organizer, ticket
):
    card = GiftCardFactory(organizer=organizer, value=D("20.00"))
    code = bought(buy, ticket, deadline=HOUR, gift_cards=[card.code])
    response = api.post(ORDERS + f"{code}/mark_expired/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["code"], body["status"], body["status_text"]) == (code, "e", "expired")
    assert body["gift_cards"] == [{"code": card.code, "amount": "20.00", "refunded": True}]
    assert (body["payment_balance"], body["amount_due"]) == ("0.00", "0.00")
    refunds = [(r["provider"], r["amount"], r["state"]) for r in body["refunds"]]
    assert refunds == [("giftcard", "20.00", "done")]
    assert gift_card_balance(card) == D("20.00")
    assert quota_availability(Quota.objects.get(items=ticket)).available_number == 1
    for status in ("e", "expired"):  # the list filter takes pretix's letter and the word
        listed = api.get(ORDERS, {"status": status}).json()
        assert [o["code"] for o in listed["results"]] == [code]
    assert api.get(ORDERS, {"status": "n"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("action", "state"),
    [("mark_paid", "paid"), ("mark_canceled", "canceled"), ("mark_expired", "expired")],
)
def test_mark_expired_refuses_an_order_that_is_not_pending(api, buy, ticket, action, state):
    code = bought(buy, ticket, deadline=HOUR)
    assert api.post(ORDERS + f"{code}/{action}/").status_code == 200
    response = api.post(ORDERS + f"{code}/mark_expired/")
    assert response.json() == {
        "code": "order_state", "detail": f"The order is {state}, not pending.", "status": state,
    }  # fmt: skip
    assert response.status_code == 409
    assert status(code) == state


def test_mark_expired_refuses_any_field(api, buy, ticket):
    code = bought(buy, ticket, deadline=HOUR)
    response = api.post(ORDERS + f"{code}/mark_expired/", {"force": True}, format="json")
    assert (response.status_code, response.json()) == (400, {"force": ["Unknown field."]})
    assert status(code) == "pending"


# --- extend --------------------------------------------------------------------------------------


def test_extend_moves_a_pending_orders_deadline(api, buy, ticket):
    code = bought(buy, ticket, deadline=HOUR)
    later = (timezone.now() + 72 * HOUR).replace(microsecond=0)
    response = api.post(ORDERS + f"{code}/extend/", {"expires": iso(later)}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status_text"], response.json()["expires"]) == ("pending", iso(later))
    assert Order.objects.get(code=code).expires == later


def test_extend_revives_an_expired_order_with_room(api, buy, organizer, ticket):
    promo = PromoCodeFactory(series__organizer=organizer, series__single_usage=True)
    card = GiftCardFactory(organizer=organizer, value=D("10.00"))
    code = bought(buy, ticket, codes=[promo.code], gift_cards=[card.code])
    expire_orders_task.delay()
    later = (timezone.now() + HOUR).replace(microsecond=0)
    response = api.post(ORDERS + f"{code}/extend/", {"expires": iso(later), "force": False}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status_text"], body["expires"], body["total"]) == ("pending", iso(later), "45.00")
    # The card's 10.00 went back to it at expiry and is not taken again: the whole total is due.
    assert (body["payment_balance"], body["amount_due"]) == ("45.00", "45.00")
    assert gift_card_balance(card) == D("10.00")
    assert [r["code"] for r in body["redemptions"]] == [promo.code]
    assert not Redemption.objects.get(order__code=code).reversed
    promo.refresh_from_db()
    assert (promo.used_orders, promo.active) == (1, False)
    assert quota_availability(Quota.objects.get(items=ticket)).pending_orders == 1


def test_extend_of_an_expired_order_whose_place_was_sold_is_a_409_and_nothing_changes(api, buy, ticket):
    code = bought(buy, ticket)
    expire_orders_task.delay()
    bought(buy, ticket, deadline=HOUR)  # someone else takes the place
    expires = Order.objects.get(code=code).expires
    response = api.post(ORDERS + f"{code}/extend/", {"expires": iso(timezone.now() + HOUR)}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "code": "quota_exceeded", "detail": "Quota 'Hall' has not enough left for this order.",
        "quota": Quota.objects.get(items=ticket).pk, "available": 0,
    }  # fmt: skip
    assert Order.objects.values_list("status", "expires").get(code=code) == ("expired", expires)


def test_extend_of_an_expired_order_whose_single_use_code_was_used_names_the_code(
    api, buy, organizer, ticket
):
    Quota.objects.filter(items=ticket).update(size=5)
    promo = PromoCodeFactory(series__organizer=organizer, series__single_usage=True)
    code = bought(buy, ticket, codes=[promo.code])
    expire_orders_task.delay()
    bought(buy, ticket, deadline=HOUR, codes=[promo.code])
    response = api.post(ORDERS + f"{code}/extend/", {"expires": iso(timezone.now() + HOUR)}, format="json")
    body = response.json()
    assert (response.status_code, body["code"], body["code_text"], body["kind"]) == (
        400, "exhausted", promo.code, "promo_code",
    )  # fmt: skip
    assert status(code) == "expired"


FUTURE = "2999-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("case", "body", "field", "message"),
    [
        ("a deadline in the past", {"expires": "2020-01-01T00:00:00Z"}, "expires",
         "The new payment deadline must be in the future."),
        ("force", {"expires": FUTURE, "force": True}, "force",
         "Not supported: an order is only extended when its quotas have room (it is never oversold)."),
        ("no deadline", {}, "expires", "This field is required."),
        ("not a date", {"expires": "tomorrow"}, "expires", None),
        ("an unknown field", {"expires": FUTURE, "comment": "x"}, "comment", "Unknown field."),
        ("force as a string", {"expires": FUTURE, "force": "yes"}, "force", None),
    ],
)  # fmt: skip
def test_extend_refuses_bad_input_naming_the_field(api, buy, ticket, case, body, field, message):
    code = bought(buy, ticket)
    response = api.post(ORDERS + f"{code}/extend/", body, format="json")
    assert (response.status_code, list(response.json())) == (400, [field]), case
    if message is not None:
        assert response.json()[field] == [message], case
    assert status(code) == "pending"


@pytest.mark.parametrize("action", ["mark_paid", "mark_canceled"])
def test_extend_refuses_a_paid_or_canceled_order(api, buy, ticket, action):
    code = bought(buy, ticket, deadline=HOUR)
    api.post(ORDERS + f"{code}/{action}/")
    response = api.post(ORDERS + f"{code}/extend/", {"expires": iso(timezone.now() + HOUR)}, format="json")
    assert refusal(response) == (409, "order_state")


# --- who may, and what is addressed --------------------------------------------------------------


@pytest.mark.parametrize("action", ["mark_expired", "extend"])
def test_the_actions_need_can_change_orders(api_for, buy, ticket, action):
    code = bought(buy, ticket, deadline=HOUR)
    viewer = api_for(all_events=True, can_view_orders=True)
    body = {"expires": iso(timezone.now() + HOUR)} if action == "extend" else {}
    response = viewer.post(ORDERS + f"{code}/{action}/", body, format="json")
    assert refusal(response) == (403, "permission_denied")
    assert status(code) == "pending"


@pytest.mark.parametrize("action", ["mark_expired", "extend"])
def test_an_unknown_order_or_one_of_another_event_is_a_404(api, buy, event, ticket, action):
    other = EventFactory(organizer=event.organizer, slug="other")
    other_item = ItemFactory(event=other)
    QuotaFactory(event=other, size=5, items=[other_item])
    order = api.post(
        f"/api/v1/organizers/{event.organizer.slug}/events/other/orders/",
        {"email": "a@example.com", "positions": [pos(other_item)]}, format="json",
    ).json()  # fmt: skip
    body = {"expires": iso(timezone.now() + HOUR)} if action == "extend" else {}
    assert api.post(ORDERS + f"{order['code']}/{action}/", body, format="json").status_code == 404
    assert api.post(ORDERS + f"NOSUCHORDER/{action}/", body, format="json").status_code == 404
    assert status(order["code"]) == "pending"


def test_another_organizers_order_is_a_403(api, event):
    OrganizerFactory(slug="other-org")
    response = api.post("/api/v1/organizers/other-org/events/conf/orders/ABC/mark_expired/")
    assert refusal(response) == (403, "permission_denied")

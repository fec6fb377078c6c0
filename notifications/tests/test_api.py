"""GET /api/v1/organizers/<o>/notifications/ and /<id>/: what a team may read, the filters, the cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Notification
from notifications.services import announce
from notifications.tests.factories import NotificationFactory
from notifications.types import NotificationType as T
from ticketing.tests.factories import EventFactory, OrganizerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/organizers/demo-org/notifications/"
T0 = datetime(2030, 5, 17, 10, 0, tzinfo=UTC)


@pytest.fixture
def other_event(organizer):
    return EventFactory(organizer=organizer, slug="fest", name="Festival")


@pytest.fixture
def rows(organizer, event, other_event):
    """Four notifications, a minute apart: two of ``conf``'s order ABC12, one of ``fest``, one gift card."""
    made = {
        "placed": dict(type=T.ORDER_PLACED, event=event, order_code="ABC12", data={"total": "46.00"}),
        "paid": dict(type=T.ORDER_PAID, event=event, order_code="ABC12", data={"amount": "46.00"}),
        "fest": dict(type=T.ORDER_CANCELED, event=other_event, order_code="XYZ99", data={"status": "p"}),
        "card": dict(type=T.GIFTCARD_TRANSACTION, event=None, data={"value": "-5.00", "balance": "5.00"}),
    }
    return {
        name: NotificationFactory(organizer=organizer, created=T0 + timedelta(minutes=n), **fields)
        for n, (name, fields) in enumerate(made.items())
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_the_list_shows_each_notification_in_the_order_written(api, rows):
    response = api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (4, None, None)
    placed, paid, fest, card = (rows[name].pk for name in ("placed", "paid", "fest", "card"))
    assert body["results"] == [
        {"id": placed, "type": "order.placed", "created": "2030-05-17T10:00:00Z", "organizer": "demo-org",
         "event": "conf", "order": "ABC12", "data": {"total": "46.00"}},
        {"id": paid, "type": "order.paid", "created": "2030-05-17T10:01:00Z", "organizer": "demo-org",
         "event": "conf", "order": "ABC12", "data": {"amount": "46.00"}},
        {"id": fest, "type": "order.canceled", "created": "2030-05-17T10:02:00Z", "organizer": "demo-org",
         "event": "fest", "order": "XYZ99", "data": {"status": "p"}},
        {"id": card, "type": "giftcard.transaction", "created": "2030-05-17T10:03:00Z",
         "organizer": "demo-org", "event": None, "order": None,
         "data": {"value": "-5.00", "balance": "5.00"}},
    ]  # fmt: skip


def test_one_notification(api, rows):
    response = api.get(f"{URL}{rows['card'].pk}/")
    assert response.status_code == 200
    assert response.json()["type"] == "giftcard.transaction"


def test_what_announce_wrote_is_listed(api, event):
    with transaction.atomic():
        written = announce(
            type=T.ORDER_PAID, organizer_id=event.organizer_id, event_id=event.pk, order_code="QQ7",
            data={"amount": "12.50"}, now=T0,
        )  # fmt: skip
    assert api.get(URL).json()["results"] == [
        {"id": written.pk, "type": "order.paid", "created": "2030-05-17T10:00:00Z", "organizer": "demo-org",
         "event": "conf", "order": "QQ7", "data": {"amount": "12.50"}}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=order.paid", ["paid"]),
        ("type=order.paid&type=giftcard.transaction", ["paid", "card"]),
        ("type=order.paid,order.placed", ["placed", "paid"]),
        ("event=conf", ["placed", "paid"]),
        ("event=fest", ["fest"]),
        ("event=nowhere", []),
        ("order=ABC12", ["placed", "paid"]),
        ("order=XYZ99&type=order.canceled", ["fest"]),
        ("created_since=2030-05-17T10:01:00Z", ["paid", "fest", "card"]),
        ("created_before=2030-05-17T10:01:00Z", ["placed"]),
        ("created_since=2030-05-17T12:01:00%2B02:00&created_before=2030-05-17T10:03:00Z", ["paid", "fest"]),
    ],
)
def test_filters(api, rows, query, expected):
    assert ids(api.get(f"{URL}?{query}")) == [rows[name].pk for name in expected]


def test_after_an_id_lists_only_what_came_later(api, rows):
    assert ids(api.get(f"{URL}?after={rows['paid'].pk}")) == [rows["fest"].pk, rows["card"].pk]
    assert ids(api.get(f"{URL}?after={rows['card'].pk}")) == []


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("type=order.shipped", "type", "order.shipped is not one of the available choices"),
        ("type=order.paid,nonsense", "type", "nonsense is not one of the available choices"),
        ("type=", "type", "A value is required"),
        ("created_since=yesterday", "created_since", "Enter a valid date/time."),
        ("created_before=2030-13-01T00:00:00Z", "created_before", "Enter a valid date/time."),
        ("after=0", "after", "greater than or equal to 1"),
        ("after=abc", "after", "Enter a whole number."),
        ("ordering=-id", "ordering", "Unknown query parameter."),
        ("page=2", "page", "Unknown query parameter."),
        ("page_size=0", "page_size", "A whole number from 1 to 1000 is required."),
        ("page_size=1001", "page_size", "A whole number from 1 to 1000 is required."),
        ("cursor=not-a-cursor", "cursor", "Not a cursor this list gave out"),
        ("cursor=cD1hYmM%3D", "cursor", "Not a cursor this list gave out"),  # p=abc
        ("cursor=cD05OTk5OTk5OTk5OTk5OTk5OTk5OQ%3D%3D", "cursor", "Not a cursor"),  # p=9999999999999999999
    ],
)
def test_bad_parameters_are_a_400_naming_them(api, rows, query, field, message):
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 400, response.json()
    assert list(response.json()) == [field]
    assert message in response.json()[field][0]


def test_pages_are_linked_by_cursors_in_the_order_of_the_ids(api, rows):
    everything = [rows[n].pk for n in ("placed", "paid", "fest", "card")]
    first = api.get(f"{URL}?page_size=3").json()
    assert ([r["id"] for r in first["results"]], first["count"], first["previous"]) == (
        everything[:3],
        4,
        None,
    )
    second = api.get(first["next"]).json()
    assert ([r["id"] for r in second["results"]], second["count"], second["next"]) == (
        everything[3:],
        4,
        None,
    )
    back = api.get(second["previous"]).json()
    assert [r["id"] for r in back["results"]] == everything[:3]


def test_a_notification_written_meanwhile_comes_on_the_next_page_once(api, rows, organizer, event):
    first = api.get(f"{URL}?page_size=4").json()
    assert first["next"] is None
    # the poller keeps the last id it saw and asks for what came after it
    last = first["results"][-1]["id"]
    new = NotificationFactory(organizer=organizer, event=event, type=T.ORDER_EXPIRED, created=timezone.now())
    assert ids(api.get(f"{URL}?after={last}")) == [new.pk]
    assert ids(api.get(f"{URL}?after={new.pk}")) == []


def test_the_list_takes_as_many_queries_for_one_row_as_for_many(api, organizer, event):
    NotificationFactory(organizer=organizer, event=event)
    with CaptureQueriesContext(connection) as one:
        assert len(ids(api.get(URL))) == 1
    NotificationFactory.create_batch(5, organizer=organizer, event=event)
    NotificationFactory.create_batch(2, organizer=organizer, event=EventFactory(organizer=organizer))
    with CaptureQueriesContext(connection) as eight:
        assert len(ids(api.get(URL))) == 8
    assert len(eight) == len(one)


# ----------------------------------------------------------------------------------------------- rights


def test_a_team_limited_to_an_event_reads_that_events_notifications_only(api_for, rows, event):
    clerk = api_for(all_events=False, limit_events=[event], can_view_orders=True, can_view_vouchers=True)
    assert ids(clerk.get(URL)) == [rows["placed"].pk, rows["paid"].pk]
    assert clerk.get(f"{URL}{rows['fest'].pk}/").status_code == 404
    assert clerk.get(f"{URL}{rows['card'].pk}/").status_code == 404  # gift cards: a team with all events


def test_gift_card_notifications_need_a_team_with_all_events_reading_vouchers(api_for, rows):
    cards = api_for(all_events=True, can_view_vouchers=True)
    assert ids(cards.get(URL)) == [rows["card"].pk]
    assert cards.get(f"{URL}{rows['paid'].pk}/").status_code == 404  # orders need can_view_orders


def test_a_team_reading_orders_of_all_events_does_not_read_gift_cards_without_the_right(api_for, rows):
    orders = api_for(all_events=True, can_view_orders=True)
    assert ids(orders.get(URL)) == [rows[n].pk for n in ("placed", "paid", "fest")]


def test_a_team_reading_neither_orders_nor_gift_cards_is_refused(api_for, event, rows):
    nothing = api_for(all_events=True, can_change_items=True, can_view_vouchers=False)
    limited_vouchers = api_for(all_events=False, limit_events=[event], can_view_vouchers=True)
    for client in (nothing, limited_vouchers):
        response = client.get(URL)
        assert response.status_code == 403
        assert "can_view_orders" in response.json()["detail"]
        assert client.get(f"{URL}{rows['placed'].pk}/").status_code == 403


def test_another_organizers_notifications_are_out_of_reach(api, anon, rows):
    foreign = NotificationFactory(organizer=OrganizerFactory(slug="other-org"), type=T.ORDER_PAID)
    assert api.get(f"{URL}{foreign.pk}/").status_code == 404
    assert foreign.pk not in ids(api.get(URL))
    assert api.get("/api/v1/organizers/other-org/notifications/").status_code == 403
    assert api.get("/api/v1/organizers/no-such-org/notifications/").status_code == 403
    assert anon.get(URL).status_code == 401


def test_the_list_is_read_only(api, rows):
    assert api.post(URL, {"type": "order.paid"}, format="json").status_code == 405
    assert api.delete(f"{URL}{rows['paid'].pk}/").status_code == 405
    assert Notification.objects.count() == 4

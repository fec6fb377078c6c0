"""``announce`` and ``announce_many``: the rows are written in the caller's transaction, or not at all."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from notifications.handlers import Handler
from notifications.models import Delivery, DeliveryState, Notification
from notifications.services import NotificationSpec, announce, announce_many
from notifications.tests.conftest import Recorder
from notifications.types import WHEN
from notifications.types import NotificationType as T
from ticketing.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


class ChangeFailed(Exception):
    """The change that announced something fails afterwards."""


NOW = datetime(2030, 5, 17, 10, 30, tzinfo=UTC)


@pytest.fixture
def two_handlers(handlers):
    """``mails`` reacts to paid orders only, ``webhooks`` to everything."""
    handlers(
        Handler(name="mails", func=Recorder(), types=frozenset({T.ORDER_PAID})),
        Handler(name="webhooks", func=Recorder(), types=None),
    )


def test_announce_writes_the_notification_and_a_delivery_per_matching_handler(two_handlers, event):
    with transaction.atomic():
        paid = announce(
            type=T.ORDER_PAID, organizer_id=event.organizer_id, event_id=event.pk, order_code="ABC12",
            data={"amount": "23.00"}, now=NOW,
        )  # fmt: skip
        placed = announce(
            type=T.ORDER_PLACED, organizer_id=event.organizer_id, event_id=event.pk, order_code="ABC12",
            data={}, now=NOW,
        )  # fmt: skip
    stored = Notification.objects.get(pk=paid.pk)
    assert (stored.type, stored.created, stored.organizer_id, stored.event_id) == (
        "order.paid",
        NOW,
        event.organizer_id,
        event.pk,
    )
    assert (stored.order_code, stored.data) == ("ABC12", {"amount": "23.00"})
    deliveries = Delivery.objects.order_by("notification_id", "handler")
    assert [(d.notification_id, d.handler, d.state, d.attempts, d.next_attempt) for d in deliveries] == [
        (paid.pk, "mails", DeliveryState.PENDING, 0, NOW),
        (paid.pk, "webhooks", DeliveryState.PENDING, 0, NOW),
        (placed.pk, "webhooks", DeliveryState.PENDING, 0, NOW),
    ]


def test_an_organizer_wide_notification_has_no_event_and_no_order(two_handlers, organizer):
    with transaction.atomic():
        card = announce(
            type=T.GIFTCARD_TRANSACTION, organizer_id=organizer.pk, data={"value": "-5.00"}, now=NOW
        )
    stored = Notification.objects.get(pk=card.pk)
    assert (stored.event_id, stored.order_code, stored.data) == (None, "", {"value": "-5.00"})


def test_without_handlers_only_the_notification_is_written(handlers, event):
    handlers()
    with transaction.atomic():
        announce(type=T.ORDER_PAID, organizer_id=event.organizer_id, event_id=event.pk, data={}, now=NOW)
    assert (Notification.objects.count(), Delivery.objects.count()) == (1, 0)


def test_a_rolled_back_transaction_leaves_no_notification_and_no_delivery(two_handlers, event):
    with pytest.raises(ChangeFailed), transaction.atomic():
        announce(type=T.ORDER_PAID, organizer_id=event.organizer_id, event_id=event.pk, data={}, now=NOW)
        raise ChangeFailed  # the change fails after announcing
    assert (Notification.objects.count(), Delivery.objects.count()) == (0, 0)


def test_a_rolled_back_savepoint_takes_its_notification_only(two_handlers, event):
    with transaction.atomic():
        announce(type=T.ORDER_PLACED, organizer_id=event.organizer_id, event_id=event.pk, data={}, now=NOW)
        with pytest.raises(ChangeFailed), transaction.atomic():
            announce(type=T.ORDER_PAID, organizer_id=event.organizer_id, event_id=event.pk, data={}, now=NOW)
            raise ChangeFailed  # the change fails after announcing
    assert list(Notification.objects.values_list("type", flat=True)) == ["order.placed"]
    assert list(Delivery.objects.values_list("handler", flat=True)) == ["webhooks"]


def test_announce_many_writes_a_batch_with_one_insert_per_table(two_handlers, event):
    other = EventFactory(organizer=event.organizer)
    specs = [
        NotificationSpec(type=T.ORDER_EXPIRED, organizer_id=event.organizer_id, event_id=event.pk,
                         order_code=f"EXP{n}", data={"n": n})
        for n in range(3)
    ]  # fmt: skip
    specs.append(NotificationSpec(type=T.ORDER_PAID, organizer_id=event.organizer_id, event_id=other.pk))
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        written = announce_many(specs, now=NOW)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 2
    assert [n.order_code for n in written] == ["EXP0", "EXP1", "EXP2", ""]
    assert all(n.pk is not None for n in written)
    assert list(Notification.objects.order_by("id").values_list("type", "order_code", "event_id")) == [
        ("order.expired", "EXP0", event.pk), ("order.expired", "EXP1", event.pk),
        ("order.expired", "EXP2", event.pk), ("order.paid", "", other.pk),
    ]  # fmt: skip
    assert Delivery.objects.filter(handler="webhooks").count() == 4
    assert Delivery.objects.filter(handler="mails").count() == 1


def test_announce_many_of_nothing_writes_nothing(two_handlers):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert announce_many([], now=NOW) == []
    assert [q for q in queries.captured_queries if "notification" in q["sql"]] == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"type": "order.shipped"}, "Unknown notification type: 'order.shipped'."),
        ({"data": {"amount": Decimal("23.00")}}, "data must be plain JSON (amounts as decimal strings)"),
        ({"data": {"ratio": float("nan")}}, "data must be plain JSON"),
        ({"data": ["not", "a", "dict"]}, "data must be a dict."),
        ({"order_code": "X" * 33}, "An order code has at most 32 characters"),
        ({"now": datetime(2030, 5, 17, 10, 30)}, "now must be an aware datetime."),
    ],
    ids=["unknown type", "Decimal in data", "NaN in data", "data not a dict", "long order code", "naive now"],
)
def test_what_only_a_programming_mistake_sends_is_refused_and_nothing_written(
    two_handlers, event, changes, message
):
    arguments = {"type": T.ORDER_PAID, "organizer_id": event.organizer_id, "event_id": event.pk,
                 "data": {}, "now": NOW, **changes}  # fmt: skip
    with pytest.raises(ValueError, match=re.escape(message)), transaction.atomic():
        announce(**arguments)
    assert (Notification.objects.count(), Delivery.objects.count()) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_announce_outside_a_transaction_raises(two_handlers, event):
    with pytest.raises(RuntimeError, match=r"must be called inside the transaction.atomic\(\) block"):
        announce(type=T.ORDER_PAID, organizer_id=event.organizer_id, event_id=event.pk, data={}, now=NOW)
    with pytest.raises(RuntimeError, match="inside the transaction"):
        announce_many([NotificationSpec(type=T.ORDER_PAID, organizer_id=event.organizer_id)], now=NOW)
    assert (Notification.objects.count(), Delivery.objects.count()) == (0, 0)


def test_every_type_the_issue_names_exists_and_says_when_it_is_written():
    named = {
        "order.placed", "order.paid", "order.expired", "order.canceled", "order.changed",
        "order.reactivated", "order.deadline_changed", "order.payment.created", "order.payment.confirmed",
        "order.payment.canceled", "order.payment.failed", "order.refund.created", "order.refund.done",
        "order.refund.canceled", "order.fee.added", "code.redeemed", "code.released", "giftcard.transaction",
    }  # fmt: skip
    assert set(T.values) == named
    assert set(WHEN) == set(T) and all(text.strip() for text in WHEN.values())


def test_the_docs_table_says_of_each_type_what_the_code_says():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "notifications.md").read_text(encoding="utf-8")
    rows = {line for line in docs.splitlines() if line.startswith("| `")}
    assert {f"| `{kind.value}` | {text} |" for kind, text in WHEN.items()} <= rows

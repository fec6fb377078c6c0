"""Announcing a transition: the outbox rows, written in the transaction of the change.

The service that changes an order, a code or a gift card calls ``announce`` (or ``announce_many`` for a
batch) inside its ``transaction.atomic`` block, with the ``now`` it captured::

    with transaction.atomic():
        ...  # the change
        announce(type=NotificationType.ORDER_PAID, organizer_id=order.event.organizer_id,
                 event_id=order.event_id, order_code=order.code, data={"amount": "23.00"}, now=now)

This writes the notification and one ``Delivery`` per registered handler of its type
(``notifications.handlers``), and asks for the deliveries to run once the transaction commits
(``notifications.delivery.deliveries_enqueue``). A transaction that rolls back takes the notification and
its deliveries with it: nothing is announced about a change that did not happen. Called outside a
transaction, it raises ``RuntimeError``: the row would be committed whether or not the change is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction

from notifications.delivery import deliveries_enqueue
from notifications.handlers import handlers_for
from notifications.models import ORDER_CODE_MAX_LENGTH, Delivery, Notification
from notifications.types import NotificationType

OUTSIDE_TRANSACTION = (
    "announce() must be called inside the transaction.atomic() block of the change it announces: "
    "outside it the notification would be committed whether or not the change is."
)


@dataclass(frozen=True, kw_only=True)
class NotificationSpec:
    """One notification to write (``announce_many``): ``data`` must be plain JSON (amounts as strings)."""

    type: str
    organizer_id: int
    event_id: int | None = None
    order_code: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def announce(
    *,
    type: str,
    organizer_id: int,
    event_id: int | None = None,
    order_code: str = "",
    data: dict[str, Any],
    now: datetime,
) -> Notification:
    """Write one notification (and its deliveries) in the caller's transaction; see the module."""
    spec = NotificationSpec(
        type=type, organizer_id=organizer_id, event_id=event_id, order_code=order_code, data=data
    )
    return announce_many([spec], now=now)[0]


def announce_many(specs: Sequence[NotificationSpec], *, now: datetime) -> list[Notification]:
    """Write several notifications at once (a batch of expired orders): one INSERT for the notifications,
    one for their deliveries, in the caller's transaction; all created at ``now``. Answers them in the
    order given, with their ids."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(OUTSIDE_TRANSACTION)
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime.")
    rows = [notification_row(spec, now=now) for spec in specs]
    if not rows:
        return []
    notifications = Notification.objects.bulk_create(rows)
    deliveries = [
        Delivery(notification=notification, handler=handler.name, next_attempt=now)
        for notification in notifications
        for handler in handlers_for(notification.type)
    ]
    if deliveries:
        created = Delivery.objects.bulk_create(deliveries)
        transaction.on_commit(partial(deliveries_enqueue, [d.pk for d in created]), robust=True)
    return notifications


def notification_row(spec: NotificationSpec, *, now: datetime) -> Notification:
    """The unsaved row; ``ValueError`` for what only a programming mistake sends (an unknown type, data
    that is not plain JSON such as a ``Decimal``, an order code longer than an order's)."""
    if spec.type not in NotificationType.values:
        raise ValueError(f"Unknown notification type: {spec.type!r}.")
    if len(spec.order_code) > ORDER_CODE_MAX_LENGTH:
        raise ValueError(
            f"An order code has at most {ORDER_CODE_MAX_LENGTH} characters: {spec.order_code!r}."
        )
    if not isinstance(spec.data, dict):
        raise ValueError("data must be a dict.")
    try:
        json.dumps(spec.data, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"data must be plain JSON (amounts as decimal strings): {exc}") from exc
    return Notification(
        type=spec.type,
        created=now,
        organizer_id=spec.organizer_id,
        event_id=spec.event_id,
        order_code=spec.order_code,
        data=spec.data,
    )

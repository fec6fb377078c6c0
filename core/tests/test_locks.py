"""The one lock order (core.locks.lock_in_order): lockers run in the order of their kinds, whatever the
order they are given in, and a later call of the same operation may not lock an earlier kind."""

from __future__ import annotations

import pytest
from django.db import transaction

from core.locks import LockKind, LockOrderError, lock_in_order

pytestmark = pytest.mark.django_db


def recorder(calls: list[str], name: str):
    def locker():
        calls.append(name)
        return name.upper()

    return locker


def test_lockers_run_in_the_lock_order_and_their_results_come_back_by_kind():
    calls: list[str] = []
    with transaction.atomic():
        locked = lock_in_order(
            gift_card=recorder(calls, "gift_card"), code=recorder(calls, "code"),
            cart=recorder(calls, "cart"), quota=recorder(calls, "quota"), order=recorder(calls, "order"),
        )  # fmt: skip
    assert calls == ["cart", "order", "quota", "code", "gift_card"]
    assert locked == {
        LockKind.CART: "CART", LockKind.ORDER: "ORDER", LockKind.QUOTA: "QUOTA", LockKind.CODE: "CODE",
        LockKind.GIFT_CARD: "GIFT_CARD",
    }  # fmt: skip


def test_a_later_call_may_go_on_in_the_order_but_not_back():
    calls: list[str] = []
    with transaction.atomic():
        lock_in_order(cart=recorder(calls, "cart"))
        lock_in_order(quota=recorder(calls, "quota"), code=recorder(calls, "code"))
        lock_in_order(code=recorder(calls, "code again"))  # the same kind again is fine
        with pytest.raises(LockOrderError, match="quota rows are locked before code rows, not after"):
            lock_in_order(quota=recorder(calls, "quota again"))
    assert calls == ["cart", "quota", "code", "code again"]


def test_each_transaction_starts_afresh():
    calls: list[str] = []
    with transaction.atomic():
        lock_in_order(gift_card=recorder(calls, "gift_card"))
    with transaction.atomic():
        lock_in_order(cart=recorder(calls, "cart"))
    assert calls == ["gift_card", "cart"]


@pytest.mark.django_db(transaction=True)
def test_locks_are_taken_inside_a_transaction_only():
    with pytest.raises(LockOrderError, match="inside a transaction"):
        lock_in_order(quota=lambda: None)


def test_nothing_to_lock_locks_nothing():
    assert lock_in_order(quota=None) == {}

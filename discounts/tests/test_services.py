"""discount_delete, discount_move, discounts_set_active."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from core.errors import ConflictError
from discounts.models import Discount
from discounts.services import Direction, discount_delete, discount_move, discounts_set_active
from discounts.tests.factories import DiscountFactory
from ticketing.tests.factories import EventFactory


def test_delete_removes_an_unused_rule(db):
    rule = DiscountFactory()
    discount_delete(discount=rule)
    assert not Discount.objects.filter(pk=rule.pk).exists()


def test_delete_of_a_rule_in_use_is_a_conflict(db, monkeypatch):
    # Order positions will refer to rules with on_delete=PROTECT; until orders exist, simulate that relation.
    rule = DiscountFactory()

    def protected_delete(self, *args, **kwargs):
        raise ProtectedError("referenced by order positions", {object()})

    monkeypatch.setattr(Discount, "delete", protected_delete)
    with pytest.raises(ConflictError) as caught:
        discount_delete(discount=rule)
    assert caught.value.status_code == 409
    assert caught.value.as_dict()["code"] == "discount_in_use"
    assert caught.value.as_dict()["discount"] == rule.pk
    assert Discount.objects.filter(pk=rule.pk).exists()


def order(event) -> list[str]:
    return [rule.internal_name for rule in Discount.objects.filter(event=event).order_by("position", "id")]


def test_move_renumbers_and_swaps_with_the_neighbour(db):
    event = EventFactory()
    a, b, c = (DiscountFactory(event=event, internal_name=name) for name in "abc")  # all at position 0
    other_event_rule = DiscountFactory(position=0)
    discount_move(discount=c, direction=Direction.UP)
    assert order(event) == ["a", "c", "b"]
    assert c.position == 1
    assert [r.position for r in Discount.objects.filter(event=event).order_by("position", "id")] == [0, 1, 2]
    discount_move(discount=a, direction=Direction.DOWN)
    assert order(event) == ["c", "a", "b"]
    other_event_rule.refresh_from_db()
    assert other_event_rule.position == 0


def test_move_past_the_ends_changes_nothing(db):
    event = EventFactory()
    a = DiscountFactory(event=event, internal_name="a", position=5)
    b = DiscountFactory(event=event, internal_name="b", position=9)
    discount_move(discount=a, direction=Direction.UP)
    discount_move(discount=b, direction=Direction.DOWN)
    assert order(event) == ["a", "b"]


def test_set_active_switches_only_what_differs(db):
    on, off = DiscountFactory(), DiscountFactory(inactive=True)
    assert discounts_set_active(discounts=[on, off], active=False) == 1
    assert not Discount.objects.filter(active=True).exists()

"""Writes and workflows of discount rules.

Creating and editing rules is plain CRUD (``DiscountViewSet``, the admin); what
needs a decision lives here: deleting a rule orders refer to, and reordering.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from core.audit import record_bulk
from core.errors import ConflictError
from discounts.models import Discount


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


def discount_delete(*, discount: Discount) -> None:
    """Delete a rule; a rule that order positions used is kept (409 ``discount_in_use``)."""
    try:
        with transaction.atomic():
            discount.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ConflictError(
            "Orders used this discount rule, so it cannot be deleted; deactivate it instead.",
            code="discount_in_use",
            discount=discount.pk,
        ) from exc


def discounts_set_active(*, discounts: Iterable[Discount], active: bool) -> int:
    """Switch rules on or off; returns how many changed."""
    ids = [discount.pk for discount in discounts]
    changing = list(Discount.objects.filter(pk__in=ids).exclude(active=active).only("pk", "event_id"))
    changed = Discount.objects.filter(pk__in=[d.pk for d in changing]).update(active=active)
    record_bulk(Discount, changing, action="changed", changes={"active": [not active, active]})
    return changed


@transaction.atomic
def discount_move(*, discount: Discount, direction: Direction) -> None:
    """Swap a rule with its neighbour in application order, within its event.

    Positions are renumbered 0, 1, 2 … in the current ``(position, id)`` order
    first, because rules often share a position (the default is 0) and swapping
    equal numbers would change nothing.
    """
    rules = list(
        Discount.objects.select_for_update().filter(event_id=discount.event_id).order_by("position", "id")
    )
    index = next(i for i, rule in enumerate(rules) if rule.pk == discount.pk)
    other = index - 1 if direction == Direction.UP else index + 1
    if not 0 <= other < len(rules):
        return
    rules[index], rules[other] = rules[other], rules[index]
    changed = []
    for position, rule in enumerate(rules):
        if rule.position != position:
            rule.position = position
            changed.append(rule)
    Discount.objects.bulk_update(changed, ["position"])
    record_bulk(Discount, changed, action="changed")  # each rule's position, before and after
    discount.position = other

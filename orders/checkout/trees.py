"""Storing positions that refer to each other (add-ons, bundles) with one INSERT per level."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from django.db import models

from core import rawsql
from orders.checkout.draft import PositionSpec

M = TypeVar("M", bound=models.Model)


def levels(positions: Sequence[PositionSpec]) -> list[list[int]]:
    """Indices by depth: top-level positions, their add-ons and bundles, bundles of add-ons."""
    depth: list[int] = []
    for spec in positions:
        depth.append(0 if spec.addon_to is None else depth[spec.addon_to] + 1)
    by_level: list[list[int]] = [[] for _ in range(max(depth, default=-1) + 1)]
    for index, level in enumerate(depth):
        by_level[level].append(index)
    return by_level


def bulk_create_tree(
    model: type[M],
    positions: Sequence[PositionSpec],
    build: Callable[[int, PositionSpec, M | None], M],
    stored: Mapping[int, M] | None = None,
    insert: bool = True,
) -> list[M]:
    """Create one row per position, parents before children (``addon_to`` needs their ids); the
    rows of all positions, in their order.

    ``build(index, spec, parent_row)`` makes the unsaved row. ``stored``: rows of positions
    that already exist (by index), not inserted again. At most three INSERTs, whatever the
    number of positions. Without ``insert`` (a simulated order) nothing is written: each row gets its
    index + 1 as a stand-in primary key, so children can refer to their parents.
    """
    stored = stored or {}
    rows: list[M | None] = [stored.get(i) for i in range(len(positions))]
    for level in levels(positions):
        batch = []
        for index in level:
            if index in stored:
                continue
            spec = positions[index]
            parent = rows[spec.addon_to] if spec.addon_to is not None else None
            rows[index] = build(index, spec, parent)
            if not insert:
                rows[index].pk = index + 1
            batch.append(rows[index])
        if insert:
            rawsql.insert(batch)  # bulk_create without the ORM's statement building
    return [row for row in rows if row is not None]

"""Dealing positions into groups of pairwise different dates (docs/pricing.md, section 2.4).

Section 2.4 describes the dealing as a loop that, for every pick, scans every
date and re-sorts the collected candidates. Done literally that is quadratic in
the cart size. This module produces exactly the same groups in O(n log n):

* A date's condition candidates only change when a group closes, and the member
  a group took from a date is always that date's cheapest or most expensive
  candidate at the time. So each date keeps its candidates in a deque sorted by
  (line price, add-on rank), and closing a group pops from one of its ends.
* The dates a pass collects from are exactly the dates outside the current
  group whose candidate count equals that of the first such date (in order of
  first appearance) with any candidate: a date that collects nothing imposes no
  restriction, and a date with another count is skipped without changing it.
* After the stable sort of section 2.4, "the cheapest" collected candidate is
  the smallest (price, rank) with ties to the earliest date, and "the most
  expensive" is the largest with ties to the latest date (within a date, the
  queue's own first or last element). So per count we keep
  two heaps of the dates' current end elements, and only look past the (at most
  ``min_count``) dates already in the current group.

Heaps are invalidated lazily: an entry carries the date's version, which changes
whenever the date loses a candidate.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

__all__ = ["deal_distinct_groups"]

_T = TypeVar("_T")


def deal_distinct_groups(
    visible: Sequence[int],
    is_condition: Sequence[bool],
    dates: Sequence[Hashable],
    order: Mapping[int, int] | Sequence[int],
    min_count: int,
    cheapest_n: int,
) -> list[list[int]]:
    """Return the closed groups of section 2.4 (steps 1–3), leftovers included.

    ``visible`` are the cart indices this rule sees, in cart order; the other
    arguments are indexed by cart index. ``order[i]`` is position i's
    (line price, add-on rank) encoded as one comparable int. ``cheapest_n``
    is 0 when the rule has no cheapest-n limit. Positions that are not
    condition candidates take no part in dealing but, as section 2.4 says,
    sit in their date's queue and can be handed out as leftovers; the caller
    ignores them when evaluating.
    """
    group_size = max(min_count, 1)
    sort_key = order.__getitem__

    # Step 1: one queue per date, dates in order of first appearance.
    queues_by_date: dict[Hashable, list[int]] = {}
    for i in visible:
        queue = queues_by_date.get(dates[i])
        if queue is None:
            queues_by_date[dates[i]] = [i]
        else:
            queue.append(i)
    date_keys = list(queues_by_date)
    queues = [sorted(queues_by_date[d], key=sort_key) for d in date_keys]
    date_of = {}
    for k, queue in enumerate(queues):
        for i in queue:
            date_of[i] = k

    groups = _deal(queues, is_condition, date_of, sort_key, group_size, cheapest_n)
    _hand_out_leftovers(queues, groups)
    return [members for members, _ in groups]


def _deal(
    queues: list[list[int]],
    is_condition: Sequence[bool],
    date_of: dict[int, int],
    sort_key: Callable[[int], int],
    group_size: int,
    cheapest_n: int,
) -> list[tuple[list[int], set[int]]]:
    """Step 2: build full groups; returns (members, date numbers) per group."""
    candidates = [deque(i for i in queue if is_condition[i]) for queue in queues]
    version = [0] * len(queues)
    # count -> heap of (order, date, version) of each date's cheapest candidate
    cheapest: dict[int, list[tuple[int, int, int]]] = {}
    # count -> heap of (-order, -date, version) of each date's dearest candidate
    dearest: dict[int, list[tuple[int, int, int]]] = {}
    # dates that still have candidates, by order of first appearance
    with_candidates = [k for k, c in enumerate(candidates) if c]

    def publish(k: int) -> None:
        queue = candidates[k]
        if queue:
            heapq.heappush(cheapest.setdefault(len(queue), []), (sort_key(queue[0]), k, version[k]))
            heapq.heappush(dearest.setdefault(len(queue), []), (-sort_key(queue[-1]), -k, version[k]))

    for k in with_candidates:
        publish(k)

    groups: list[tuple[list[int], set[int]]] = []
    members: list[int] = []
    member_dates: set[int] = set()
    while True:
        first = _top_outside(with_candidates, member_dates, lambda entry: bool(candidates[entry]))
        if first is None:
            break  # no date outside the group has a candidate left
        count = len(candidates[first])
        take_cheapest = len(members) < cheapest_n
        heap = cheapest[count] if take_cheapest else dearest[count]
        entry = _top_outside(
            heap,
            member_dates,
            lambda e: e[2] == version[abs(e[1])],
            date_of_entry=lambda e: abs(e[1]),
        )
        assert entry is not None  # ``first`` itself has a valid entry
        k = abs(entry[1])
        members.append(candidates[k][0] if take_cheapest else candidates[k][-1])
        member_dates.add(k)
        if len(members) < group_size:
            continue
        groups.append((members, member_dates))
        for i in members:
            k = date_of[i]
            queue = candidates[k]
            if queue[0] == i:
                queue.popleft()
            else:
                queue.pop()
            version[k] += 1
            publish(k)
        members, member_dates = [], set()
    return groups


def _top_outside(
    heap: list[_T],
    excluded: set[int],
    is_valid: Callable[[_T], bool],
    date_of_entry: Callable[[_T], int] | None = None,
) -> _T | None:
    """Smallest valid heap entry whose date is not in ``excluded``, or None.

    Invalid entries are dropped for good; valid entries of excluded dates (at
    most one per date in the current group) are set aside and pushed back.
    """
    held: list[_T] = []
    found: _T | None = None
    while heap:
        entry = heap[0]
        if not is_valid(entry):
            heapq.heappop(heap)
            continue
        date = entry if date_of_entry is None else date_of_entry(entry)  # type: ignore[assignment]
        if date in excluded:
            held.append(heapq.heappop(heap))
            continue
        found = entry
        break
    for entry in held:
        heapq.heappush(heap, entry)
    return found


def _hand_out_leftovers(queues: list[list[int]], groups: list[tuple[list[int], set[int]]]) -> None:
    """Step 3: give each date's remaining positions, dearest first, to groups lacking it.

    Dates go in descending order of how many positions they had when dealing
    started (ties: order of first appearance). A date stops as soon as its
    queue is empty, and a group is only skipped when it already holds that
    date, so the work is linear in the number of positions.
    """
    if not groups:
        return
    grouped = {i for members, _ in groups for i in members}
    order = sorted(range(len(queues)), key=lambda k: -len(queues[k]))
    for k in order:
        remaining = [i for i in queues[k] if i not in grouped]
        if not remaining:
            continue
        for members, member_dates in groups:
            if k in member_dates:
                continue
            members.append(remaining.pop())
            member_dates.add(k)
            if not remaining:
                break

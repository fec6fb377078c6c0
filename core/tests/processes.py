"""Requests at the same moment from several processes, for the tests of what the database decides
under concurrency (PostgreSQL): each process is forked with the test's settings and opens a database
connection of its own, as two servers would."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

from django.db import connections

FORK = multiprocessing.get_context("fork")


def at_the_same_moment(requests: list[Callable[[int], Any]], tries: int) -> list[list[Any]]:
    """Run each of ``requests`` in a process of its own, ``tries`` times (``request(try)``), the
    processes released together by a barrier for each try; their answers (picklable), ``[try][request]``."""
    connections.close_all()  # each process opens a connection of its own
    barrier = FORK.Barrier(len(requests))
    answers = FORK.Queue()

    def work(index: int, request: Callable[[int], Any]) -> None:
        try:
            for attempt in range(tries):
                barrier.wait(timeout=60)
                answers.put((attempt, index, request(attempt)))
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            answers.put((None, index, repr(exc)))
        finally:
            connections.close_all()

    processes = [FORK.Process(target=work, args=(i, request)) for i, request in enumerate(requests)]
    for process in processes:
        process.start()
    found: list[list[Any]] = [[None] * len(requests) for _ in range(tries)]
    try:
        for _ in range(tries * len(requests)):
            attempt, index, answer = answers.get(timeout=120)
            assert attempt is not None, answer
            found[attempt][index] = answer
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    return found

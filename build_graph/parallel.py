"""Ordered parallel map with a bounded number of tasks in flight (so inputs are made, and
results held, a few at a time — never the whole corpus at once)."""
from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Iterator


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool whose workers start from a clean server process ("forkserver"), not as forks of
    this one: forking a process that runs threads (an endpoint, a test runner) can copy a held
    lock into the child and hang it."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))


def ordered_map(function: Callable, items: Iterable, workers: int, window: int | None = None) -> Iterator:
    """``map(function, items)`` on ``workers`` processes (in this process when 1), results in
    input order, at most ``window`` (default two per worker) submitted and not yet taken."""
    if workers <= 1:
        yield from map(function, items)
        return
    window = window or 2 * workers
    with process_pool(workers) as pool:
        pending = deque()
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

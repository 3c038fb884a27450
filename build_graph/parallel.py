"""Ordered parallel map with a bounded number of tasks in flight (so inputs are made, and
results held, a few at a time — never the whole corpus at once)."""
from __future__ import annotations

from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Iterator


def ordered_map(function: Callable, items: Iterable, workers: int, window: int | None = None) -> Iterator:
    """``map(function, items)`` on ``workers`` processes (in this process when 1), results in
    input order, at most ``window`` (default two per worker) submitted and not yet taken."""
    if workers <= 1:
        yield from map(function, items)
        return
    window = window or 2 * workers
    with ProcessPoolExecutor(workers) as pool:
        pending = deque()
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

"""Ordered parallel map with a bounded number of tasks in flight (so inputs are made, and
results held, a few at a time — never the whole corpus at once)."""
from __future__ import annotations

import multiprocessing
import sys
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Iterator


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool whose workers start from a clean server process ("forkserver"), not as forks of
    this one: forking a process that runs threads (an endpoint, a test runner) can copy a held
    lock into the child and hang it.

    The server imports the package's modules this process has loaded (when the first pool
    starts it), so that workers forked from it have them already: each worker imported them
    anew before, ≈ 0.5–0.9 s of CPU apiece. The main module is left to multiprocessing, which
    runs it in each worker as ``__mp_main__``."""
    return ProcessPoolExecutor(workers, mp_context=_forkserver())


def start_server(also: tuple[str, ...] = ()) -> None:
    """Start the server the workers are forked from now, so that its imports (the package's
    modules loaded here, and the modules ``also``) run beside this process's own work until the
    first pool (≈ 0.5 s of a build's start). Once it runs, the server stays as it is."""
    _forkserver(also)
    forkserver.ensure_running()


def _forkserver(also: tuple[str, ...] = ()) -> BaseContext:
    context = multiprocessing.get_context("forkserver")
    main = getattr(sys.modules["__main__"].__spec__, "name", None)
    loaded = {name for name in sys.modules if name.startswith(f"{__package__}.")}
    context.set_forkserver_preload(["__main__"] + sorted((loaded | set(also)) - {main}))
    return context


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

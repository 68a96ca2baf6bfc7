"""Work on a large batch (a replay, a backlog) spread over every core: one forked process per core, each taking a
run of consecutive items.

Reading claims (:func:`warwatch.claims.extract.extract_all`) is pure Python and spaCy, bound to one core by the
interpreter's lock, and done while the encoder is idle. Forked processes start at once with what this process has
loaded (the spaCy pipeline, the gazetteer: load them before), and each uses one BLAS thread (the processes share the
cores). Forking is used only where it is safe and cheap: on Linux, and not from a daemon process (a Dask
worker's, which may not have children); elsewhere, and for smaller batches, the work is done in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

from threadpoolctl import threadpool_limits

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_FROM = 500
"""Items from which a batch is spread over processes: below, forking and each process's first steps cost about what
they save."""


def map_runs(work: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item], processes: int | None = None,
             parallel_from: int = PARALLEL_FROM) -> list[Result]:
    """``work(items)`` (a result per item, in order), split into runs done in up to ``processes`` processes (None:
    one per core available) when there are at least ``parallel_from`` items and this process may fork. ``work``
    must be a module-level function (it is named, not copied, to the processes)."""
    count = min(processes or available_cores(), len(items)) if len(items) >= parallel_from else 1
    if count < 2 or sys.platform != "linux" or multiprocessing.current_process().daemon:
        return work(items)
    size = -(-len(items) // count)
    runs = [items[start:start + size] for start in range(0, len(items), size)]
    with multiprocessing.get_context("fork").Pool(len(runs)) as pool:
        return [result for results in pool.starmap(_one_thread, [(work, run) for run in runs]) for result in results]


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _one_thread(work: Callable[[Sequence[Item]], list[Result]], run: Sequence[Item]) -> list[Result]:
    with threadpool_limits(1):
        return work(run)

"""Work on a large batch (a replay, a backlog) spread over every core: this process and one forked process per other
core, each taking a share.

Reading claims (:func:`warwatch.claims.extract.extract_all`) and comparing them
(:func:`warwatch.claims.stage.check_claims`) are pure Python, spaCy and numpy, bound to one core by the
interpreter's lock. Forked processes start at once with what this process holds (the spaCy pipeline, the gazetteer,
the claims read so far: load them before) and send back only their results; each process uses one BLAS thread (they
share the cores). Forking is used only where it is safe and cheap: on Linux, and not from a daemon process (a Dask
worker's, which may not have children); elsewhere, and for smaller batches, the work is done in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TypeVar

from threadpoolctl import threadpool_limits

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_FROM = 500
"""Items from which a batch is spread over processes: below, forking and each process's first steps cost about what
they save."""


def map_runs(work: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item], processes: int | None = None,
             parallel_from: int | None = None) -> list[Result]:
    """``work(items)`` (a result per item, in order), split into runs of consecutive items done at once in up to
    ``processes`` processes (None: one per core available) as :func:`shares_for` allows."""
    count = shares_for(len(items), processes, parallel_from)
    size = max(1, -(-len(items) // count))
    runs = [items[start:start + size] for start in range(0, len(items), size)] or [items]
    return [result for results in run_shares(lambda share: work(runs[share]), len(runs)) for result in results]


def shares_for(items: int, processes: int | None = None, parallel_from: int | None = None) -> int:
    """Into how many shares to split a batch of ``items``: one per process (None: per core available), or one
    for a batch smaller than ``parallel_from`` (None: :data:`PARALLEL_FROM`) or where this process may not fork."""
    if items < (PARALLEL_FROM if parallel_from is None else parallel_from):
        return 1
    if sys.platform != "linux" or multiprocessing.current_process().daemon:
        return 1
    return max(1, min(processes or available_cores(), items))


def run_shares(work: Callable[[int], Result], shares: int) -> list[Result]:
    """``[work(0), …, work(shares - 1)]``, done at once: share 0 here, each other share in a process forked from this
    one, which sees this process's memory as it is when forked (``work`` may be a closure) and sends its result back.
    Call with more than one share only where :func:`shares_for` allows it."""
    if shares < 2:
        return [work(0)] if shares else []
    context = multiprocessing.get_context("fork")
    children = []
    try:
        for share in range(1, shares):
            receiver, sender = context.Pipe(duplex=False)
            child = context.Process(target=_send_result, args=(work, share, sender), name=f"warwatch-share-{share}")
            child.start()
            sender.close()
            children.append((child, receiver))
        with threadpool_limits(1):
            results = [work(0)]
        for child, receiver in children:
            results.append(_receive(child, receiver))
        return results
    finally:
        for child, receiver in children:
            if child.is_alive():  # only when this process's share, or another's, failed
                child.terminate()
            child.join()
            receiver.close()


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _send_result(work: Callable[[int], Result], share: int, sender) -> None:
    gc.freeze()  # what this process was forked with is left out of its collector's scans, which would write to, and so
    # copy, every page of it
    with threadpool_limits(1):
        try:
            sender.send((True, work(share)))
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
            sender.send((False, traceback.format_exc()))


def _receive(child, receiver) -> Result:
    try:
        done, result = receiver.recv()
    except EOFError:
        child.join()
        raise RuntimeError(f"the process for {child.name} ended with exit code {child.exitcode} and no result") from None
    if not done:
        raise RuntimeError(f"{child.name} failed:\n{result}")
    return result

"""Claim extraction of a large batch (a replay, a backlog) on every core: one forked process per core, each reading
a run of consecutive articles.

Reading claims is pure Python and spaCy, bound to one core by the interpreter's lock, while the claim stage has the
machine to itself (the encoder is done with the articles and waits for the claim sentences). Articles are read
independently of each other, so splitting the batch changes nothing in what is read: each process reads its run as
:func:`~warwatch.claims.extract.extract_many` reads the whole, and the claims come back in the articles' order.

The processes are forked, so they start at once with the loaded spaCy pipeline and gazetteer, and each uses one
BLAS thread (the processes share the cores). Forking is used only where it is safe and cheap: on Linux, and not
from a daemon process (a Dask worker's, which may not have children); elsewhere, and for smaller batches, the
batch is read in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence
from datetime import datetime

from threadpoolctl import threadpool_limits

from warwatch.claims import parse
from warwatch.claims.claim import Claim
from warwatch.claims.extract import extract_many
from warwatch.places import gazetteer

Article = tuple[str, str, datetime, str | None]  # title, text, published, source

PARALLEL_FROM = 500
"""Articles from which the batch is read in several processes: below, forking and each process's first
readings cost about what they save."""


def extract_all(articles: Sequence[Article], processes: int | None = None,
                parallel_from: int = PARALLEL_FROM) -> list[list[Claim]]:
    """:func:`~warwatch.claims.extract.extract_many` of ``articles``, in up to ``processes`` processes (None: one per
    core available) when there are at least ``parallel_from`` of them and this process may fork."""
    count = min(processes or available_cores(), len(articles)) if len(articles) >= parallel_from else 1
    if count < 2 or not _may_fork():
        return extract_many(articles)
    parse.pipeline()  # loaded here, once, for every process (raises here when it is missing)
    gazetteer()
    size = -(-len(articles) // count)
    runs = [articles[start:start + size] for start in range(0, len(articles), size)]
    with multiprocessing.get_context("fork").Pool(len(runs)) as pool:
        return [claims for found in pool.map(_extract_run, runs) for claims in found]


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _may_fork() -> bool:
    return sys.platform == "linux" and not multiprocessing.current_process().daemon


def _extract_run(articles: Sequence[Article]) -> list[list[Claim]]:
    with threadpool_limits(1):
        return extract_many(articles)

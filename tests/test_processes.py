"""Work on a large batch spread over forked processes: the results of doing it in one, in the items' order."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import pytest

from warwatch import processes
from warwatch.claims.extract import extract_all, extract_many

MON = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
ARTICLES = [
    ("Strike on a port", "A missile strike killed 7 people in Odesa on Monday, the regional governor said.", MON, "A"),
    ("Evacuation", "Officials said 300 residents are to be evacuated from the river villages.", MON, "B"),
    ("Front line", "Russian forces captured Novoselivka, the defence ministry in Moscow said.", MON, "C"),
    ("Front line", "Kyiv said its troops still hold Novoselivka and fighting goes on.", MON, "D"),
    ("Drones", "Air defences shot down 21 drones overnight, the air force said.", MON, "E"),
    ("Calm", "The mayor said the night had been calm.", MON, "F"),
    ("Toll", "The toll from Monday's strike on Odesa rose to 9, the governor said.", MON + timedelta(days=1), "A"),
]
forks = pytest.mark.skipif(sys.platform != "linux", reason="processes are forked on Linux only")


def pids(items: Sequence[int]) -> list[tuple[int, int]]:
    return [(item, os.getpid()) for item in items]


@forks
def test_runs_are_done_at_once_here_and_in_forked_processes_and_come_back_in_order():
    done = processes.map_runs(pids, list(range(10)), processes=3, parallel_from=2)
    assert [item for item, _ in done] == list(range(10))
    assert len({pid for _, pid in done}) == 3 and done[0][1] == os.getpid()  # the first run is done here
    assert processes.shares_for(500, processes=2) == 2 and processes.shares_for(500, processes=1) == 1


def test_a_batch_below_the_bar_or_one_process_is_done_here():
    assert {pid for _, pid in processes.map_runs(pids, [1, 2, 3], processes=2, parallel_from=4)} == {os.getpid()}
    assert {pid for _, pid in processes.map_runs(pids, [1, 2, 3], processes=1, parallel_from=2)} == {os.getpid()}
    assert processes.map_runs(pids, [], processes=2) == []
    assert processes.shares_for(499) == 1


@forks
def test_a_share_sees_this_process_memory_as_it_was_when_forked():
    seen = {"kept": [1, 2, 3]}  # a closure's state, never pickled on the way out

    def work(share: int) -> tuple[int, list[int]]:
        seen["kept"].append(share)  # each process appends to its own copy
        return os.getpid(), list(seen["kept"])

    (here, mine), (there, theirs) = processes.run_shares(work, 2)
    assert here == os.getpid() != there
    assert (mine, theirs) == ([1, 2, 3, 0], [1, 2, 3, 1])


def fail_in_share_one(share: int) -> int:
    if share == 1:
        raise ValueError("no figure in share one")
    return share


def die_in_share_one(share: int) -> int:
    if share == 1:
        os._exit(3)
    return share


@forks
def test_a_failed_or_lost_share_raises_here_with_what_happened():
    with pytest.raises(RuntimeError, match="ValueError: no figure in share one"):
        processes.run_shares(fail_in_share_one, 2)
    with pytest.raises(RuntimeError, match="exit code 3"):
        processes.run_shares(die_in_share_one, 2)


@forks
def test_claims_read_in_processes_are_the_claims_read_in_one():
    assert processes.map_runs(extract_many, ARTICLES, processes=3, parallel_from=2) == extract_many(ARTICLES)
    assert extract_all(ARTICLES) == extract_many(ARTICLES)  # a small batch: read here

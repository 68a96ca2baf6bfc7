"""Work on a large batch spread over forked processes: the results of doing it in one, in the items' order."""

from __future__ import annotations

import os
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
forks = pytest.mark.skipif(not hasattr(os, "fork"), reason="forked processes only")


def pids(items: Sequence[int]) -> list[tuple[int, int]]:
    return [(item, os.getpid()) for item in items]


@forks
def test_runs_are_done_in_other_processes_and_come_back_in_order():
    done = processes.map_runs(pids, list(range(10)), processes=3, parallel_from=2)
    assert [item for item, _ in done] == list(range(10))
    assert os.getpid() not in {pid for _, pid in done} and 1 <= len({pid for _, pid in done}) <= 3


def test_a_batch_below_the_bar_or_one_process_is_done_here():
    assert {pid for _, pid in processes.map_runs(pids, [1, 2, 3], processes=2, parallel_from=4)} == {os.getpid()}
    assert {pid for _, pid in processes.map_runs(pids, [1, 2, 3], processes=1, parallel_from=2)} == {os.getpid()}


@forks
def test_claims_read_in_processes_are_the_claims_read_in_one():
    assert processes.map_runs(extract_many, ARTICLES, processes=3, parallel_from=2) == extract_many(ARTICLES)
    assert extract_all(ARTICLES) == extract_many(ARTICLES)  # a small batch: read here

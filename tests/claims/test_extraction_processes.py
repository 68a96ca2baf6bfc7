"""A large batch's claims read in forked processes are the claims read in one, in the articles' order."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest

from warwatch.claims import processes
from warwatch.claims.extract import extract_many

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


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forked processes only")
def test_processes_read_what_one_process_reads_in_order():
    assert processes.extract_all(ARTICLES, processes=3, parallel_from=2) == extract_many(ARTICLES)


def test_a_batch_below_the_bar_or_one_process_is_read_here(monkeypatch):
    def no_fork(method):
        raise AssertionError("forked")

    monkeypatch.setattr(processes.multiprocessing, "get_context", no_fork)
    assert processes.extract_all(ARTICLES, processes=2, parallel_from=len(ARTICLES) + 1) == extract_many(ARTICLES)
    assert processes.extract_all(ARTICLES, processes=1, parallel_from=2) == extract_many(ARTICLES)

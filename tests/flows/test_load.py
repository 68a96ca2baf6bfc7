"""Load (bounded, loopback): one monitor cycle over 500 local feeds × 100 items, and a replay of 10,000 articles.

Each load runs as a child process (``warwatch run`` against this module's Prefect server, and
``warwatch replay --json``) that is killed at its time budget, so the test stops by itself. The
budgets (45 min and 3,000 MB for the cycle, 15 min and 1,500 MB for the replay: about three times
what a quiet 2-core machine took, 16 and 4.5 min) are in tests/loadgen.py, with the generator of the feeds and
articles: short items (a headline and a sentence), each one distinct. Encoding each of the 60,000
items once with the model is most of the time. benchmarks/load.py reports the same loads.
"""

from __future__ import annotations

import os

import pytest

from support.loadgen import (
    MONITOR_BUDGET_MB,
    MONITOR_BUDGET_S,
    REPLAY_BUDGET_MB,
    REPLAY_BUDGET_S,
    monitor_load,
    replay_load,
)

pytestmark = [
    pytest.mark.slow,  # about 20 min: `make test-slow`
    pytest.mark.skipif(not hasattr(os, "wait4") or not os.path.exists("/proc/self/statm"),
                       reason="measures a child's peak memory with os.wait4 (Linux)"),
]


def test_one_cycle_stores_and_groups_500_feeds_of_100_items_within_budget(tmp_path, prefect_api):
    run = monitor_load(tmp_path, feeds=500, items=100, prefect_api_url=prefect_api, limit_s=MONITOR_BUDGET_S)
    assert not run.problems
    assert run.wall_s < MONITOR_BUDGET_S and run.peak_rss_mb < MONITOR_BUDGET_MB, run


def test_replay_of_10000_articles_groups_each_once_within_budget(tmp_path):
    run = replay_load(tmp_path, 10_000, limit_s=REPLAY_BUDGET_S)
    assert not run.problems
    assert run.wall_s < REPLAY_BUDGET_S and run.peak_rss_mb < REPLAY_BUDGET_MB, run

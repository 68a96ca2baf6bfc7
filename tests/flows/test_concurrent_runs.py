"""Two monitor runs started at the same moment against one SQLite store: both finish, nothing twice.

Each run is the real monitor flow in its own process (``tests/support/monitor_child.py``) on the demo feeds,
posting into one Slack double; they start together on an empty store (so they also race to create
the schema) and the result is compared with one run alone. The store lock that serialises delivery
is also tested on its own, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import pytest

from warwatch.demo.server import DemoServer
from warwatch.demo.slack_double import SlackDouble

from support.monitor_runs import TOKEN, Outcome, assert_once, finish, make_store, outcome, run, start

pytestmark = pytest.mark.slow  # about 2 min of runs held open on purpose: `make test-slow`

ROUNDS = 2
HOLD_SECONDS = 40


def together(store, tmp_path, label: str) -> list[tuple[int, str, str]]:
    """Start two runs, let both import and arm, then release them at once; their results."""
    go = tmp_path / f"{label}.go"
    ready = [tmp_path / f"{label}.ready{i}" for i in range(2)]
    children = [start(store, "--ready", str(r), "--go", str(go)) for r in ready]
    deadline = time.monotonic() + 180
    while not all(r.exists() for r in ready) and time.monotonic() < deadline:
        assert all(c.poll() is None for c in children), [finish(c)[2][-3000:] for c in children]
        time.sleep(0.05)
    go.touch()
    return [finish(c) for c in children]


def test_two_runs_at_once_both_finish_and_post_everything_once(tmp_path, prefect_api):
    with DemoServer() as feeds:
        with SlackDouble(tokens={TOKEN}) as slack:
            alone = make_store(tmp_path / "alone", feeds.feed_specs(), slack, prefect_api)
            status, _, err = run(alone)
            assert status == 0, err[-3000:]
            reference = outcome(alone, slack)
        with SlackDouble(tokens={TOKEN}) as slack:
            shared = make_store(tmp_path / "shared", feeds.feed_specs(), slack, prefect_api)
            shared.env["WARWATCH_SLACK_PACE_SECONDS"] = "0.2"  # deliveries long enough for the runs to overlap
            for round_ in range(ROUNDS):  # the first on an empty store, the second with nothing new
                results = together(shared, tmp_path, f"round{round_}")
                for status, _, err in results:
                    assert "database is locked" not in err
                    assert status == 0, err[-3000:]
            got = outcome(shared, slack)
    assert_once(got)
    for field in Outcome.__dataclass_fields__.keys() - {"keys"}:  # keys hold row ids, which may differ
        assert getattr(got, field) == getattr(reference, field), f"{field} differs from one run alone"


def test_a_run_started_during_a_long_story_stage_waits_for_it(tmp_path, prefect_api):
    """The first run holds the SQLite write lock through its story stage (here longer than the 30 s
    busy timeout warwatch once had); the second waits for it instead of failing with "database is locked"."""
    release = tmp_path / "release"
    with DemoServer() as feeds, SlackDouble(tokens={TOKEN}) as slack:
        store = make_store(tmp_path / "store", feeds.feed_specs(), slack, prefect_api)
        first = start(store, "--hold", str(release))
        deadline = time.monotonic() + 180
        while not release.with_suffix(".held").exists():
            assert first.poll() is None and time.monotonic() < deadline, finish(first)[2][-3000:]
            time.sleep(0.05)
        second = start(store)
        time.sleep(HOLD_SECONDS)
        assert second.poll() is None, "the second run did not wait: " + finish(second)[2][-3000:]
        release.touch()
        results = [finish(first), finish(second)]
        got = outcome(store, slack)
    for status, _, err in results:
        assert "database is locked" not in err
        assert status == 0, err[-3000:]
    assert_once(got)
    assert len(got.stories) >= 3 and got.contradictions


def test_the_store_lock_makes_others_wait_and_dies_with_its_holder(db_url):
    """``exclusive``: a second holder waits for the first; a process killed while holding it frees it."""
    from warwatch.store.db import engine_for, exclusive

    engine = engine_for(db_url)
    order: list[str] = []

    def second() -> None:
        with exclusive(engine, "test"):
            order.append("second")

    with exclusive(engine, "test"):
        waiter = threading.Thread(target=second)
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive() and not order
        order.append("first")
    waiter.join(10)
    assert order == ["first", "second"]

    holder = subprocess.Popen([sys.executable, "-c", HOLDER, db_url], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        waiter = threading.Thread(target=second)
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive()
        holder.send_signal(signal.SIGKILL)
        waiter.join(30)
        assert order == ["first", "second", "second"]
    finally:
        holder.kill()
        holder.wait()


HOLDER = """
import sys, time
from warwatch.store.db import engine_for, exclusive
with exclusive(engine_for(sys.argv[1]), "test"):
    print("held", flush=True)
    time.sleep(600)
"""

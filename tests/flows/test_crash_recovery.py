"""The monitor run killed (SIGKILL) at each risky point, then run again: nothing twice, nothing lost.

Each run is the real monitor flow in a child process (``tests/support/monitor_child.py``) on one SQLite
store, posting into the Slack double. The demo feeds (several stories, a near-identical copy and
the 400,000 sq mi contradiction) come out in two cycles: the items published before a cut-off,
then all of them. The run of one cycle is killed at a point, the next run must complete it, and a
third must find nothing to do; the result must equal that of the two cycles run without a crash.
"""

from __future__ import annotations

import signal
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from warwatch.demo.server import DemoServer
from warwatch.demo.slack_double import SlackDouble

from support.monitor_child import POINTS
from support.monitor_runs import TOKEN, Outcome, assert_once, make_store, outcome, run, stage_feeds
from support.slack import calls_to

pytestmark = pytest.mark.slow  # about 10 min, a monitor run per crash point: `make test-slow`

# The second cycle brings the contradiction, updates to stories posted in the first, and a new story.
CUT = datetime(2024, 8, 13, tzinfo=timezone.utc)
# The second cycle brings one article only: a single coverage update, so a lost parent refresh shows.
LATE_CUT = datetime(2024, 8, 16, tzinfo=timezone.utc)

CASES = [
    *[(point, CUT, 2) for point in POINTS if point != "before-parent-refresh"],
    ("before-parent-refresh", LATE_CUT, 2),
    # on an empty store: the first model load, the first post with no channel history yet
    ("during-embedding", CUT, 1),
    ("after-slack-post", CUT, 1),
]


def check(result: tuple[int, str, str], expected: int = 0) -> None:
    status, _, err = result
    what = "the crash point was not reached" if expected else "the run failed"
    assert status == expected, f"{what} (exit {status}): {err[-3000:]}"


@pytest.fixture(scope="module")
def reference(tmp_path_factory, prefect_api):
    """What the two cycles leave without a crash, by cut-off (each computed once)."""
    done: dict[datetime, Outcome] = {}

    def get(cut: datetime) -> Outcome:
        if cut not in done:
            directory = tmp_path_factory.mktemp("reference")
            with SlackDouble(tokens={TOKEN}) as slack, _feeds(directory / "feeds", cut) as feeds:
                store = make_store(directory, feeds.specs, slack, prefect_api)
                check(run(store))
                feeds.next()
                check(run(store))
                done[cut] = outcome(store, slack)
            assert_once(done[cut])
        return done[cut]

    return get


class _feeds:
    """The demo feeds served from ``directory``: first up to ``cut``, after ``next()`` in full."""

    def __init__(self, directory: Path, cut: datetime) -> None:
        self.directory = directory
        stage_feeds(directory, cut)
        self.server = DemoServer(directory)

    def next(self) -> None:
        stage_feeds(self.directory)

    def __enter__(self):
        self.server.__enter__()
        self.specs = self.server.feed_specs()
        return self

    def __exit__(self, *exc) -> None:
        self.server.__exit__(*exc)


def test_the_reference_has_what_the_crashes_must_not_break(reference):
    got = reference(CUT)
    assert len(got.stories) >= 3 and got.duplicates, got
    assert len(got.contradictions) == 1 and "400,000" in str(got.contradictions), got.contradictions
    assert any(parent for parent, _, _ in got.posted), "no thread replies"


@pytest.mark.parametrize("point, cut, cycle", CASES, ids=[f"{p}-cycle{c}" for p, _, c in CASES])
def test_a_run_killed_at_any_point_is_completed_by_the_next_without_repeats(point, cut, cycle, tmp_path,
                                                                           prefect_api, reference):
    expected = reference(cut)
    with SlackDouble(tokens={TOKEN}) as slack, _feeds(tmp_path / "feeds", cut) as feeds:
        store = make_store(tmp_path, feeds.specs, slack, prefect_api)
        if cycle == 2:
            check(run(store))
            feeds.next()
        check(run(store, "--crash", point), -signal.SIGKILL)
        check(run(store))
        if cycle == 1:
            feeds.next()
            check(run(store))
        after = outcome(store, slack)
        posts = len(calls_to(slack, "chat.postMessage"))
        check(run(store))
        again = outcome(store, slack)
        assert len(calls_to(slack, "chat.postMessage")) == posts, "the third run posted again"
    assert again == after, "the third run changed something"
    assert_once(after)
    for field in Outcome.__dataclass_fields__.keys() - {"keys"}:  # keys hold row ids, which may differ
        assert getattr(after, field) == getattr(expected, field), f"{field} differs from the crash-free runs"
    assert kinds(after.keys) == kinds(expected.keys)


def kinds(keys: Counter) -> Counter:
    """Delivery keys without their row ids: story, update, contradiction…"""
    return Counter(key.split(":")[0] for key in keys.elements())

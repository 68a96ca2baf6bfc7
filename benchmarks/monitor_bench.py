"""What the monitor benchmarks (polling_speed, soak, load) share: a throwaway Prefect home, the load
generator of the tests, stage timers, and the flow's own timing.

Import this module before anything imports Prefect: :func:`prepare` sets Prefect's environment.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from common import ROOT

sys.path.insert(0, str(ROOT / "tests"))  # the load generator lives with the tests, which use it too


def prepare() -> Path:
    """A temporary directory for the run; Prefect gets its home there, analytics off and quiet logs.

    Prefect starts a temporary API server on the first flow call; on a loaded machine that can
    take longer than Prefect's default 20 s, hence the longer start-up timeout.
    """
    tmp = Path(tempfile.mkdtemp(prefix="warwatch-bench-"))
    os.environ.update(
        PREFECT_HOME=str(tmp / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
        PREFECT_LOGGING_LEVEL="WARNING", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
    )
    os.environ.pop("PREFECT_API_URL", None)
    os.environ.pop("SLACK_BOT_TOKEN", None)
    return tmp


class Stopwatch:
    """Times named functions wherever they run (any thread), nested calls under their caller's label.

    ``wrap(owner, "name", "label")`` replaces ``owner.name`` by a timed wrapper; a call made inside
    another timed call is recorded as ``outer/label``. ``seconds`` sums the calls (threads overlap,
    so a sum can exceed the wall time); ``span`` is first start to last end, the wall time of a
    stage that runs in many threads at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.seconds: dict[str, float] = defaultdict(float)
            self.calls: dict[str, int] = defaultdict(int)
            self.spans: dict[str, list[float]] = {}
            self.intervals: dict[str, list[tuple[float, float]]] = defaultdict(list)

    def wrap(self, owner: object, name: str, label: str) -> None:
        real = getattr(owner, name)
        watch = self

        def timed(*args, **kwargs):
            stack = watch._local.__dict__.setdefault("stack", [])
            key = "/".join([*stack[-1:], label]) if stack else label
            stack.append(key)
            start = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                end = time.perf_counter()
                stack.pop()
                with watch._lock:
                    watch.seconds[key] += end - start
                    watch.calls[key] += 1
                    watch.intervals[key].append((start, end))
                    span = watch.spans.setdefault(key, [start, end])
                    span[0], span[1] = min(span[0], start), max(span[1], end)

        setattr(owner, name, timed)

    def span(self, key: str) -> float:
        first, last = self.spans.get(key, (0.0, 0.0))
        return last - first

    def covered(self, key: str) -> float:
        """Wall time during which at least one call of ``key`` was running."""
        total, reach = 0.0, float("-inf")
        for start, end in sorted(self.intervals.get(key, [])):
            total += max(0.0, end - max(start, reach))
            reach = max(reach, end)
        return total


def watch_monitor() -> Stopwatch:
    """A stopwatch on the monitor's stages, wrapped where the tasks look them up."""
    import prefect.concurrency._sync

    import warwatch.feeds.polling
    import warwatch.stories.grouping
    import warwatch.stories.vectors
    import warwatch.tasks.claims
    import warwatch.tasks.delivery
    import warwatch.tasks.feeds
    import warwatch.tasks.report
    import warwatch.tasks.stories

    watch = Stopwatch()
    for owner, name, label in [
        (warwatch.tasks.feeds, "sync_feeds", "sync"),
        (warwatch.tasks.feeds, "poll_feed", "poll"),
        (warwatch.feeds.polling, "fetch", "fetch"),
        (warwatch.feeds.polling, "parse_feed", "parse"),
        (warwatch.feeds.polling, "store_entries", "store"),
        (warwatch.feeds.polling, "_succeeded", "commit"),
        (warwatch.tasks.feeds, "enqueue_feed_alert", "feed alerts"),
        (warwatch.tasks.stories, "assign_stories", "stories"),
        (warwatch.stories.vectors, "encode", "embedding"),
        (warwatch.stories.grouping.StoryGrouper, "add", "grouping"),
        (warwatch.tasks.stories, "enqueue_assignments", "outbox"),
        (warwatch.tasks.stories, "story_decision_rows", "decision table"),
        (warwatch.tasks.stories, "create_table_artifact", "decision artifact"),
        (warwatch.tasks.claims, "check_claims", "claims"),
        (warwatch.tasks.delivery, "deliver_pending", "delivery"),
        (warwatch.tasks.report, "run_summary_markdown", "summary"),
        (warwatch.tasks.report, "create_table_artifact", "feed health artifact"),
        # a task with tags asks the Prefect API for its tags' concurrency slots before it runs
        (prefect.concurrency._sync, "acquire_concurrency_slots_with_lease", "tag slots"),
    ]:
        watch.wrap(owner, name, label)
    return watch


def breakdown(watch: Stopwatch, wall: float) -> dict[str, float]:
    """Where one monitor cycle's wall time went, in seconds.

    Polling runs in many threads: its wall time is the span of the polls, and its parts
    (fetch, parse, store, commit) are summed over the threads. The other stages run one
    after the other; what they do not cover is Prefect's own work (task and flow runs, states,
    the other artifacts, API calls) plus the flow's glue.
    """
    s = watch.seconds
    poll_wall = watch.span("poll")
    serial = ["sync", "feed alerts", "stories", "claims", "delivery", "summary"]
    out = {
        "cycle_wall": wall,
        "poll_wall": poll_wall,
        "poll_thread_seconds": s["poll"],
        "fetch_thread_seconds": s["poll/fetch"],
        "parse_thread_seconds": s["poll/parse"],
        "store_thread_seconds": s["poll/store"],
        "commit_thread_seconds": s["poll/commit"],
        "stories": s["stories"],
        "stories_embedding": s["stories/embedding"],
        "stories_grouping": s["stories/grouping"],
        "stories_other": s["stories"] - s["stories/embedding"] - s["stories/grouping"],
        "outbox": s["outbox"],
        "decision_table": s["decision table"],
        "decision_artifact": s["decision artifact"],
        "feed_health_artifact": s["feed health artifact"],
        "claims": s["claims"],
        "claims_embedding": s["claims/embedding"],
        "delivery": s["delivery"],
        "sync_feeds": s["sync"],
        "feed_alerts": s["feed alerts"],
        "summary": s["summary"],
    }
    covered = poll_wall + sum(s[k] for k in serial) + sum(s[k] for k in ("outbox", "decision table", "decision artifact",
                                                                          "feed health artifact"))
    out["prefect_and_glue"] = wall - covered
    out["of_which_waiting_for_tag_slots"] = watch.covered("tag slots")
    return {k: round(v, 3) for k, v in out.items()}


def timed_cycle(monitor: Callable) -> tuple[float, float, float, str]:
    """Run one monitor cycle; (call wall s, the flow run's own Running->Completed s, CPU s of this process, summary)."""
    from prefect.client.orchestration import get_client

    start, cpu = time.perf_counter(), time.process_time()
    state = monitor(return_state=True)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    summary = state.result()
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    own = (run.end_time - run.start_time).total_seconds() if run.end_time and run.start_time else float("nan")
    return wall, own, cpu, summary


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def load_average() -> float:
    """The machine's 1-minute load average: the benchmarks share 2 cores with other work."""
    return round(os.getloadavg()[0], 2)


TOKEN = "xoxb-bench"


def _serve_slack(urls) -> None:
    """Child-process entry point: the Slack double until killed."""
    from warwatch.demo.slack_double import SlackDouble

    with SlackDouble(tokens={TOKEN}) as slack:
        urls.put(slack.base_url)
        threading.Event().wait()


class SlackProcess:
    """The Slack double in a child process (its record of every message stays out of the measured process)."""

    def __enter__(self) -> dict[str, str]:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        urls = context.Queue()
        self._child = context.Process(target=_serve_slack, args=(urls,), daemon=True)
        self._child.start()
        return {"SLACK_BOT_TOKEN": TOKEN, "WARWATCH_SLACK_CHANNEL": "C0NEWS",
                "WARWATCH_SLACK_API_URL": urls.get(timeout=120), "WARWATCH_SLACK_PACE_SECONDS": "0"}

    def __exit__(self, *exc) -> None:
        self._child.terminate()
        self._child.join(10)

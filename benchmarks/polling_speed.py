"""Polling speed: monitor cycles over 200 generated feeds on a local server (issue 7, item 3).

(a) Every feed answers 304: after a first cycle has stored the feeds (and paid for Prefect's
    start-up and the model load), the monitor flow is called again in the same process, several
    times. Reported: the median wall time of the flow call, the flow run's own Running->Completed
    time as Prefect records it, and the CPU time of this process. Between these cycles an empty
    flow of the same shape (23 no-op task runs) is timed: Prefect's floor on this machine, so the
    ratio cycle/floor says what warwatch adds, whatever else loads the machine.
(b) Every feed gains 50 new items (10,000 articles): one cycle, and where its time goes (fetch,
    parse, store, commit summed over the polling threads; story embedding, grouping, claims,
    delivery to the Slack double, and what is left: Prefect and the flow's glue).

The feed server and the Slack double run in child processes. Items are a headline and one
sentence, written from templates (tests/support/loadgen.py).

    python benchmarks/polling_speed.py [--feeds 200] [--items 50] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os

from common import row, save
from monitor_bench import SlackProcess, breakdown, load_average, median, prepare, timed_cycle, watch_monitor

TARGET_304_SECONDS = 3.0


def floor_flow():
    """A flow shaped like the monitor (a task, 16 mapped, six more) whose tasks do nothing."""
    from prefect import flow, task
    from prefect.cache_policies import NONE
    from prefect.task_runners import ThreadPoolTaskRunner

    @task(cache_policy=NONE)
    def nothing(i: int = 0) -> int:
        return i

    @flow(name="prefect-floor", task_runner=ThreadPoolTaskRunner(max_workers=16))
    def floor() -> str:
        nothing()
        nothing.map(range(16)).result()
        for _ in range(6):
            nothing()
        return ""

    return floor


def counts(url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from warwatch.store.db import session
    from warwatch.store.models import Article, Delivery

    with session(url) as s:
        return {
            "articles": s.scalar(select(func.count()).select_from(Article)),
            "unassigned": s.scalar(select(func.count()).select_from(Article).where(Article.story_id.is_(None))),
            "deliveries_not_sent": s.scalar(select(func.count()).select_from(Delivery).where(Delivery.status != "sent")),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50, help="new items per feed in cycle (b)")
    parser.add_argument("--repeats", type=int, default=5, help="304 cycles (and floor runs) in (a)")
    args = parser.parse_args()
    tmp = prepare()
    from support.loadgen import FeedPlan, LoadFeedServer, settings_env

    with LoadFeedServer(args.feeds, FeedPlan(initial=2, step=args.items), process=True) as feeds, \
            SlackProcess() as slack:
        os.environ.update(settings_env(tmp / "data", feeds.specs(), **slack))
        from warwatch.config.settings import load_settings
        from warwatch.flows.monitor import monitor

        url = load_settings().db_url
        watch = watch_monitor()
        floor = floor_flow()
        first_wall, _, _, _ = timed_cycle(monitor)  # Prefect's server start-up, migrations, the model load
        stored = counts(url)
        assert stored["articles"] == feeds.items_served(), stored

        all_304 = f"| {args.feeds} | {args.feeds} | 0 | 0 |"  # polled, not modified, failed, new
        walls, owns, cpus, floors, loads, parts = [], [], [], [], [], []
        for _ in range(args.repeats):
            watch.reset()
            wall, own, cpu, summary = timed_cycle(monitor)
            assert all_304 in summary, summary
            walls.append(wall), owns.append(own), cpus.append(cpu), loads.append(load_average())
            parts.append(breakdown(watch, wall))
            floors.append(timed_cycle(floor)[0])
        typical = sorted(parts, key=lambda p: p["cycle_wall"])[len(parts) // 2]

        feeds.advance()
        watch.reset()
        load_before = load_average()
        wall, own, cpu, summary = timed_cycle(monitor)
        fresh = breakdown(watch, wall)
        after = counts(url)
        new = after["articles"] - stored["articles"]
        assert new == args.feeds * args.items and after["unassigned"] == 0, after

    cycle_304 = median(walls)
    result = {
        "feeds": args.feeds,
        "first_cycle_with_startup_s": round(first_wall, 2),
        "not_modified": {
            "cycles": args.repeats,
            "wall_s": [round(w, 3) for w in walls],
            "median_wall_s": cycle_304,
            "median_flow_run_s": median(owns),
            "median_cpu_s": median(cpus),
            "median_empty_flow_s": median(floors),
            "ratio_to_empty_flow": round(cycle_304 / median(floors), 2),
            "load_average": loads,
            "breakdown_of_median_cycle_s": typical,
        },
        "new_items": {
            "new_articles": new,
            "wall_s": round(wall, 2),
            "flow_run_s": round(own, 2),
            "cpu_s": round(cpu, 2),
            "articles_per_s": round(new / wall, 1),
            "deliveries_not_sent": after["deliveries_not_sent"],
            "load_average": [load_before, load_average()],
            "breakdown_s": fresh,
        },
        "note": "wall times on a shared 2-core machine: see load_average; the ratio to the empty flow "
                "compares with Prefect's own cost measured between the same cycles",
    }
    save("polling_speed", result, table=[
        row(f"304 cycle, {args.feeds} feeds (median wall, s)", cycle_304, f"≤ {TARGET_304_SECONDS:g} s",
            cycle_304 <= TARGET_304_SECONDS),
        row("304 cycle / empty Prefect flow of the same shape", result["not_modified"]["ratio_to_empty_flow"]),
        row(f"{args.feeds} feeds × {args.items} new items: cycle (s)", round(wall, 1), "report"),
        row(f"{args.feeds} feeds × {args.items} new items: articles/s", result["new_items"]["articles_per_s"]),
    ])


if __name__ == "__main__":
    main()

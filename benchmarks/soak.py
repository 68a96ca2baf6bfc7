"""Memory soak: one long-running process runs many monitor cycles against a local feed server (issue 7, item 6).

Each cycle a tenth of the feeds (a different tenth each time) gains two items; the others answer
304. Stories go to the Slack double. The feed server and the Slack double run in child processes,
so the resident memory (RSS, from /proc) sampled after every cycle is the monitor's alone.

The data a cycle works on is kept bounded, so that growth can only be a leak: items are published
three simulated hours apart and the story and claim windows are 24 hours, so after the first
cycles the grouper and the claim check see about the same number of recent articles every time.

Reported: RSS after warm-up (start) and at the end, and the slope of a least-squares line over the
post-warm-up cycles, in MB per 100 cycles. Verdict "no growth trend" when the rise that line
predicts over the measured cycles is within the noise: under 3 standard deviations of the samples
around the line, or under 2 MB (a few allocator arenas). Bounded by --cycles.

    python benchmarks/soak.py [--cycles 500] [--feeds 50] [--warmup 100]

A run of 500 cycles with a warm-up of 50 found RSS still rising (caches filling) until about
cycle 100 and flat after it, hence the default warm-up of a fifth of the cycles.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import timedelta

import numpy as np
from common import row, save
from monitor_bench import SlackProcess, load_average, prepare

NOISE_FLOOR_MB = 2.0


def trend(cycles: list[int], rss: list[float]) -> dict:
    """Least-squares slope of RSS over cycles and whether the rise it predicts stands out of the noise."""
    x, y = np.asarray(cycles, dtype=float), np.asarray(rss)
    slope, intercept = np.polyfit(x, y, 1)
    residual_sd = float(np.std(y - (slope * x + intercept), ddof=2)) if len(x) > 2 else 0.0
    rise = float(slope * (x[-1] - x[0]))
    grows = rise > max(3 * residual_sd, NOISE_FLOOR_MB)
    return {"slope_mb_per_100_cycles": round(float(slope) * 100, 3), "fitted_rise_mb": round(rise, 2),
            "residual_sd_mb": round(residual_sd, 2), "verdict": "growth trend" if grows else "no growth trend"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=500)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=None, help="cycles before the start sample (default: a fifth)")
    args = parser.parse_args()
    warmup = args.warmup if args.warmup is not None else max(args.cycles // 5, 1)
    if not 0 < warmup < args.cycles - 2:
        parser.error("--warmup must leave at least 3 measured cycles")
    tmp = prepare()
    from support.loadgen import FeedPlan, LoadFeedServer, rss_mb, settings_env

    plan = FeedPlan(initial=2, step=2, window=20, spacing=timedelta(hours=3))
    rss, walls = [], []
    with LoadFeedServer(args.feeds, plan, process=True) as feeds, SlackProcess() as slack:
        os.environ.update(settings_env(tmp / "data", feeds.specs(), WARWATCH_STORIES__WINDOW_HOURS="24",
                                       WARWATCH_CLAIMS__WINDOW_HOURS="24", **slack))
        from warwatch.flows.monitor import monitor

        started = time.perf_counter()
        for cycle in range(args.cycles):
            if cycle:
                feeds.advance([i for i in range(args.feeds) if (i + cycle) % 10 == 0])
            start = time.perf_counter()
            monitor()
            walls.append(time.perf_counter() - start)
            rss.append(rss_mb())
            if cycle % 25 == 0 or cycle == args.cycles - 1:
                print(f"cycle {cycle}: {rss[-1]:.1f} MB, {walls[-1]:.2f} s", flush=True)
        elapsed = time.perf_counter() - started
        served = feeds.items_served()

    from sqlalchemy import func, select

    from warwatch.config.settings import load_settings
    from warwatch.store.db import session
    from warwatch.store.models import Article, Delivery, Feed

    with session(load_settings().db_url) as s:
        stored = s.scalar(select(func.count()).select_from(Article))
        unassigned = s.scalar(select(func.count()).select_from(Article).where(Article.story_id.is_(None)))
        unsent = s.scalar(select(func.count()).select_from(Delivery).where(Delivery.status != "sent"))
        failing = s.scalar(select(func.count()).select_from(Feed).where(Feed.last_error.is_not(None)))
    assert stored == served and not unassigned and not unsent and not failing, (stored, served, unassigned, unsent,
                                                                              failing)
    measured = list(range(warmup, args.cycles))
    fit = trend(measured, rss[warmup:])
    result = {
        "cycles": args.cycles,
        "feeds": args.feeds,
        "warmup_cycles": warmup,
        "articles_stored": stored,
        "items_served": served,
        "unassigned": unassigned,
        "deliveries_not_sent": unsent,
        "rss_first_cycle_mb": round(rss[0], 1),
        "rss_start_mb": round(rss[warmup], 1),
        "rss_end_mb": round(rss[-1], 1),
        "rss_max_mb": round(max(rss), 1),
        **fit,
        "noise_criterion": f"growth only if the fitted rise > max(3 x residual sd, {NOISE_FLOOR_MB:g} MB)",
        "median_cycle_s": round(float(np.median(walls)), 3),
        "elapsed_s": round(elapsed, 1),
        "load_average": load_average(),
        "rss_mb": [round(v, 2) for v in rss],
    }
    save("soak", result, table=[
        row(f"soak RSS start → end ({args.cycles} cycles, MB)", f"{result['rss_start_mb']} → {result['rss_end_mb']}"),
        row("soak RSS slope (MB per 100 cycles)", fit["slope_mb_per_100_cycles"], "no growth trend after warm-up",
            fit["verdict"] == "no growth trend"),
    ])


if __name__ == "__main__":
    main()

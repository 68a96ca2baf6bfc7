"""Load: one monitor cycle over 500 local feeds × 100 items, and a replay of 10,000 articles (issue 8).

The same two loads as tests/flows/test_load.py (the code is in tests/support/loadgen.py), each run as a child
process (``warwatch run`` against a local Prefect server, ``warwatch replay --json``); reported:
wall time, items per second and the child's peak RSS, beside the budgets the test asserts. Items
are a headline of about ten words and a sentence of about six; the load feeds are muted, so the
cycle posts nothing. The child's wall time includes its start-up (imports, the model load).

    python benchmarks/load.py [--feeds 500] [--items 100] [--articles 10000]
"""

from __future__ import annotations

import argparse
import os

from common import row, save
from monitor_bench import load_average, prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    tmp = prepare()
    from support.loadgen import (
        MONITOR_BUDGET_MB,
        MONITOR_BUDGET_S,
        REPLAY_BUDGET_MB,
        REPLAY_BUDGET_S,
        monitor_load,
        replay_load,
    )

    from warwatch.demo.prefect_server import PrefectServer

    (tmp / "monitor").mkdir()
    (tmp / "replay").mkdir()
    loads = [load_average()]
    with PrefectServer(tmp / "prefect-server") as prefect:
        monitor = monitor_load(tmp / "monitor", args.feeds, args.items, prefect.api_url, limit_s=4 * MONITOR_BUDGET_S)
    loads.append(load_average())
    replay = replay_load(tmp / "replay", args.articles, limit_s=4 * REPLAY_BUDGET_S)
    loads.append(load_average())
    result = {}
    for name, run, budget_s, budget_mb in [("monitor_cycle", monitor, MONITOR_BUDGET_S, MONITOR_BUDGET_MB),
                                           ("replay", replay, REPLAY_BUDGET_S, REPLAY_BUDGET_MB)]:
        result[name] = {"items": run.items, "wall_s": round(run.wall_s, 1), "cpu_s": round(run.cpu_s, 1),
                        "items_per_s": round(run.items_per_s, 1), "peak_rss_mb": round(run.peak_rss_mb),
                        "budget_s": budget_s, "budget_rss_mb": budget_mb, "problems": list(run.problems)}
    result["load_average"] = loads
    result["cpu_count"] = os.cpu_count()
    m, r = result["monitor_cycle"], result["replay"]
    save("load", result, table=[
        row(f"load: cycle over {args.feeds} feeds × {args.items} items (s)", m["wall_s"], f"< {MONITOR_BUDGET_S} s",
            m["wall_s"] < MONITOR_BUDGET_S and not m["problems"]),
        row("load: cycle items/s", m["items_per_s"]),
        row("load: cycle peak RSS (MB)", m["peak_rss_mb"], f"< {MONITOR_BUDGET_MB} MB", m["peak_rss_mb"] < MONITOR_BUDGET_MB),
        row(f"load: replay of {args.articles:,} articles (s)", r["wall_s"], f"< {REPLAY_BUDGET_S} s",
            r["wall_s"] < REPLAY_BUDGET_S and not r["problems"]),
        row("load: replay articles/s", r["items_per_s"]),
        row("load: replay peak RSS (MB)", r["peak_rss_mb"], f"< {REPLAY_BUDGET_MB} MB", r["peak_rss_mb"] < REPLAY_BUDGET_MB),
    ])


if __name__ == "__main__":
    main()

"""One `warwatch run` over the 30 real general-news feeds of ../shared/eval-data/feeds/news_outlets.

The files are served on 127.0.0.1 (the demo's feed server, pointed at that folder); the run gets a throwaway
data directory and Prefect home, no Slack token (posts go to the console, kept in the run's log) and no
network beyond loopback. Reported: articles stored, stories and stories posted, contradictions recorded and
alerted, and each contradiction's kind, confidence, alerted flag, reason and the two claim sentences; and what
the topic gate let through: of the BBC, CNN and NYT items the dev relevance set labels, the war items and the
other items posted, and the headlines posted from the other feeds.

    python benchmarks/outlet_run.py
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, SHARED

FEEDS = SHARED / "eval-data" / "feeds"
OUTLETS = FEEDS / "news_outlets"
TIMEOUT_SECONDS = 3600


def outlet_files() -> list[str]:
    """The news_outlets files MANIFEST.tsv lists, which must be those in the folder."""
    with (FEEDS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        listed = sorted(row["file"].removeprefix("news_outlets/") for row in csv.DictReader(handle, delimiter="\t")
                        if row["file"].startswith("news_outlets/"))
    on_disk = sorted(p.name for p in OUTLETS.iterdir() if p.is_file())
    if listed != on_disk:
        raise SystemExit(f"MANIFEST.tsv and {OUTLETS} disagree: {sorted(set(listed) ^ set(on_disk))}")
    return listed


def run_env(tmp: Path) -> dict[str, str]:
    """This process's environment without warwatch, Prefect, Slack or proxy settings, plus the throwaway ones."""
    drop = ("WARWATCH_", "PREFECT_", "SLACK_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop) and "proxy" not in k.lower()}
    env.update(
        WARWATCH_DATA_DIR=str(tmp), WARWATCH_DATABASE_URL=f"sqlite:///{tmp / 'warwatch.db'}",
        WARWATCH_FEEDS_FILE=str(tmp / "feeds.toml"), WARWATCH_SLACK_PACE_SECONDS="0",
        WARWATCH_HTTP__ALLOW_PRIVATE_ADDRESSES="true",
        PREFECT_HOME=str(tmp / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
        PREFECT_LOGGING_LEVEL="WARNING", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
        HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost",
    )
    return env


def run_monitor(tmp: Path) -> None:
    """Serve the outlet files on loopback and run one `warwatch run` against them; its output goes to run.log."""
    from warwatch.config.settings import FeedSpec, dump_feeds
    from warwatch.demo.server import DemoServer

    with DemoServer(OUTLETS) as server:
        specs = [FeedSpec(name=Path(f).stem, url=f"{server.base_url}/{f}", tags=["outlet"]) for f in outlet_files()]
        (tmp / "feeds.toml").write_text(dump_feeds(specs), encoding="utf-8")
        with open(tmp / "run.log", "w", encoding="utf-8") as log:
            done = subprocess.run([sys.executable, "-m", "warwatch", "run"], cwd=ROOT, env=run_env(tmp),
                                  stdout=log, stderr=subprocess.STDOUT, timeout=TIMEOUT_SECONDS)
    if done.returncode:
        tail = (tmp / "run.log").read_text(encoding="utf-8", errors="replace")[-4000:]
        raise SystemExit(f"warwatch run exited {done.returncode}:\n{tail}")


FINDINGS = """
    SELECT c.kind, c.confidence, c.alerted, c.reason, a.text, b.text
    FROM contradictions c JOIN claims a ON a.id = c.claim_id JOIN claims b ON b.id = c.other_claim_id
    ORDER BY c.id"""


POSTED = """
    SELECT f.name, a.title, EXISTS (SELECT 1 FROM deliveries d WHERE d.article_id = a.id AND d.kind IN ('story', 'update'))
    FROM articles a JOIN feeds f ON f.id = a.feed_id"""

LABELLED = {"bbc_2024-08-08": "BBC News", "cnn_2024-08-08": "CNN", "nytimes_2024-08-08": "The New York Times"}
"""The feed files whose items the dev relevance set labels (its README names them)."""


def read_store(db: Path) -> dict:
    """Counts, contradictions and what was posted, from the run's SQLite store."""
    with sqlite3.connect(db) as con:
        count = lambda table: con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: E731
        findings = [{"kind": kind, "confidence": confidence, "alerted": bool(alerted), "reason": reason,
                     "claim": claim, "other_claim": other} for kind, confidence, alerted, reason, claim, other
                    in con.execute(FINDINGS)]
        articles = con.execute(POSTED).fetchall()
        return {"articles": count("articles"), "stories": count("stories"), "contradictions": len(findings),
                "alerted": sum(f["alerted"] for f in findings), "findings": findings,
                "stories_posted": con.execute("SELECT COUNT(*) FROM deliveries WHERE kind = 'story'").fetchone()[0],
                "topic": topic_figures(articles)}


def topic_figures(articles: list[tuple[str, str, bool]]) -> dict:
    """What the topic gate let through: for the feed files the dev relevance set labels, its war and other items
    posted (as a story or a story's update); for the other files, the headlines posted."""
    labels = {}
    for line in (SHARED / "eval-data" / "dev" / "relevance" / "items.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        labels[item["source"], item["title"].strip()] = item["relevant"]
    labelled = {"war": [0, 0], "other": [0, 0]}  # [items, posted]
    wrong = []
    for feed, title, posted in articles:
        if feed in LABELLED and (label := labels.get((LABELLED[feed], title.strip()))) is not None:
            counts = labelled["war" if label else "other"]
            counts[0] += 1
            counts[1] += bool(posted)
            if bool(posted) != label:
                wrong.append(f"{feed}: {title} ({'posted' if posted else 'not posted'})")
    unlabelled = {(feed, title) for feed, title, posted in articles if posted and feed not in LABELLED}
    return {"labelled_war_items": labelled["war"][0], "labelled_war_posted": labelled["war"][1],
            "labelled_other_items": labelled["other"][0], "labelled_other_posted": labelled["other"][1],
            "labelled_wrong": sorted(wrong), "other_feeds_posted": sorted(f"{feed}: {title}" for feed, title in unlabelled)}


def main() -> dict:
    """Run the cycle in a throwaway directory; {"articles", "stories", "contradictions", "alerted", "findings"}."""
    with tempfile.TemporaryDirectory(prefix="warwatch-outlets-", ignore_cleanup_errors=True) as tmp:
        run_monitor(Path(tmp))
        return read_store(Path(tmp) / "warwatch.db")


def show(result: dict, seconds: float) -> None:
    print(f"outlet run: {len(outlet_files())} feeds, {seconds:.0f} s; articles={result['articles']} "
          f"stories={result['stories']} posted={result['stories_posted']} "
          f"contradictions={result['contradictions']} alerted={result['alerted']}")
    topic = result["topic"]
    print(f"labelled items (BBC, CNN, NYT): war {topic['labelled_war_posted']}/{topic['labelled_war_items']} posted, "
          f"other {topic['labelled_other_posted']}/{topic['labelled_other_items']} posted")
    for line in topic["labelled_wrong"]:
        print(f"  labelled, wrong: {line}")
    for line in topic["other_feeds_posted"]:
        print(f"  posted: {line}")
    for f in result["findings"]:
        print(f"- {f['kind']} conf={f['confidence']:.2f} alerted={'yes' if f['alerted'] else 'no'} | {f['reason']} "
              f"| {f['claim']!r} vs {f['other_claim']!r}")


if __name__ == "__main__":
    start = time.perf_counter()
    outcome = main()
    show(outcome, time.perf_counter() - start)

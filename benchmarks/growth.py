"""Store growth over a year of polling, with and without retention (issue 21).

A simulated clock runs ``--days`` days at ``--per-day`` articles, once without retention and once with
``retention.days`` 90. Each day's articles are written as the monitor leaves them: grouped into stories (a story
gets reports for up to three days), each with its cached vector (384 float32s), a claim and its sentence vector for
every other one, a sent delivery each (a story post or a thread update, Block Kit payload) and now and then a
contradiction. They are written in bulk, with random vectors, because encoding a year of news takes days on a CPU;
then the day ends with the prune the monitor flow runs after delivery. On the checkpoint days a real monitor cycle
(ten minutes of news: ``--per-day / 144`` articles written for this benchmark) goes through the real stages (store,
group into stories over the window, enqueue, extract and check claims, prune) twice, ten minutes apart: the first
builds the nearest-neighbour graphs from the store, as after a restart; the second, timed as "one cycle", finds them
saved, as every other cycle of a running monitor. The store's size on disk is measured then (the SQLite file and its
write-ahead log, checkpointed).

    python benchmarks/growth.py [--days 365] [--per-day 5000] [--checkpoints 30 180 365]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from common import row, save
from sqlalchemy import func, insert, select, update

from warwatch.claims.extract import extract_claims
from warwatch.claims.parse import warm as warm_parser
from warwatch.claims.stage import check_claims
from warwatch.config.settings import FeedSpec, Settings
from warwatch.delivery.outbox import enqueue_assignments, enqueue_contradictions
from warwatch.embedding import embedding_text, load_model
from warwatch.feeds.articles import store_entries
from warwatch.feeds.parse import Entry
from warwatch.feeds.polling import sync_feeds
from warwatch.store.db import engine_for, session
from warwatch.store.models import Article, ArticleBody, Claim, Contradiction, Delivery, Embedding, Story
from warwatch.store.retention import prune
from warwatch.stories.assign import assign_stories
from warwatch.stories.vectors import embedding_key

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
FEEDS = 30
DIM = 384
# Words for generated bodies, written for this benchmark.
WORDS = ("the regional governor said drones struck an energy facility overnight while air defence units "
         "reported intercepting most of them near the border towns and villages where residents were told "
         "to stay in shelters as repair crews worked to restore power and water to several districts after "
         "heavy shelling damaged homes schools and a hospital in the city officials added that talks on "
         "prisoner exchanges continued and that front line units held their positions despite attacks").split()
PLACES = ["Kharkiv", "Zaporizhzhia", "Kherson", "Sumy", "Odesa", "Dnipro", "Pokrovsk", "Kupiansk"]
CYCLE_SENTENCES = [  # a real cycle's reports: claims the extractor reads
    "Officials said {n} people were killed in a missile strike on {place} on {day}.",
    "At least {n} civilians were wounded when drones hit {place}, the regional governor said.",
    "The military said its forces shot down {n} drones over {place} overnight.",
]


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choices(WORDS, k=count))


class Year:
    """One arm of the benchmark: a store filled day by day, its ids counted here so rows are written in bulk."""

    def __init__(self, root: Path, retention_days: float, per_day: int, seed: int) -> None:
        root.mkdir(parents=True)
        self.db = root / "warwatch.db"
        self.settings = Settings(data_dir=root, database_url=f"sqlite:///{self.db}", retention={"days": retention_days},
                                 stories={"topic": "none"})
        self.engine = engine_for(self.settings.db_url)
        self.per_day, self.rng, self.np = per_day, random.Random(seed), np.random.default_rng(seed)
        self.model = self.settings.stories.model_name
        with session(self.settings.db_url) as s:
            self.feeds = sync_feeds(s, [FeedSpec(name=f"Outlet {i}", url=f"https://outlet{i}.example/feed")
                                        for i in range(FEEDS)])
            s.commit()
        self.next = {"article": 1, "story": 1, "claim": 1}
        self.claims = [claim for template in CYCLE_SENTENCES for place in PLACES
                       for claim in extract_claims("", template.format(n=12, place=place, day="Monday"), T0, "Outlet")]
        self.open: dict[int, datetime] = {}  # story id -> first report, for stories still being reported

    def ids(self, kind: str, count: int) -> range:
        start = self.next[kind]
        self.next[kind] += count
        return range(start, start + count)

    def fill(self, day: int) -> None:
        """Write one day of news as the monitor would have stored, grouped, checked and delivered it."""
        start, rng = T0 + timedelta(days=day), self.rng
        self.open = {sid: first for sid, first in self.open.items() if start - first < timedelta(days=3)}
        new_stories = list(self.ids("story", self.per_day // 6))
        articles, bodies, embeddings, claims, deliveries, stories, touched = [], [], [], [], [], [], {}
        for sid in new_stories:
            self.open[sid] = start
        choices = list(self.open)
        for aid in self.ids("article", self.per_day):
            published = start + timedelta(seconds=rng.uniform(0, 86_400))
            sid = new_stories[aid % len(new_stories)] if aid % 3 else rng.choice(choices)
            title = f"{rng.choice(PLACES)}: {words(rng, 9)}"
            body = ". ".join(words(rng, 14) for _ in range(10)) + "."
            key = embedding_key(self.model, embedding_text(title, body))
            first = sid not in touched and sid in new_stories
            touched[sid] = max(touched.get(sid, published), published)
            articles.append(dict(id=aid, feed_id=rng.choice(self.feeds), guid=f"urn:{aid}", url=f"https://x.example/{aid}",
                                 title=title, language="en", published=published, fetched_at=published,
                                 content_hash=hashlib.sha256(str(aid).encode()).hexdigest(), story_id=sid,
                                 embedding_key=key, score=0.5, claims_checked=True, relevant=True))
            bodies.append(dict(article_id=aid, text=body))
            embeddings.append(dict(key=key, vector=self.vector()))
            if aid % 2:
                sentence = f"{rng.choice(PLACES)} {words(rng, 16)}."
                claim_key = embedding_key(self.model, sentence)
                claim = replace(rng.choice(self.claims), text=sentence, published=published)
                claims.append(dict(id=self.ids("claim", 1)[0], article_id=aid, story_id=sid, kind=claim.kind,
                                   text=sentence, published=published, embedding_key=claim_key, facts=claim.facts()))
                embeddings.append(dict(key=claim_key, vector=self.vector()))
            message = f"{title} ({words(rng, 20)})"
            deliveries.append(dict(key=f"{'story' if first else 'update'}:{sid if first else aid}",
                                   kind="story" if first else "update", story_id=sid, article_id=aid, channel="C0WAR",
                                   text=message, status="sent", created_at=published, sent_at=published,
                                   slack_ts=f"{published.timestamp():.6f}", parts_sent=1, attempts=1,
                                   payload=[{"text": message, "blocks": [
                                       {"type": "section", "text": {"type": "mrkdwn", "text": message}},
                                       {"type": "context", "elements": [{"type": "mrkdwn", "text": words(rng, 12)}]}]}]))
        for sid in new_stories:
            stories.append(dict(id=sid, title=f"{words(rng, 8)}", first_seen=start, last_updated=touched.get(sid, start),
                                article_count=1, sources=["Outlet 1"], relevant=True))
        with session(self.settings.db_url) as s:
            s.execute(insert(Story), stories)
            if later := [{"id": sid, "last_updated": when} for sid, when in touched.items() if sid not in new_stories]:
                s.execute(update(Story), later)
            s.execute(insert(Article), articles)
            s.execute(insert(ArticleBody), bodies)
            s.execute(insert(Embedding).prefix_with("OR IGNORE"), embeddings)
            s.execute(insert(Claim), claims)
            s.execute(insert(Delivery).prefix_with("OR IGNORE"), deliveries)
            if found := [dict(claim_id=c["id"], other_claim_id=c["id"] - 1, story_id=c["story_id"], kind="contradiction",
                              reason="figures differ", created_at=start) for c in claims[1::250]]:
                s.execute(insert(Contradiction), found)
            s.commit()

    def vector(self) -> bytes:
        return self.np.standard_normal(DIM, dtype=np.float32).tobytes()

    def cycle(self, day: int, minute: int = 0) -> dict:
        """A real monitor cycle ``minute`` minutes after ``day``: ten minutes of news through the stages, then the
        prune."""
        now = T0 + timedelta(days=day + 1, minutes=minute)
        rng, count = self.rng, max(self.per_day // 144, 1)
        entries = []
        for i in range(count):
            place = rng.choice(PLACES)
            sentence = rng.choice(CYCLE_SENTENCES).format(n=rng.randint(2, 60), place=place, day="Monday")
            entries.append((rng.choice(self.feeds), Entry(guid=f"cycle-{day}-{minute}-{i}", url=f"https://x.example/c{day}-{minute}-{i}",
                                                          title=f"{place}: {words(rng, 8)}", text=f"{sentence} {words(rng, 40)}.",
                                                          published=now - timedelta(minutes=rng.uniform(0, 10)),
                                                          language="en")))
        started = time.perf_counter()
        with session(self.settings.db_url) as s:
            store_entries(s, entries, now)
            s.commit()
            assignments = assign_stories(s, self.settings.stories, index_file=self.settings.index_file("stories"))
            enqueue_assignments(s, assignments, self.settings)
            s.commit()
            found = check_claims(s, self.settings.stories, self.settings.claims,
                                 index_file=self.settings.index_file("claims"))
            enqueue_contradictions(s, found)
            s.commit()
        staged = time.perf_counter()
        report = prune(self.engine, self.settings, now)
        pruned = time.perf_counter()
        with session(self.settings.db_url) as s:  # the stages numbered their own rows
            for kind, model in (("article", Article), ("story", Story), ("claim", Claim)):
                self.next[kind] = s.scalar(select(func.max(model.id))) + 1
        return {"cycle_s": round(pruned - started, 2), "stages_s": round(staged - started, 2),
                "prune_s": round(pruned - staged, 2), "articles": count, "pruned_stories": report.stories}

    def size_mb(self) -> tuple[float, dict[str, float]]:
        """The store's size on disk, and each table's share (its rows and indexes, from SQLite's dbstat)."""
        connection = self.engine.raw_connection()  # outside a transaction, which the store's sessions always begin
        try:
            sqlite = connection.driver_connection
            sqlite.executescript("PRAGMA wal_checkpoint(TRUNCATE);")
            tables = sqlite.execute("SELECT m.tbl_name, SUM(d.pgsize) FROM dbstat d JOIN sqlite_master m "
                                    "ON d.name = m.name GROUP BY m.tbl_name ORDER BY 2 DESC").fetchall()
        finally:
            connection.close()
        files = [self.db, self.db.with_name(self.db.name + "-wal")]
        size = sum(f.stat().st_size for f in files if f.exists())
        return round(size / 1e6, 1), {name: round(pages / 1e6, 1) for name, pages in tables if pages > 1e6}


def run_arm(root: Path, retention_days: float, args) -> dict:
    """One arm in its own process: a warm-up cycle on a small throwaway store (models, parser, first calls), then
    the year."""
    load_model(Settings().stories.model_name)
    warm_parser()
    warm = Year(root / "warm-up", retention_days, 200, args.seed)
    warm.fill(0)
    warm.cycle(0)
    year = Year(root / "year", retention_days, args.per_day, args.seed)
    points, started = {}, time.perf_counter()
    for day in range(args.days):
        year.fill(day)
        if day + 1 in args.checkpoints:
            cold = year.cycle(day)  # the first after a restart: the nearest-neighbour graphs built from the store
            point = year.cycle(day, minute=10)  # the next, as every other cycle of a running monitor
            point["cold_cycle_s"] = cold["cycle_s"]
            point["size_mb"], point["tables_mb"] = year.size_mb()
            points[day + 1] = point
            print(f"retention {retention_days:g} d, day {day + 1}: {point}", flush=True)
        elif retention_days:
            prune(year.engine, year.settings, T0 + timedelta(days=day + 1))
        if (day + 1) % 30 == 0:
            print(f"retention {retention_days:g} d: {day + 1} days in {time.perf_counter() - started:.0f} s", flush=True)
    return {"checkpoints": points, "fill_s": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=5000)
    parser.add_argument("--checkpoints", type=int, nargs="+", default=[30, 180, 365])
    parser.add_argument("--retention-days", type=float, default=90.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if max(args.checkpoints) > args.days:
        parser.error("every checkpoint must fall within --days")
    tmp = Path(tempfile.mkdtemp(prefix="warwatch-growth-"))
    names = {"without retention": 0.0, f"retention {args.retention_days:g} days": args.retention_days}
    try:
        with ProcessPoolExecutor(len(names)) as pool:  # the arms side by side, one per core
            futures = {name: pool.submit(run_arm, tmp / name.replace(" ", "-"), days, args) for name, days in names.items()}
            arms = {name: future.result() for name, future in futures.items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    first, last = min(args.checkpoints), max(args.checkpoints)
    table = []
    for name, arm in arms.items():
        points = arm["checkpoints"]
        for day, point in points.items():
            table.append(row(f"{name}: store size on day {day} (MB)", point["size_mb"]))
            table.append(row(f"{name}: one cycle on day {day} (s)", point["cycle_s"]))
            table.append(row(f"{name}: first cycle after a restart on day {day} (s)", point["cold_cycle_s"]))
    kept = arms[f"retention {args.retention_days:g} days"]["checkpoints"]
    middle = sorted(kept)[-2] if len(kept) > 1 else last
    size_ratio = kept[last]["size_mb"] / kept[middle]["size_mb"]
    time_ratio = kept[last]["cycle_s"] / kept[middle]["cycle_s"]
    flat = size_ratio <= 1.1 and time_ratio <= 1.25
    table.append(row(f"with retention: size day {last} / day {middle}", round(size_ratio, 2), "<= 1.1 (flat)", size_ratio <= 1.1))
    table.append(row(f"with retention: cycle day {last} / day {middle}", round(time_ratio, 2), "<= 1.25 (flat)",
                     time_ratio <= 1.25))
    save("growth", {"days": args.days, "per_day": args.per_day, "first_checkpoint": first, "arms": arms, "flat": flat},
         table)


if __name__ == "__main__":
    main()

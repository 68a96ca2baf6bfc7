"""Helpers for tests that run the monitor flow in child processes (``tests/support/monitor_child.py``)
against the demo feeds, one SQLite store and the Slack double, and read back what they left."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import aliased

from warwatch.config.settings import dump_feeds
from warwatch.demo.server import FEEDS_DIR
from warwatch.demo.slack_double import SlackDouble
from warwatch.store.db import session
from warwatch.store.models import Article, Claim, Contradiction, Delivery, Feed, Story

CHILD = Path(__file__).resolve().parent / "monitor_child.py"
TOKEN = "xoxb-monitor-child"
CHANNEL = "C0NEWS"
TIMEOUT = 300



_ITEM = re.compile(r"\s*<(item|entry)>.*?</\1>", re.S)
_DATE = re.compile(r"<(?:pubDate|published)>([^<]+)<")


def stage_feeds(directory: Path, until: datetime | None = None) -> None:
    """Write the demo feeds into ``directory``: only the items published before ``until``, if given.

    Each call gives the files a newer modification time, so a conditional fetch sees the change.
    """
    directory.mkdir(parents=True, exist_ok=True)
    stamp = max((f.stat().st_mtime for f in directory.iterdir()), default=1.7e9) + 10
    for source in FEEDS_DIR.iterdir():
        if source.suffix not in (".xml", ".atom"):
            continue
        body = source.read_text(encoding="utf-8")
        if until is not None:
            body = _ITEM.sub(lambda m: m[0] if _published(m[0]) < until else "", body)
        target = directory / source.name
        target.write_text(body, encoding="utf-8")
        os.utime(target, (stamp, stamp))


def _published(item: str) -> datetime:
    value = _DATE.search(item)[1]
    return datetime.fromisoformat(value) if value[:4].isdigit() else parsedate_to_datetime(value)


@dataclass
class Store:
    """One data directory and the environment of the monitor runs on it."""

    directory: Path
    env: dict[str, str]

    @property
    def url(self) -> str:
        return self.env["WARWATCH_DATABASE_URL"]


def make_store(directory: Path, feed_specs, slack: SlackDouble, prefect_api_url: str) -> Store:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "feeds.toml").write_text(dump_feeds(feed_specs), encoding="utf-8")
    env = {name: value for name, value in os.environ.items() if not name.startswith("WARWATCH_")}
    env.update(
        WARWATCH_DATA_DIR=str(directory),
        WARWATCH_DATABASE_URL=f"sqlite:///{directory / 'warwatch.db'}",
        WARWATCH_FEEDS_FILE=str(directory / "feeds.toml"),
        WARWATCH_HTTP__ALLOW_PRIVATE_ADDRESSES="true",
        WARWATCH_SLACK_CHANNEL=CHANNEL,
        WARWATCH_SLACK_API_URL=slack.base_url,
        WARWATCH_SLACK_PACE_SECONDS="0.01",
        SLACK_BOT_TOKEN=TOKEN,
        PREFECT_API_URL=prefect_api_url,
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    return Store(directory, env)


def start(store: Store, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(CHILD), *args], env=store.env, cwd=CHILD.parents[2],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return process.returncode, out, err


def run(store: Store, *args: str) -> tuple[int, str, str]:
    """Run the monitor once in a child; (exit status, stdout, stderr)."""
    return finish(start(store, *args))


@dataclass(frozen=True)
class Outcome:
    """What the runs left, in terms that do not depend on row ids."""

    articles: Counter           # (feed, guid) -> rows
    stories: frozenset          # the partition of articles into stories
    empty_stories: int          # stories no article belongs to
    ungrouped: frozenset        # articles in no story
    duplicates: frozenset       # (copy, original) article pairs
    unchecked: frozenset        # grouped articles whose claims were never checked
    claims: Counter             # (article, kind, text) -> rows
    contradictions: Counter     # ((article, text), (article, text), kind) -> rows
    deliveries: Counter         # (kind, status) -> rows
    posted: Counter             # (thread parent's text or None, text, broadcast) -> posts in the channel
    keys: Counter               # delivery key in the message metadata -> posts
    parents: frozenset          # each top-level message's final text and blocks, after its edits


def outcome(store: Store, slack: SlackDouble) -> Outcome:
    with session(store.url) as s:
        feeds = dict(s.execute(select(Feed.id, Feed.name)).all())
        articles = s.scalars(select(Article)).all()
        name = {a.id: (feeds[a.feed_id], a.guid) for a in articles}
        by_story: dict[int, set] = {}
        for a in articles:
            if a.story_id is not None:
                by_story.setdefault(a.story_id, set()).add(name[a.id])
        story_ids = set(s.scalars(select(Story.id)))
        claims = s.scalars(select(Claim)).all()
        claim_of = {c.id: (name[c.article_id], c.text) for c in claims}
        other = aliased(Claim)
        pairs = s.execute(select(Contradiction.claim_id, Contradiction.other_claim_id, Contradiction.kind)
                          .join(Claim, Claim.id == Contradiction.claim_id)
                          .join(other, other.id == Contradiction.other_claim_id)).all()
        deliveries = Counter((d.kind, d.status) for d in s.scalars(select(Delivery)))
    posted, keys, parents = Counter(), Counter(), set()
    for message in slack.messages(CHANNEL):
        parents.add((message.text, repr(message.blocks)))
        for m, parent in [(message, None), *((r, message.text) for r in message.replies)]:
            posted[(parent, m.text, m.reply_broadcast)] += 1
            keys[(m.metadata or {}).get("event_payload", {}).get("key")] += 1
    return Outcome(
        articles=Counter(name.values()),
        stories=frozenset(frozenset(members) for members in by_story.values()),
        empty_stories=len(story_ids - set(by_story)),
        ungrouped=frozenset(name[a.id] for a in articles if a.story_id is None),
        duplicates=frozenset((name[a.id], name[a.duplicate_of_id]) for a in articles if a.duplicate_of_id),
        unchecked=frozenset(name[a.id] for a in articles if a.story_id is not None and not a.claims_checked),
        claims=Counter((name[c.article_id], c.kind, c.text) for c in claims),
        contradictions=Counter((claim_of[a], claim_of[b], kind) for a, b, kind in pairs),
        deliveries=deliveries,
        posted=posted,
        keys=keys,
        parents=frozenset(parents),
    )


def assert_once(got: Outcome) -> None:
    """Nothing stored, grouped, checked, recorded or posted twice, and nothing left half done."""
    for field in ("articles", "claims", "contradictions", "posted", "keys"):
        twice = {item: n for item, n in getattr(got, field).items() if n > 1}
        assert not twice, f"{field} more than once: {twice}"
    assert not got.ungrouped, f"articles in no story: {sorted(got.ungrouped)}"
    assert not got.unchecked, f"claims never checked: {sorted(got.unchecked)}"
    assert got.empty_stories == 0, f"{got.empty_stories} stories without articles"
    assert set(got.deliveries) <= {(kind, "sent") for kind, _ in got.deliveries}, f"not all sent: {got.deliveries}"

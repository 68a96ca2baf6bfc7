"""Retention: closed stories lose bodies and vectors, old sent deliveries go, and nothing a later run needs is lost."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from warwatch.config.settings import FeedSpec, Settings, StorySettings
from warwatch.delivery.outbox import enqueue_feed_alert
from warwatch.embedding import embedding_text
from warwatch.feeds.articles import store_entries
from warwatch.feeds.parse import Entry
from warwatch.feeds.polling import sync_feeds
from warwatch.store import retention
from warwatch.store.db import engine_for, session
from warwatch.store.models import Article, Claim, Contradiction, Delivery, Embedding, Story
from warwatch.store.retention import prune
from warwatch.stories.assign import assign_stories
from warwatch.stories.vectors import embedding_key

from support.builders import entry

NOW = datetime.now(timezone.utc).replace(microsecond=0)  # `warwatch prune` prunes as of now
OLD = NOW - timedelta(days=120)  # closed for 110 days: past 90 days of retention
MODEL = StorySettings().model_name
BRIDGE = StorySettings().bridge_model


def vector() -> bytes:
    return np.ones(4, dtype=np.float32).tobytes()


def add_story(s, feed_id: int, when: datetime, *entries: Entry) -> int:
    """A story of these entries with their vectors cached and one claim each (its sentence's vector cached)."""
    story = Story(title=entries[0].title, first_seen=when, last_updated=when, article_count=len(entries),
                  sources=["Example"])
    s.add(story)
    s.flush()
    for stored in store_entries(s, [(feed_id, e) for e in entries], when):
        article = s.get_one(Article, stored.article_id)
        text = embedding_text(article.title, article.text)
        article.story_id, article.claims_checked = story.id, True
        if article.language == "en":
            article.embedding_key = embedding_key(MODEL, text)
        keys = {article.embedding_key, embedding_key(BRIDGE, text), embedding_key(MODEL, article.title)}
        s.add(Claim(article_id=article.id, story_id=story.id, kind="killed", text=article.title, published=when,
                    embedding_key=embedding_key(MODEL, article.title), facts={"value": 1}))
        for key in keys - {None} - set(s.scalars(select(Embedding.key))):
            s.add(Embedding(key=key, vector=vector()))
    s.flush()
    return story.id


def sent(s, key: str, kind: str, when: datetime, story_id: int | None = None, status: str = "sent") -> None:
    s.add(Delivery(key=key, kind=kind, story_id=story_id, channel="C1", text=key, status=status, created_at=when,
                   sent_at=when if status == "sent" else None))


@pytest.fixture
def store(db_url):
    """A store with a story closed long ago (an English and a Russian report, a contradiction), an open story
    sharing one claim sentence with it, and deliveries of every kind."""
    with session(db_url) as s:
        (feed_id,) = sync_feeds(s, [FeedSpec(name="Example", url="https://example.org/feed")])
        closed = add_story(s, feed_id, OLD,
                           entry("a1", "Ship sinks after blast", "The crew was evacuated, officials said.", at=OLD),
                           entry("a2", "Корабль затонул", "Экипаж эвакуирован, сообщили в штабе.", at=OLD, language="ru"))
        claims = s.scalars(select(Claim.id).where(Claim.story_id == closed)).all()
        s.add(Contradiction(claim_id=claims[1], other_claim_id=claims[0], story_id=closed, kind="contradiction",
                            reason="evacuated against missing"))
        open_ = add_story(s, feed_id, NOW - timedelta(days=1),
                          entry("b1", "Ship sinks after blast", "A second report on another day.", at=NOW - timedelta(days=1)))
        sent(s, f"story:{closed}", "story", OLD, closed)
        sent(s, f"update:{closed}", "update", OLD, closed)
        sent(s, f"story:{open_}", "story", OLD, open_)  # an open story's thread root, however old
        sent(s, "digest:2025-01-31", "digest", OLD)
        sent(s, "digest:2025-02-01", "digest", OLD, status="pending")
        sent(s, "digest:2025-02-02", "digest", OLD, status="failed")
        sent(s, "digest:2025-05-31", "digest", NOW - timedelta(days=1))
        sent(s, "down:feed-99:0", "feed-alert", OLD)
        sent(s, "up:feed-99:0", "feed-alert", OLD + timedelta(hours=1))  # recovered: its latest alert stays
        sent(s, f"down:feed-{feed_id}:0", "feed-alert", OLD)  # still down
        s.commit()
    return db_url, closed, open_


def settings(**retention) -> Settings:
    return Settings(retention=retention or {"days": 90})


def snapshot(db_url: str) -> dict:
    with session(db_url) as s:
        return {
            "texts": {article.guid: article.text for article in s.scalars(select(Article))},
            "article keys": dict(s.execute(select(Article.guid, Article.embedding_key)).all()),
            "claim keys": sorted(map(str, s.scalars(select(Claim.embedding_key)))),
            "vectors": sorted(s.scalars(select(Embedding.key))),
            "deliveries": sorted(s.scalars(select(Delivery.key))),
            "pruned": dict(s.execute(select(Story.id, Story.pruned_at)).all()),
        }


def test_a_closed_story_keeps_its_record_and_loses_bodies_and_vectors(store):
    db_url, closed, open_ = store
    before = snapshot(db_url)
    report = prune(engine_for(db_url), settings(), NOW)
    assert (report.stories, report.articles, report.deliveries) == (1, 2, 4)
    with session(db_url) as s:
        feed_id = s.scalar(select(Article.feed_id))
        story = s.get_one(Story, closed)
        assert story.pruned_at == NOW and story.title == "Ship sinks after blast" and story.article_count == 2
        gone = s.scalars(select(Article).where(Article.story_id == closed).order_by(Article.guid)).all()
        assert [(a.guid, a.title, a.text, a.embedding_key) for a in gone] == [
            ("a1", "Ship sinks after blast", "", None), ("a2", "Корабль затонул", "", None)]
        assert all(a.content_hash and a.url for a in gone)
        assert s.scalar(select(func.count()).select_from(Claim).where(Claim.story_id == closed)) == 2
        assert s.scalar(select(func.count()).select_from(Contradiction)) == 1
        kept = s.scalar(select(Article).where(Article.guid == "b1"))
        assert kept.text == "A second report on another day." and kept.embedding_key in before["vectors"]
        vectors = set(s.scalars(select(Embedding.key)))
        # The closed story's own vectors went; the claim sentence the open story shares stayed.
        assert vectors == {kept.embedding_key, embedding_key(MODEL, "Ship sinks after blast"),
                           embedding_key(BRIDGE, embedding_text(kept.title, kept.text))}
        assert report.vectors == len(before["vectors"]) - len(vectors)
        assert sorted(s.scalars(select(Delivery.key))) == sorted([
            f"story:{open_}", "digest:2025-02-01", "digest:2025-02-02", "digest:2025-05-31",
            "up:feed-99:0", f"down:feed-{feed_id}:0"])
    assert prune(engine_for(db_url), settings(), NOW).stories == 0  # done once


def test_stories_close_by_the_newest_news_so_a_store_of_old_news_is_kept(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    with session(db_url) as s:  # a replay of last year's news, read today
        (feed_id,) = sync_feeds(s, [FeedSpec(name="Example", url="https://example.org/feed")])
        add_story(s, feed_id, OLD - timedelta(days=30), entry("a1", "Dam breached", "Water rose.", at=OLD - timedelta(days=30)))
        add_story(s, feed_id, OLD, entry("b1", "Talks resume", "Delegations met.", at=OLD))
        s.commit()
    assert prune(engine_for(db_url), settings(), NOW).stories == 0
    assert prune(engine_for(db_url), settings(days=10), NOW).stories == 1  # closed 30 - 10 days before the newest


def test_a_dry_run_counts_what_would_go_and_changes_nothing(store):
    db_url, _, _ = store
    before = snapshot(db_url)
    report = prune(engine_for(db_url), settings(), NOW, dry_run=True)
    assert (report.stories, report.articles, report.deliveries, report.dry_run) == (1, 2, 4, True)
    assert report.vectors > 0 and report.line().startswith("would drop")
    assert snapshot(db_url) == before
    assert prune(engine_for(db_url), settings(days=0), NOW).stories == 0 and snapshot(db_url) == before


def test_a_pruned_article_is_not_new_when_polled_again(store):
    db_url, closed, _ = store
    prune(engine_for(db_url), settings(), NOW)
    with session(db_url) as s:
        feed_id = s.scalar(select(Article.feed_id))
        again = entry("a1", "Ship sinks after blast", "The crew was evacuated, officials said.", at=OLD)
        moved = entry("a1-moved", "Ship sinks after blast", "The crew was evacuated, officials said.", at=OLD)
        assert [stored.new for stored in store_entries(s, [(feed_id, again), (feed_id, moved)], NOW)] == [False, False]
        assert s.scalar(select(func.count()).select_from(Article)) == 3


def test_a_crash_inside_a_prune_leaves_each_story_whole_or_pruned(store, monkeypatch):
    db_url, closed, open_ = store
    with session(db_url) as s:  # a second closed story, so the prune has two batches
        feed_id = s.scalar(select(Article.feed_id))
        other = add_story(s, feed_id, OLD, entry("c1", "Dam breached overnight", "Water rose in the town.", at=OLD))
        s.commit()
    monkeypatch.setattr(retention, "BATCH", 1)
    real, calls = retention._prune_stories, []

    def crashing(*args):
        calls.append(args[2])
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(*args)

    monkeypatch.setattr(retention, "_prune_stories", crashing)
    with pytest.raises(RuntimeError):
        prune(engine_for(db_url), settings(), NOW)
    with session(db_url) as s:
        assert s.get_one(Story, closed).pruned_at is not None
        untouched = s.scalar(select(Article).where(Article.guid == "c1"))
        assert s.get_one(Story, other).pruned_at is None and untouched.text == "Water rose in the town."
        assert s.get(Embedding, untouched.embedding_key) is not None
        assert s.scalar(select(func.count()).select_from(Delivery)) == 10  # deliveries come after the stories
    monkeypatch.setattr(retention, "_prune_stories", real)
    report = prune(engine_for(db_url), settings(), NOW)
    assert (report.stories, report.deliveries) == (1, 4)
    with session(db_url) as s:
        assert s.scalar(select(Article).where(Article.guid == "c1")).text == ""


def test_a_late_report_never_joins_a_pruned_story(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    stories = StorySettings(topic="none", index="exact")
    with session(db_url) as s:
        (feed_id,) = sync_feeds(s, [FeedSpec(name="Example", url="https://example.org/feed")])
        first = entry("a1", "Russian cruiser Moskva sinks in the Black Sea", "The flagship went down.", at=OLD)
        today = entry("n1", "Grain corridor talks resume in Istanbul", "Delegations met again.", at=NOW)
        store_entries(s, [(feed_id, first), (feed_id, today)], NOW)
        old, _ = assign_stories(s, stories)
        s.commit()
    assert prune(engine_for(db_url), Settings(stories=stories), NOW).stories == 1
    with session(db_url) as s:  # an archive feed re-published a report from that day
        late = entry("a2", "Russian cruiser Moskva sinks in the Black Sea", "The flagship sank.", at=OLD + timedelta(hours=1))
        store_entries(s, [(feed_id, late)], NOW)
        (new,) = assign_stories(s, stories)
    assert new.new_story and new.story_id != old.story_id


def test_incidents_keep_their_numbers_when_old_alerts_go(store):
    db_url, _, _ = store
    prune(engine_for(db_url), settings(), NOW)
    with session(db_url) as s:
        feed_id, config = s.scalar(select(Article.feed_id)), Settings(alert_after_failures=1)
        assert not enqueue_feed_alert(s, config, feed_id, failing=True, failures=5, last_error="HTTP 500")  # still down
        assert enqueue_feed_alert(s, config, feed_id, failing=False, failures=0, last_error=None)
        assert enqueue_feed_alert(s, config, feed_id, failing=True, failures=1, last_error="HTTP 500")
        keys = set(s.scalars(select(Delivery.key).where(Delivery.key.like(f"%:feed-{feed_id}:%"))))
        assert not enqueue_feed_alert(s, config, 99, failing=False, failures=0, last_error=None)  # closed long ago
    assert keys == {f"down:feed-{feed_id}:0", f"up:feed-{feed_id}:0", f"down:feed-{feed_id}:1"}


def test_prune_command_says_what_would_go(store, tmp_path, monkeypatch):
    from warwatch.cli import app

    db_url, _, _ = store
    monkeypatch.setenv("WARWATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("WARWATCH_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["prune", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would drop the bodies and vectors of 2 articles in 1 closed stories" in result.output
    assert "4 sent deliveries" in result.output and "(retention: 90 days)" in result.output


@pytest.mark.parametrize("created_before_retention", [False, True])
def test_sqlite_gives_the_space_back(tmp_path, created_before_retention):
    path = tmp_path / "store.db"
    if created_before_retention:  # auto_vacuum is fixed once a table exists: a store from before retention has none
        with sqlite3.connect(path) as old:
            old.execute("CREATE TABLE placeholder (x)")
    db_url = f"sqlite:///{path}"
    with session(db_url) as s:
        (feed_id,) = sync_feeds(s, [FeedSpec(name="Example", url="https://example.org/feed")])
        add_story(s, feed_id, OLD, *(entry(f"a{i}", f"Report {i}", f"Shelling went on. {'x' * 20_000} {i}", at=OLD)
                                      for i in range(100)))
        add_story(s, feed_id, NOW, entry("n1", "Grain corridor talks resume", "Delegations met again.", at=NOW))
        s.commit()
    full = path.stat().st_size + path.with_name("store.db-wal").stat().st_size
    report = prune(engine_for(db_url), settings(), NOW)
    assert report.articles == 100 and report.reclaimed_bytes > 1_500_000
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental from now on
    assert path.stat().st_size + path.with_name("store.db-wal").stat().st_size < full - 1_500_000

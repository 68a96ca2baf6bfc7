"""Retention: what no later run needs leaves the store, so months of polling keep it bounded.

A story closed (no article for ``stories.window_hours``) longer than ``retention.days`` before the newest article
(or now, if earlier: see :func:`_news_time`) loses its articles' bodies and vectors, its claims' vectors, and the
cached vectors nothing else uses. Its headline, outlets and counts, its articles' identities (feed, guid, URL,
content hash: a re-polled article is never new again) and headlines, its claims and its contradictions stay: they
are the record analysts cite. Sent deliveries older than ``retention.days`` go too, except the ones later runs
read: those of a story that is open or still has a message to send (its thread), and each health subject's latest
alert (whether an incident is open).

Each batch of stories is one transaction, so a prune stopped anywhere leaves every story whole or pruned,
and the next one carries on. SQLite then gives the freed pages back to the file system; PostgreSQL leaves
that to autovacuum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from warwatch.config.settings import Settings
from warwatch.embedding import embedding_text
from warwatch.store.db import exclusive
from warwatch.store.models import Article, ArticleBody, Claim, Delivery, Embedding, Story
from warwatch.stories.vectors import embedding_key

#: Stories pruned per transaction.
BATCH = 200
#: Delivery kinds keyed by a health subject and an incident number (see :func:`warwatch.delivery.outbox.enqueue_feed_alert`).
INCIDENT_KINDS = ("feed-alert", "flow-alert")


@dataclass(frozen=True)
class PruneReport:
    """What a prune removed (or, with ``dry_run``, would remove)."""

    stories: int
    articles: int
    vectors: int
    deliveries: int
    reclaimed_bytes: int
    dry_run: bool

    def line(self) -> str:
        verb = "would drop" if self.dry_run else "dropped"
        text = (f"{verb} the bodies and vectors of {self.articles} articles in {self.stories} closed stories, "
                f"{self.vectors} cached vectors and {self.deliveries} sent deliveries")
        if self.reclaimed_bytes:
            text += f"; {self.reclaimed_bytes / 1e6:.1f} MB returned to the file system"
        return text


def prune(engine: Engine, settings: Settings, now: datetime, *, dry_run: bool = False) -> PruneReport:
    """Apply ``settings.retention`` to the store as of ``now``; nothing at all with ``retention.days`` 0."""
    days = settings.retention.days
    if not days:
        return PruneReport(0, 0, 0, 0, 0, dry_run)
    cutoff = now - timedelta(days=days)
    with exclusive(engine, "prune"), Session(engine) as session:
        closed_before = _news_time(session, now) - timedelta(days=days, hours=settings.stories.window_hours)
        stories = articles = vectors = 0
        while batch := _closed_stories(session, closed_before):
            pruned = _prune_stories(session, settings, batch, now)
            stories, articles, vectors = stories + len(batch), articles + pruned[0], vectors + pruned[1]
            if not dry_run:
                session.commit()
        deliveries = sum(session.execute(delete(Delivery).where(Delivery.id.in_(chunk))).rowcount
                         for chunk in _chunks(_old_deliveries(session, cutoff)))
        if not dry_run:
            session.commit()  # a dry run's work is rolled back as the session closes
    reclaimed = _reclaim(engine) if (stories or deliveries) and not dry_run else 0
    return PruneReport(stories, articles, vectors, deliveries, reclaimed, dry_run)


def _news_time(session: Session, now: datetime) -> datetime:
    """The time stories close by: the newest article's, or ``now`` when that is later (a feed's date in the
    future). The grouper closes a story by the time of the news that comes after it, so a store of old news (a
    replay, an archive feed) is not pruned just for being read today, and a store whose feeds all went quiet
    keeps what it has."""
    newest = session.scalar(select(func.max(Article.published)))
    return min(now, newest) if newest else now


def _closed_stories(session: Session, closed_before: datetime) -> list[int]:
    return list(session.scalars(select(Story.id).where(Story.pruned_at.is_(None), Story.last_updated < closed_before)
                                .order_by(Story.id).limit(BATCH)))


def _prune_stories(session: Session, settings: Settings, story_ids: Sequence[int], now: datetime) -> tuple[int, int]:
    """Drop the bodies and vectors of these stories' articles and claims; (articles, cached vectors removed)."""
    articles = session.execute(
        select(Article.id, Article.title, func.coalesce(ArticleBody.text, "").label("text"), Article.language,
               Article.embedding_key).outerjoin(Article.body).where(Article.story_id.in_(story_ids))).all()
    claim_keys = session.scalars(select(Claim.embedding_key).where(Claim.story_id.in_(story_ids),
                                                                   Claim.embedding_key.is_not(None))).all()
    keys = {*claim_keys, *(a.embedding_key for a in articles if a.embedding_key), *_bridge_keys(settings, articles)}
    for chunk in _chunks(a.id for a in articles):
        session.execute(delete(ArticleBody).where(ArticleBody.article_id.in_(chunk)))
    session.execute(update(Article).where(Article.story_id.in_(story_ids)).values(embedding_key=None))
    session.execute(update(Claim).where(Claim.story_id.in_(story_ids)).values(embedding_key=None))
    session.execute(update(Story).where(Story.id.in_(story_ids)).values(pruned_at=now))
    unused = keys - _still_used(session, keys)
    removed = sum(session.execute(delete(Embedding).where(Embedding.key.in_(chunk))).rowcount
                  for chunk in _chunks(unused))
    return len(articles), removed


def _bridge_keys(settings: Settings, articles: Iterable) -> set[str]:
    """The bridge model's cache keys of these articles (computed, never stored: see ``stories.assign.bridge_keys``)."""
    model, languages = settings.stories.bridge_model, set(settings.stories.bridge_languages)
    if not model:
        return set()
    return {embedding_key(model, embedding_text(a.title, a.text)) for a in articles if a.language in languages}


def _still_used(session: Session, keys: set[str]) -> set[str]:
    """The keys some kept article or claim still holds (the same text in another story)."""
    used: set[str] = set()
    for chunk in _chunks(keys):
        used.update(session.scalars(select(Article.embedding_key).where(Article.embedding_key.in_(chunk))))
        used.update(session.scalars(select(Claim.embedding_key).where(Claim.embedding_key.in_(chunk))))
    return used


def _old_deliveries(session: Session, cutoff: datetime) -> list[int]:
    """Sent deliveries older than ``cutoff`` that no later run reads."""
    kept_stories = select(Story.id).where(Story.pruned_at.is_(None))
    unsent_stories = select(Delivery.story_id).where(Delivery.status != "sent", Delivery.story_id.is_not(None))
    rows = session.execute(
        select(Delivery.id, Delivery.key, Delivery.kind).where(
            Delivery.status == "sent", Delivery.sent_at < cutoff,
            Delivery.story_id.is_(None)
            | (Delivery.story_id.not_in(kept_stories) & Delivery.story_id.not_in(unsent_stories)))
    ).all()
    latest = _latest_incidents(session) if any(row.kind in INCIDENT_KINDS for row in rows) else {}
    return [row.id for row in rows if row.kind not in INCIDENT_KINDS or row.id != latest.get(_subject(row.key))]


def _latest_incidents(session: Session) -> dict[str, int]:
    """Each health subject's latest alert delivery: it tells whether an incident is open."""
    latest: dict[str, int] = {}
    for key, delivery_id in session.execute(select(Delivery.key, Delivery.id).where(Delivery.kind.in_(INCIDENT_KINDS))):
        latest[_subject(key)] = max(latest.get(_subject(key), 0), delivery_id)
    return latest


def _subject(key: str) -> str:
    """``down:feed-3:2`` -> ``feed-3``."""
    return key.split(":")[1]


def _reclaim(engine: Engine) -> int:
    """Give a SQLite file's free pages back (incremental vacuum; a store made before it was on is vacuumed once to
    turn it on) and empty the write-ahead log; the bytes the file shrank by."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return 0
    connection = engine.raw_connection()
    try:
        sqlite = connection.driver_connection
        before = _file_bytes(sqlite)
        if sqlite.execute("PRAGMA auto_vacuum").fetchone()[0] != 2:
            sqlite.executescript("PRAGMA auto_vacuum=INCREMENTAL; VACUUM;")
        # executescript steps a statement to its end; execute() stops incremental_vacuum after its first page
        sqlite.executescript("PRAGMA incremental_vacuum; PRAGMA wal_checkpoint(TRUNCATE);")
        return max(before - _file_bytes(sqlite), 0)
    finally:
        connection.close()


def _file_bytes(sqlite) -> int:
    return sqlite.execute("PRAGMA page_count").fetchone()[0] * sqlite.execute("PRAGMA page_size").fetchone()[0]


def _chunks(values: Iterable, size: int = 500) -> Iterable[list]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start:start + size]

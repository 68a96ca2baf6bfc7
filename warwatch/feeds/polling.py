"""Polling one feed: conditional fetch, parse, store, and the feed's health and back-off."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from warwatch.config.settings import FeedSpec, PollSettings, Settings
from warwatch.feeds.articles import store_entries
from warwatch.feeds.fetch import FetchError, TransientFetchError, fetch
from warwatch.feeds.parse import FeedParseError, parse_feed
from warwatch.store.models import Feed, utcnow

T = TypeVar("T")


@dataclass(frozen=True)
class PollOutcome:
    """What polling one feed did; small enough to pass between tasks."""

    feed_id: int
    feed_name: str
    status: str  # "ok", "not_modified" or "failed"; "retry": not recorded, for a retry of its own
    entries: int = 0
    new_article_ids: tuple[int, ...] = ()
    error: str | None = None
    warning: str | None = None
    consecutive_failures: int = 0
    """For a failure, the failures in a row so far; for a success, the streak it ended."""


def sync_feeds(session: Session, specs: Sequence[FeedSpec]) -> list[int]:
    """Make the feeds table match the feed list (by URL); return the listed feeds' ids."""
    by_url = {f.url: f for f in session.scalars(select(Feed).where(Feed.url.in_([s.url for s in specs])))}
    ids = []
    for spec in specs:
        feed = by_url.get(spec.url) or Feed(url=spec.url, consecutive_failures=0)
        feed.name, feed.language, feed.tags = spec.name, spec.language, list(spec.tags)
        session.add(feed)
        session.flush()
        ids.append(feed.id)
    return ids


def due_feeds(session: Session, feed_ids: Sequence[int], now: datetime) -> list[tuple[int, str]]:
    """(id, name) of the given feeds whose back-off has expired."""
    rows = session.execute(
        select(Feed.id, Feed.name)
        .where(Feed.id.in_(feed_ids), or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now))
        .order_by(Feed.id)
    )
    return [(row.id, row.name) for row in rows]


def feed_batches(feeds: Sequence[T], count: int) -> list[list[T]]:
    """``feeds`` cut into at most ``count`` runs of consecutive feeds whose sizes differ by one at most."""
    size, extra = divmod(len(feeds), count)
    bounds = [i * size + min(i, extra) for i in range(count + 1)]
    return [list(feeds[a:b]) for a, b in zip(bounds, bounds[1:]) if b > a]


def backoff(failures: int, poll: PollSettings) -> timedelta:
    """Wait after ``failures`` consecutive failures: base * 2**(failures-1), capped."""
    minutes = poll.backoff_base_minutes * 2 ** max(failures - 1, 0)
    return timedelta(minutes=min(minutes, poll.backoff_max_minutes))


def poll_feed(session: Session, client: httpx.Client, feed_id: int, settings: Settings,
              *, raise_transient: bool = False) -> PollOutcome:
    """Poll one feed and record the result; feed problems become a failed outcome, not an exception.

    With ``raise_transient`` a transient error (timeout, reset, 5xx) is raised instead,
    so that the caller can retry it; the last attempt records it.
    """
    feed = session.get_one(Feed, feed_id)
    session.commit()  # no transaction (and, on SQLite, no lock) is held across the network
    now = utcnow()
    feed.last_polled_at = now
    try:
        fetched = fetch(client, feed.url, etag=feed.etag, last_modified=feed.last_modified,
                        max_bytes=settings.http.max_bytes, allow_files=settings.http.allow_file_urls)
        if fetched.not_modified:
            return _succeeded(session, feed, now, status="not_modified")
        # the configured URL, not the final one: feedparser resolves guids against it, and they must stay stable
        parsed = parse_feed(fetched.body, headers=fetched.headers, url=feed.url, fetched_at=now)
    except (FetchError, FeedParseError) as exc:
        if raise_transient and isinstance(exc, TransientFetchError):
            session.rollback()
            raise
        return _failed(session, feed, now, settings.poll, str(exc))
    stored = store_entries(session, [(feed.id, e) for e in parsed.entries], now)
    feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
    return _succeeded(
        session, feed, now, status="ok", entries=len(parsed.entries),
        new_article_ids=tuple(s.article_id for s in stored if s.new), warning=parsed.warning,
    )


def _succeeded(session: Session, feed: Feed, now: datetime, **outcome) -> PollOutcome:
    ended = feed.consecutive_failures
    feed.consecutive_failures, feed.last_error = 0, None
    feed.last_success_at, feed.next_poll_at = now, None
    session.commit()
    return PollOutcome(feed.id, feed.name, consecutive_failures=ended, **outcome)


def _failed(session: Session, feed: Feed, now: datetime, poll: PollSettings, error: str) -> PollOutcome:
    session.rollback()
    feed = session.get_one(Feed, feed.id)
    feed.last_polled_at = now
    feed.consecutive_failures += 1
    feed.last_error = error
    feed.next_poll_at = now + backoff(feed.consecutive_failures, poll)
    session.commit()
    return PollOutcome(feed.id, feed.name, "failed", error=error, consecutive_failures=feed.consecutive_failures)

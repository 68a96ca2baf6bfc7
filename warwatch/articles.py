"""Storing parsed entries as articles, with the guard against re-published copies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warwatch.feeds.normalise import content_hash
from warwatch.feeds.parse import Entry
from warwatch.store.models import Article


@dataclass(frozen=True)
class Stored:
    """Where an entry ended up: a new article, or the article it repeats."""

    article_id: int
    new: bool


def store_entries(session: Session, feed_id: int, entries: Sequence[Entry], fetched_at: datetime) -> list[Stored]:
    """Insert the entries that are new for this feed, one result per entry, in order.

    An entry is not new when the feed already has an article with the same guid,
    the same canonical URL or the same content hash (the same piece re-published
    under a new guid or URL). Safe against a concurrent run inserting the same entry.
    """
    hashes = [content_hash(e.title, e.text) for e in entries]
    known: dict[tuple[str, str], int] = {}
    for article in session.execute(
        select(Article.id, Article.guid, Article.url, Article.content_hash).where(
            Article.feed_id == feed_id,
            or_(
                Article.guid.in_({e.guid for e in entries}),
                Article.url.in_({e.url for e in entries if e.url}),
                Article.content_hash.in_(set(hashes)),
            ),
        )
    ):
        _remember(known, article.id, article.guid, article.url, article.content_hash)

    results = []
    for entry, digest in zip(entries, hashes):
        existing = _lookup(known, entry.guid, entry.url, digest)
        if existing is None:
            existing = _insert(session, feed_id, entry, digest, fetched_at)
            if existing is not None:
                _remember(known, existing, entry.guid, entry.url, digest)
                results.append(Stored(existing, True))
                continue
            existing = session.scalar(
                select(Article.id)
                .where(Article.feed_id == feed_id, or_(Article.guid == entry.guid, Article.content_hash == digest))
                .limit(1)
            )
        results.append(Stored(existing, False))
    return results


def _remember(known: dict[tuple[str, str], int], article_id: int, guid: str, url: str, digest: str) -> None:
    known[("guid", guid)] = article_id
    known[("hash", digest)] = article_id
    if url:
        known[("url", url)] = article_id


def _lookup(known: dict[tuple[str, str], int], guid: str, url: str, digest: str) -> int | None:
    for key in (("guid", guid), ("url", url), ("hash", digest)):
        if key in known and (key[0] != "url" or url):
            return known[key]
    return None


def _insert(session: Session, feed_id: int, entry: Entry, digest: str, fetched_at: datetime) -> int | None:
    """Insert in a savepoint; None when a concurrent writer got there first."""
    article = Article(
        feed_id=feed_id,
        guid=entry.guid,
        url=entry.url,
        title=entry.title,
        text=entry.text,
        language=entry.language,
        published=entry.published,
        fetched_at=fetched_at,
        content_hash=digest,
    )
    try:
        with session.begin_nested():
            session.add(article)
    except IntegrityError:
        return None
    return article.id

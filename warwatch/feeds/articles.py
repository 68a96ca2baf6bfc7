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


def store_entries(session: Session, items: Sequence[tuple[int, Entry]], fetched_at: datetime) -> list[Stored]:
    """Insert the (feed id, entry) items that are new for their feed, one result per item, in order.

    An entry is not new when its feed already has an article with the same guid,
    the same canonical URL or the same content hash (the same piece re-published
    under a new guid or URL). Safe against a concurrent run inserting the same entry.
    """
    hashes = [content_hash(e.title, e.text) for _, e in items]
    known: dict[tuple[int, str, str], int | Article] = {}
    for article in session.execute(
        select(Article.feed_id, Article.id, Article.guid, Article.url, Article.content_hash).where(
            Article.feed_id.in_({feed_id for feed_id, _ in items}),
            or_(
                Article.guid.in_({e.guid for _, e in items}),
                Article.url.in_({e.url for _, e in items if e.url}),
                Article.content_hash.in_(set(hashes)),
            ),
        )
    ):
        _remember(known, article.feed_id, article.id, article.guid, article.url, article.content_hash)

    matches: list[int | Article] = []  # per entry: the known article's id, or the Article it adds
    created: list[bool] = []
    for (feed_id, entry), digest in zip(items, hashes):
        match = _lookup(known, feed_id, entry.guid, entry.url, digest)
        created.append(match is None)
        if match is None:
            match = Article(feed_id=feed_id, guid=entry.guid, url=entry.url, title=entry.title, text=entry.text,
                            language=entry.language, published=entry.published, fetched_at=fetched_at,
                            content_hash=digest)
            _remember(known, feed_id, match, entry.guid, entry.url, digest)
        matches.append(match)
    lost = _insert(session, [m for m, new in zip(matches, created) if new])
    results = []
    for match, new in zip(matches, created):
        if isinstance(match, int):
            results.append(Stored(match, False))
        elif id(match) in lost:
            results.append(Stored(lost[id(match)], False))
        else:
            results.append(Stored(match.id, new))
    return results


def _remember(known: dict[tuple[int, str, str], int | Article], feed_id: int, match: int | Article, guid: str,
              url: str, digest: str) -> None:
    known[(feed_id, "guid", guid)] = match
    known[(feed_id, "hash", digest)] = match
    if url:
        known[(feed_id, "url", url)] = match


def _lookup(known: dict[tuple[int, str, str], int | Article], feed_id: int, guid: str, url: str,
            digest: str) -> int | Article | None:
    for kind, value in (("guid", guid), ("url", url), ("hash", digest)):
        if (feed_id, kind, value) in known and (kind != "url" or url):
            return known[(feed_id, kind, value)]
    return None


def _insert(session: Session, articles: list[Article]) -> dict[int, int]:
    """Insert the articles in one flush; if a concurrent writer stored some of them first,
    insert one by one instead. Returns, for each article that lost, ``id(article)`` -> the stored id."""
    try:
        with session.begin_nested():
            session.add_all(articles)
        return {}
    except IntegrityError:
        pass
    lost = {}
    for article in articles:
        try:
            with session.begin_nested():
                session.add(article)
        except IntegrityError:
            lost[id(article)] = session.scalar(
                select(Article.id)
                .where(Article.feed_id == article.feed_id,
                       or_(Article.guid == article.guid, Article.content_hash == article.content_hash))
                .limit(1)
            )
    return lost

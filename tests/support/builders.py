"""Builders of test inputs: feed entries written for a test, and a store with feeds to put them in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import Session

from warwatch.config.settings import FeedSpec
from warwatch.feeds.parse import Entry
from warwatch.feeds.polling import sync_feeds
from warwatch.store.db import session

T0 = datetime(2024, 8, 12, 15, 0, tzinfo=timezone.utc)


def entry(guid: str, title: str = "Army chief reports gains", text: str = "", *, hours: float = 0,
          at: datetime = T0, language: str | None = "en", url: str | None = None) -> Entry:
    """An entry published ``hours`` after ``at``, at ``https://news.example/{guid}`` unless ``url`` is given."""
    return Entry(guid=guid, url=f"https://news.example/{guid}" if url is None else url, title=title, text=text,
                 published=at + timedelta(hours=hours), language=language)


@contextmanager
def store_with_feeds(url: str, *names: str) -> Iterator[tuple[Session, list[int]]]:
    """A session on the store at ``url`` with one feed per name (``https://{name}.example/rss``), and their ids."""
    with session(url) as s:
        feeds = sync_feeds(s, [FeedSpec(name=name, url=f"https://{name}.example/rss") for name in names])
        s.commit()
        yield s, feeds

"""Store paths that other tests run on SQLite only, on PostgreSQL too: polling a feed, and a whole replay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from warwatch.config.settings import FeedSpec, Settings
from warwatch.feeds.fetch import make_client
from warwatch.feeds.polling import due_feeds, poll_feed, sync_feeds
from warwatch.replay import ContradictionEvent, read_articles, replay
from warwatch.store.db import session
from warwatch.store.models import Article, Feed, utcnow

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>
<item><title>Air defences active over the capital overnight</title><guid>w-1</guid>
<link>https://wire.example/1</link><pubDate>Mon, 12 Aug 2024 01:00:00 GMT</pubDate>
<description>Debris fell in two districts.</description></item>
</channel></rss>"""


def test_polling_stores_articles_validators_and_back_off(db_url, feed_server):
    feed_server.add("/wire.xml", RSS.encode(), etag='"w1"')
    feed_server.add("/down.xml", b"gone", status=404, content_type="text/plain")
    settings = Settings(database_url=db_url)
    with session(db_url) as s, make_client(settings.http) as client:
        wire, down = sync_feeds(s, [FeedSpec(name="Wire", url=feed_server.url("/wire.xml")),
                                    FeedSpec(name="Down", url=feed_server.url("/down.xml"))])
        s.commit()
        first = poll_feed(s, client, wire, settings)
        s.commit()
        again = poll_feed(s, client, wire, settings)
        s.commit()
        failed = poll_feed(s, client, down, settings)
        s.commit()
    assert (first.status, len(first.new_article_ids)) == ("ok", 1)
    assert again.status == "not_modified" and feed_server.last("/wire.xml").headers["if-none-match"] == '"w1"'
    assert failed.status == "failed" and "404" in failed.error
    with session(db_url) as s:
        feeds = {f.name: f for f in s.scalars(select(Feed))}
        assert feeds["Wire"].etag == '"w1"' and feeds["Wire"].consecutive_failures == 0
        assert feeds["Down"].consecutive_failures == 1 and feeds["Down"].next_poll_at > utcnow() + timedelta(minutes=9)
        assert due_feeds(s, [wire, down], utcnow()) == [(wire, "Wire")]  # the failed feed backs off
        assert s.scalars(select(Article.title)).all() == ["Air defences active over the capital overnight"]


def test_replay_decides_the_same_on_postgresql_as_on_sqlite(postgres, shared_dir, tmp_path):
    """Stories, copies and contradictions of the dev war-claims replay, on both stores."""
    lines = (shared_dir / "eval-data" / "dev" / "war-claims" / "moskva_bakhmut_kakhovka.jsonl").read_text(
        encoding="utf-8").splitlines()
    articles = read_articles(lines, "war-claims")
    events = {}
    for name, url in (("sqlite", f"sqlite:///{tmp_path / 'replay.db'}"), ("postgresql", postgres.new_database())):
        with session(url) as s:
            events[name] = replay(s, articles, Settings(database_url=url, data_dir=tmp_path / name))
    assert events["postgresql"] == events["sqlite"]
    assert sum(isinstance(e, ContradictionEvent) for e in events["sqlite"]) >= 3

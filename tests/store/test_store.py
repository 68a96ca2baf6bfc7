"""The state store: migrations, UTC times, and the guard against re-published copies."""

from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, select, text

from warwatch.config.settings import FeedSpec
from warwatch.feeds.articles import store_entries
from warwatch.feeds.parse import Entry
from warwatch.feeds.polling import sync_feeds
from warwatch.store.db import MIGRATIONS, engine_for, session
from warwatch.store.models import Article, Claim

from support.builders import entry

T0 = datetime(2024, 8, 12, 10, 30, tzinfo=timezone.utc)


def put(s, feed_id: int, *entries: Entry):
    return store_entries(s, [(feed_id, e) for e in entries], T0)


@pytest.fixture
def feed_id(db_url):
    with session(db_url) as s:
        (fid,) = sync_feeds(s, [FeedSpec(name="Example", url="https://example.org/feed")])
        s.commit()
    return fid


def test_migrations_create_the_schema(db_url):
    engine = engine_for(db_url)
    tables = {"feeds", "articles", "stories", "deliveries", "embeddings", "alembic_version"}
    assert tables <= set(inspect(engine).get_table_names())
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_texts_move_to_their_own_table_and_no_claim_is_lost(db_url):
    """Migration 0008 on a store with news in it: each text moves to article_bodies, and dropping the column
    leaves the claims that cascade from articles alone."""
    engine = create_engine(db_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
        connection.execute(text("INSERT INTO feeds (id, name, url, tags, consecutive_failures, created_at) "
                                "VALUES (1, 'F', 'https://f.example/feed', '[]', 0, :t)"), {"t": T0})
        connection.execute(text(
            "INSERT INTO articles (id, feed_id, guid, url, title, text, published, fetched_at, content_hash, "
            "claims_checked) VALUES (1, 1, 'g', 'u', 'Title', 'Twelve people were killed.', :t, :t, 'h', true)"),
            {"t": T0})
        connection.execute(text("INSERT INTO claims (id, article_id, kind, text, published, facts) "
                                "VALUES (1, 1, 'killed', 'Twelve people were killed.', :t, '{}')"), {"t": T0})
    engine.dispose()
    with session(db_url) as s:
        article = s.get_one(Article, 1)
        assert article.text == "Twelve people were killed." and article.title == "Title"
        assert s.scalar(select(Claim.text)) == "Twelve people were killed."
    assert "text" not in {c["name"] for c in inspect(engine_for(db_url)).get_columns("articles")}


def test_times_come_back_as_aware_utc(db_url, feed_id):
    kyiv = timezone(timedelta(hours=3))
    with session(db_url) as s:
        e = Entry(guid="g", url="", title="t", text="", published=T0.astimezone(kyiv), language=None)
        put(s, feed_id, e)
        s.commit()
    with session(db_url) as s:
        published = s.scalar(select(Article.published))
    assert published == T0 and published.tzinfo == timezone.utc


@pytest.mark.parametrize(
    "second, new",
    [
        (entry("g2", url="https://example.org/b", title="Another event entirely"), True),
        (entry("g1", url="https://example.org/b", title="Edited headline"), False),  # same guid
        (entry("g2", url="https://example.org/a", title="Edited headline"), False),  # same canonical URL
        (entry("g2", url="https://example.org/b", title="ARMY chief  reports gains"), False),  # same content
    ],
    ids=["different", "same-guid", "same-url", "same-content"],
)
def test_republished_copy_is_not_new(db_url, feed_id, second, new):
    with session(db_url) as s:
        (first,) = put(s, feed_id, entry("g1", url="https://example.org/a"))
        s.commit()
        (result,) = put(s, feed_id, second)
        s.commit()
        assert result.new is new
        assert (result.article_id != first.article_id) is new
        assert s.scalar(select(Article.id).where(Article.guid == "g1")) == first.article_id


def test_copies_inside_one_batch_are_stored_once(db_url, feed_id):
    with session(db_url) as s:
        results = put(s, feed_id, entry("g1", url="https://example.org/a"), entry("g2", url="https://example.org/a"))
        s.commit()
        assert [r.new for r in results] == [True, False]
        assert results[1].article_id == results[0].article_id
        assert len(s.scalars(select(Article)).all()) == 1


def test_same_guid_in_another_feed_is_new(db_url, feed_id):
    with session(db_url) as s:
        (other,) = sync_feeds(s, [FeedSpec(name="Other", url="https://other.example/feed")])
        a = put(s, feed_id, entry("g1", url=""))[0]
        b = put(s, other, entry("g1", url=""))[0]
        s.commit()
    assert a.new and b.new and a.article_id != b.article_id


def test_naive_datetimes_are_refused(db_url, feed_id):
    with session(db_url) as s, pytest.raises(Exception, match="naive"):
        put(s, feed_id, Entry("g", "", "t", "", T0.replace(tzinfo=None), None))
        s.flush()

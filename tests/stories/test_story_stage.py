"""The story stage against a real store and the real offline model."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

import warwatch.stories.vectors as vectors_module
from warwatch.config.settings import Settings, StorySettings
from warwatch.delivery.outbox import enqueue_assignments
from warwatch.embedding import MULTILINGUAL_MODEL
from warwatch.feeds.articles import store_entries
from warwatch.feeds.parse import Entry
from warwatch.store.models import Article, Delivery, Embedding, Story
from warwatch.stories.assign import assign_stories

from support.builders import T0, entry, store_with_feeds


@pytest.fixture
def store(db_url):
    with store_with_feeds(db_url, "wire", "ledger", "blaze") as (s, feeds):
        yield s, feeds


def add(s, feed_id: int, *entries: Entry, settings: StorySettings | None = None):
    stored = store_entries(s, [(feed_id, e) for e in entries], T0)
    assignments = assign_stories(s, settings or StorySettings())
    enqueue_assignments(s, assignments, Settings(slack_channel="#war-news"))
    s.commit()
    return stored, {a.article_id: a for a in assignments}


def test_same_event_joins_different_events_stay_apart_reprint_is_a_copy(store):
    s, (wire, ledger, blaze) = store
    (a,), _ = add(s, wire, entry("a", "Dam on the Dnipro destroyed, flooding villages downstream",
                                 "Officials ordered evacuations as water poured through the breach."))
    (b,), _ = add(s, ledger, entry("b", "Thousands evacuated as floodwater spreads after dam breach on Dnipro",
                                   "Rescuers moved residents of riverside towns to higher ground.", hours=3))
    (c,), _ = add(s, blaze, entry("c", "Grain ship leaves Odesa under new corridor arrangement",
                                  "The vessel carried wheat bound for ports in the Mediterranean.", hours=4))
    (d,), decided = add(s, blaze, entry("d", "Dam on the Dnipro destroyed, flooding villages downstream",
                                        "Officials ordered evacuations as water poured through the breach!",
                                        hours=5))
    story = {x: s.get(Article, x.article_id).story_id for x in (a, b, c, d)}
    assert story[a] == story[b] == story[d] != story[c]
    assert decided[d.article_id].duplicate_of_id == a.article_id
    joined = s.get(Article, b.article_id)
    assert joined.score is not None and joined.nearest_id == a.article_id
    dam = s.get(Story, story[a])
    assert dam.article_count == 3 and dam.sources == ["wire", "ledger", "blaze"]
    assert dam.first_seen == T0 and dam.last_updated == T0 + timedelta(hours=5)
    kinds = {article_id: kind for article_id, kind in s.execute(select(Delivery.article_id, Delivery.kind))}
    assert kinds == {a.article_id: "story", b.article_id: "update", c.article_id: "story"}


def test_reports_in_russian_and_ukrainian_join_the_english_story_through_the_bridge(store):
    s, (wire, ledger, blaze) = store
    (a,), _ = add(s, wire, entry("a", "Dam on the Dnipro destroyed, flooding villages downstream",
                                 "Officials ordered evacuations as water poured through the breach."))
    (b,), _ = add(s, ledger, entry("b", "Дамбу на Дніпрі зруйновано, села нижче за течією затоплено",
                                   "Влада оголосила евакуацію мешканців прибережних сіл.", hours=1, language="uk"))
    (c,), _ = add(s, blaze, entry("c", "Плотина на Днепре разрушена, деревни ниже по течению затоплены",
                                  "Власти объявили эвакуацию жителей прибрежных сёл.", hours=2, language="ru"))
    (d,), _ = add(s, blaze, entry("d", "Зерновоз вышел из Одессы по новой договоренности о коридоре",
                                  hours=3, language="ru"))
    (e,), _ = add(s, wire, entry("e", "Grain ship leaves Odesa under new corridor arrangement", hours=4))
    story = {x: s.get(Article, x.article_id).story_id for x in (a, b, c, d, e)}
    assert story[a] == story[b] == story[c] != story[d] == story[e]
    assert s.get(Article, b.article_id).embedding_key is None  # the main model never read it
    assert s.get(Story, story[a]).sources == ["wire", "ledger", "blaze"]


def test_the_bridge_keeps_the_same_strike_in_two_cities_apart(store):
    s, (wire, ledger, blaze) = store
    (a,), _ = add(s, wire, entry("a", "Drone strike hits apartment block in Kharkiv, three injured"))
    (b,), _ = add(s, ledger, entry("b", "Беспилотник атаковал жилой дом в Одессе, ранены три человека",
                                   hours=1, language="ru"))
    (c,), _ = add(s, blaze, entry("c", "Безпілотник атакував житловий будинок в Одесі, поранено трьох людей",
                                  hours=2, language="uk"))
    (d,), _ = add(s, ledger, entry("d", "Беспилотник атаковал жилой дом в Харькове, ранены три человека",
                                   hours=3, language="ru"))
    story = {x: s.get(Article, x.article_id).story_id for x in (a, b, c, d)}
    assert story[a] == story[d] != story[b] == story[c]


def test_english_news_alone_never_pays_for_the_bridge(store):
    s, (wire, _, _) = store
    title = "Grain ship leaves Odesa under new corridor arrangement"
    add(s, wire, entry("a", title))
    bridge_key = vectors_module.embedding_key(MULTILINGUAL_MODEL, title)
    assert s.scalar(select(func.count()).select_from(Embedding).where(Embedding.key == bridge_key)) == 0


def test_without_a_bridge_other_languages_group_only_with_near_exact_copies(store):
    s, (wire, ledger, _) = store
    settings = StorySettings(bridge_model="none")
    title = "Київ: нічна атака дронів, уламки впали у двох районах"
    (a,), _ = add(s, wire, entry("a", "Kyiv: overnight drone attack, debris fell in two districts"), settings=settings)
    (b,), _ = add(s, wire, entry("b", title, language="uk", hours=1), settings=settings)
    (c,), decided = add(s, ledger, entry("c", title + ".", language="uk", hours=2), settings=settings)
    stories = {x: s.get(Article, x.article_id).story_id for x in (a, b, c)}
    assert stories[a] != stories[b] == stories[c]
    assert decided[c.article_id].duplicate_of_id == b.article_id
    assert s.get(Article, b.article_id).embedding_key is None


def test_refetched_text_is_not_encoded_again(store, monkeypatch):
    s, (wire, ledger, _) = store
    encoded: list[str] = []
    real = vectors_module.encode
    monkeypatch.setattr(vectors_module, "encode", lambda model, texts: encoded.extend(texts) or real(model, texts))
    add(s, wire, entry("a", "Air defence downs drones over the capital", "Debris damaged two houses."))
    cached = s.scalar(select(func.count()).select_from(Embedding))  # the article and the topic's descriptions
    add(s, wire, entry("a", "Air defence downs drones over the capital", "Debris damaged two houses."))
    add(s, ledger, entry("b", "Air defence downs drones over the capital", "Debris damaged two houses."))
    assert encoded.count("Air defence downs drones over the capital. Debris damaged two houses.") == 1
    assert len(encoded) == cached
    assert s.scalar(select(func.count()).select_from(Embedding)) == cached
    assert s.scalar(select(func.count()).select_from(Article)) == 2


def test_rerun_assigns_nothing_twice(store):
    s, (wire, _, _) = store
    add(s, wire, entry("a", "Russian missiles strike a bridge in Zaporizhzhia overnight",
                       "Traffic was halted in both directions."))
    assert assign_stories(s, StorySettings()) == []
    assert s.scalar(select(func.count()).select_from(Delivery)) == 1

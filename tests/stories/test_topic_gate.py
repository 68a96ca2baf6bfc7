"""The topic gate: which articles are about the war, what an off-topic one does (nothing), and why."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from warwatch.claims.stage import check_claims
from warwatch.config.settings import ClaimSettings, Settings, StorySettings
from warwatch.delivery.outbox import enqueue_assignments
from warwatch.feeds.articles import store_entries
from warwatch.feeds.parse import Entry
from warwatch.render.terminal import story_list
from warwatch.store.models import Article, Claim, Delivery, Story
from warwatch.stories.assign import assign_stories
from warwatch.stories.topic import TopicError, load_topic

from support.builders import T0, entry, store_with_feeds


@pytest.fixture
def store(tmp_path):
    with store_with_feeds(f"sqlite:///{tmp_path / 'gate.db'}", "wire") as (s, (feed,)):
        yield s, feed


def add(s, feed: int, *entries: Entry, stories: StorySettings | None = None):
    stored = store_entries(s, [(feed, e) for e in entries], T0)
    assignments = assign_stories(s, stories or StorySettings())
    enqueue_assignments(s, assignments, Settings(slack_channel="#war-news"))
    check_claims(s, stories or StorySettings(), ClaimSettings())
    s.commit()
    return [s.get_one(Article, a.article_id) for a in stored]


@pytest.mark.parametrize("title, text", [
    ("Kherson without power after overnight shelling", ""),
    ("EU ministers agree a fresh package of sanctions on Moscow", ""),
    ("Ninety-five soldiers come home to Ukraine in a swap of captives", ""),
    ("Drone debris sets fire to a warehouse in Belgorod region", ""),
])
def test_war_news_that_never_says_war_is_on_topic(store, title, text):
    s, feed = store
    (article,) = add(s, feed, entry("a", title, text))
    assert article.relevant is True and article.relevance >= 0.5
    assert "nearest topic" in article.relevance_reason


@pytest.mark.parametrize("title, nearer", [
    ("Ukrainian high jumper wins gold at the European championships", "Olympic"),
    ("Moscow city council election results announced", "Moscow court"),
    ("Israeli strikes hit Gaza City overnight, killing at least 20", "Gaza"),
    ("Central bank holds interest rates as inflation eases", "economy"),
])
def test_news_that_only_mentions_the_countries_or_another_war_is_off_topic(store, title, nearer):
    s, feed = store
    (article,) = add(s, feed, entry("a", title))
    assert article.relevant is False
    assert nearer in article.relevance_reason


def test_an_off_topic_story_posts_nothing_until_a_war_report_joins_it(store):
    s, feed = store
    (festival,) = add(s, feed, entry("a", "Film festival in Odesa opens with a record audience",
                                     "Organisers said 12 films would compete this year."))
    story = s.get_one(Story, festival.story_id)
    assert not story.relevant and festival.claims_checked
    assert s.scalar(select(func.count()).select_from(Delivery)) == 0
    assert s.scalar(select(func.count()).select_from(Claim)) == 0
    (strike,) = add(s, feed, entry("b", "Missile strike on Odesa during the film festival kills 3 people",
                                   "Russian missiles hit the city centre as the festival opened.", hours=2))
    assert strike.story_id == story.id and story.relevant
    (posted,) = s.execute(select(Delivery.kind, Delivery.article_id, Delivery.text)).all()
    assert posted.kind == "story" and posted.article_id == strike.id and "2 articles" in posted.text
    assert s.scalar(select(func.count()).select_from(Claim)) > 0  # the war report's claims are read


def test_with_no_topic_every_story_is_posted_and_judged_by_nothing(store):
    s, feed = store
    (article,) = add(s, feed, entry("a", "Central bank holds interest rates as inflation eases"),
                     stories=StorySettings(topic="none"))
    assert article.relevant is None and s.get_one(Story, article.story_id).relevant
    assert s.scalar(select(func.count()).select_from(Delivery)) == 1


def test_switching_the_gate_off_posts_an_off_topic_story_when_it_grows(store):
    s, feed = store
    (festival,) = add(s, feed, entry("a", "Film festival in Odesa opens with a record audience",
                                     "Organisers said 12 films would compete this year."))
    (prize,) = add(s, feed, entry("b", "Odesa film festival gives its top prize to a documentary",
                                  "The festival, which opened with a record audience, ended on Sunday.", hours=20),
                   stories=StorySettings(topic="none"))
    assert prize.story_id == festival.story_id
    (posted,) = s.scalars(select(Delivery.kind)).all()
    assert posted == "story" and s.get_one(Story, festival.story_id).relevant


def test_a_language_the_model_does_not_read_is_on_topic_when_it_names_the_wars_places_and_events(store):
    s, feed = store
    strike, park, budget = add(
        s, feed, entry("a", "Беспилотники атаковали нефтебазу под Белгородом", language="ru"),
        entry("b", "В столице открылся новый парк", hours=1, language="ru"),
        entry("c", "Київ затвердив бюджет на наступний рік", hours=2, language="uk"))
    assert strike.relevant and "Белгородом" in strike.relevance_reason and "беспилотники" in strike.relevance_reason
    assert not park.relevant
    assert not budget.relevant and "uses none" in budget.relevance_reason  # names Kyiv, but no event of the war


def test_a_topic_the_user_writes(store, tmp_path):
    s, feed = store
    topic = tmp_path / "volcanoes.toml"
    topic.write_text('about = ["a volcano erupts and lava reaches villages"]\nnot_about = ["war"]\n', encoding="utf-8")
    lava, strike = add(s, feed, entry("a", "Lava flows toward a village after the eruption on the island"),
                       entry("b", "Russian missile strike on Kharkiv kills 4", hours=1),
                       stories=StorySettings(topic=str(topic)))
    assert lava.relevant and not strike.relevant


def test_a_topic_file_that_describes_nothing_is_refused(tmp_path):
    topic = tmp_path / "empty.toml"
    topic.write_text("about = []\n", encoding="utf-8")
    with pytest.raises(TopicError, match="describes nothing"):
        load_topic(str(topic))


def test_stories_lists_off_topic_stories_only_when_asked(store):
    s, feed = store
    add(s, feed, entry("a", "Central bank holds interest rates as inflation eases"),
        entry("b", "Russian missile strike on Kharkiv kills 4", hours=1))
    assert story_list(s, 10).row_count == 1
    assert story_list(s, 10, everything=True).row_count == 2

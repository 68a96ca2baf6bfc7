"""The claim stage against a real store (SQLite and PostgreSQL): contradictions recorded once, alerts enqueued."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from warwatch.articles import store_entries
from warwatch.claims.stage import check_claims
from warwatch.config.settings import ClaimSettings, FeedSpec, Settings, StorySettings
from warwatch.feeds.parse import Entry
from warwatch.outbox import enqueue_assignments, enqueue_contradictions
from warwatch.polling import sync_feeds
from warwatch.stories.assign import assign_stories
from warwatch.store.db import session
from warwatch.store.models import Claim, Contradiction, Delivery
from warwatch.views import contradiction_view, digest_view

T0 = datetime(2024, 8, 12, 15, 0, tzinfo=timezone.utc)
OFFICIAL = ("Army chief says troops control about 1,000 sq km of the border region",
            "Commander Oleksandr Syrskyi told the president that Ukrainian forces now control about 1,000 square "
            "kilometres of the Kursk border region.")
INFLATED = ("Troops 'hold up to 400,000 square miles' of the Kursk border region",
            "Ukrainian forces may be sitting on as much as 400,000 square miles of the Kursk border region, "
            "some commentators claim.")
UPDATE = ("Army chief: about 1,150 sq km of the Kursk border region now held",
          "Commander Oleksandr Syrskyi said Ukrainian units now hold about 1,150 square kilometres of the Kursk "
          "border region.")


def entry(guid: str, title: str, text: str, hours: float) -> Entry:
    return Entry(guid=guid, url=f"https://news.example/{guid}", title=title, text=text,
                 published=T0 + timedelta(hours=hours), language="en")


def run_stages(s, feed_id: int, *entries: Entry) -> list[int]:
    store_entries(s, [(feed_id, e) for e in entries], T0)
    settings = Settings(slack_channel="#war-news")
    enqueue_assignments(s, assign_stories(s, StorySettings()), settings)
    found = check_claims(s, StorySettings(), ClaimSettings())
    enqueue_contradictions(s, found)
    s.commit()
    return found


@pytest.fixture
def store(db_url):
    with session(db_url) as s:
        wire, tabloid = sync_feeds(s, [FeedSpec(name=n, url=f"https://{n}.example/rss") for n in ("Wire", "Tabloid")])
        s.commit()
        yield s, wire, tabloid


def test_an_inflated_figure_is_flagged_once_explained_and_alerted(store):
    s, wire, tabloid = store
    assert run_stages(s, wire, entry("official", *OFFICIAL, hours=0)) == []
    (found,) = run_stages(s, tabloid, entry("inflated", *INFLATED, hours=30))
    view = contradiction_view(s, found)
    assert view.kind == "quantity"
    assert (view.new.outlet, view.earlier.outlet) == ("Tabloid", "Wire")
    assert view.earlier.speaker == "Commander Oleksandr Syrskyi"
    assert "1,036,000 km²" in view.reason and "about 1,000 times" in view.reason and "12 Aug 2024" in view.reason
    alert = s.scalar(select(Delivery).where(Delivery.kind == "alert"))
    assert alert.broadcast and alert.story_id == s.get_one(Contradiction, found).story_id

    # a later official update contradicts the tabloid too, but that dispute was already reported
    assert run_stages(s, wire, entry("update", *UPDATE, hours=72)) == []
    # re-running checks nothing twice
    assert check_claims(s, StorySettings(), ClaimSettings()) == []
    assert s.scalar(select(func.count()).select_from(Contradiction)) == 1
    assert s.scalar(select(func.count()).where(Delivery.kind == "alert")) == 1


def test_copies_and_other_languages_are_not_checked(store):
    s, wire, tabloid = store
    run_stages(s, wire, entry("official", *OFFICIAL, hours=0))
    run_stages(s, tabloid, entry("copy", *OFFICIAL, hours=1))
    ukrainian = Entry(guid="uk", url="https://news.example/uk", title="Сирський: 1000 кв. км", text="",
                      published=T0 + timedelta(hours=2), language="uk")
    run_stages(s, tabloid, ukrainian)
    articles_with_claims = s.scalars(select(Claim.article_id).distinct()).all()
    assert len(articles_with_claims) == 1


CITY = ("Ten killed in missile strike on the city",
        "The city military administration said 10 people were killed in the missile strike on the city centre.")
HOSPITAL = ("Two killed at hospital in missile strike on the city",
            "The city military administration said 2 people were killed in the missile strike on the city centre.")


def test_a_doubtful_contradiction_is_kept_for_review_not_alerted(store):
    s, wire, tabloid = store
    run_stages(s, wire, entry("city", *CITY, hours=0))
    (found,) = run_stages(s, tabloid, entry("hospital", *HOSPITAL, hours=2))
    contradiction = s.get_one(Contradiction, found)
    assert not contradiction.alerted and contradiction.confidence < ClaimSettings().alert_confidence
    assert "both from one side" in contradiction.evidence or "no speaker" in contradiction.evidence
    assert s.scalar(select(func.count()).where(Delivery.kind == "alert")) == 0
    now = datetime.now(timezone.utc)  # contradictions are dated when recorded
    day = digest_view(s, now - timedelta(hours=1), now + timedelta(hours=1), [])
    assert day.contradictions == [] and [v.reason for v in day.review] == [contradiction.reason]

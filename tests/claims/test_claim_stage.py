"""The claim stage against a real store (SQLite and PostgreSQL): contradictions recorded once, alerts enqueued."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from warwatch.claims.stage import check_claims
from warwatch.config.settings import ClaimSettings, StorySettings
from warwatch.delivery.views import contradiction_view, digest_view
from warwatch.feeds.parse import Entry
from warwatch.store.models import Claim, Contradiction, Delivery

from support.builders import T0, entry, store_with_feeds
from support.stages import INFLATED, OFFICIAL, UPDATE, run_stages


@pytest.fixture
def store(db_url):
    with store_with_feeds(db_url, "Wire", "Tabloid") as (s, (wire, tabloid)):
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

"""The claim stage against a real store (SQLite and PostgreSQL): contradictions recorded once, alerts enqueued."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from warwatch import processes
from warwatch.claims import stage
from warwatch.claims.stage import check_claims
from warwatch.config.settings import ClaimSettings, StorySettings
from warwatch.delivery.views import contradiction_view, digest_view
from warwatch.feeds.articles import store_entries
from warwatch.feeds.parse import Entry
from warwatch.store.models import Claim, Contradiction, Delivery
from warwatch.stories.assign import assign_stories

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


CAPTURED = ("Moscow says its forces captured Novoselivka",
            "Russian forces captured Novoselivka, the defence ministry in Moscow said on Thursday.")
HELD = ("Kyiv: troops still hold Novoselivka",
        "The Ukrainian general staff said its troops still hold Novoselivka and fighting goes on there.")


def recorded(s) -> list[tuple]:
    new, old = aliased(Claim), aliased(Claim)
    return s.execute(select(new.text, old.text, Contradiction.kind, Contradiction.reason, Contradiction.confidence,
                            Contradiction.evidence, Contradiction.alerted)
                     .join(new, Contradiction.claim_id == new.id).join(old, Contradiction.other_claim_id == old.id)
                     .order_by(Contradiction.id)).all()


def test_stories_compared_in_processes_apart_give_what_one_process_gives(store, monkeypatch):
    s, wire, tabloid = store
    run_stages(s, wire, entry("official", *OFFICIAL, hours=0), entry("city", *CITY, hours=0))
    run_stages(s, tabloid, entry("inflated", *INFLATED, hours=30))  # a dispute known before the batch
    store_entries(s, [(wire, entry("update", *UPDATE, hours=72)), (tabloid, entry("hospital", *HOSPITAL, hours=2)),
                      (wire, entry("captured", *CAPTURED, hours=3)), (tabloid, entry("held", *HELD, hours=5))], T0)
    assign_stories(s, StorySettings())
    s.commit()
    shares = []
    monkeypatch.setattr(processes, "PARALLEL_FROM", 1)  # a batch this small is otherwise compared here
    monkeypatch.setattr(stage, "run_shares", lambda work, count: shares.append(count) or processes.run_shares(work, count))

    check_claims(s, StorySettings(), ClaimSettings(processes=2))
    apart = recorded(s)
    s.rollback()
    check_claims(s, StorySettings(), ClaimSettings(processes=1))
    assert shares == [2, 1]
    assert recorded(s) == apart
    # against the story's claims and disputes from before the batch: the update restates the known dispute
    found = [(new, old, alerted) for new, old, _, _, _, _, alerted in apart[1:]]
    assert (HOSPITAL[0], CITY[1], False) in found and (HELD[1], CAPTURED[1], True) in found
    assert not any(new in UPDATE for new, _, _ in found)

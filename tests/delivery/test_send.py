"""Slack delivery through slack_sdk into the local Slack double: threads, alerts, exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from warwatch.config.settings import FeedSpec, Settings
from warwatch.delivery.blocks import SlackMessage
from warwatch.delivery.outbox import enqueue, enqueue_alert, enqueue_assignments, enqueue_digest
from warwatch.delivery.routing import Rule
from warwatch.delivery.send import DeliveryAuthError, SlackSink, deliver_pending
from warwatch.delivery.views import ClaimView, ContradictionView
from warwatch.demo.slack_double import SlackDouble
from warwatch.feeds.articles import store_entries
from warwatch.feeds.parse import Entry
from warwatch.feeds.polling import sync_feeds
from warwatch.store.db import session
from warwatch.store.models import Delivery
from warwatch.stories.assign import assign_stories

from support.slack import pacing_violations

T0 = datetime(2024, 8, 12, 9, 0, tzinfo=timezone.utc)
TOKEN = "xoxb-delivery"
DAM = [
    ("wire", "Dam on the Dnipro destroyed, flooding villages downstream",
     "Officials ordered evacuations as water poured through the breach."),
    ("ledger", "Thousands evacuated as floodwater spreads after dam breach on the Dnipro",
     "Rescuers moved residents of riverside towns to higher ground."),
    ("blaze", "Floodwater from breached Dnipro dam reaches more riverside villages",
     "Evacuation buses ran through the night, regional officials said."),
]


@pytest.fixture
def slack():
    with SlackDouble(tokens={TOKEN}, channels={"C0NEWS": "war-news", "C0OSINT": "osint"}) as double:
        yield double


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=tmp_path, slack_channel="C0NEWS", slack_pace_seconds=0.01,
                    feeds_file=tmp_path / "feeds.toml")


@pytest.fixture
def db(db_url):
    with session(db_url) as s:
        yield s


def sink(slack: SlackDouble, pace: float = 0.01) -> SlackSink:
    return SlackSink(TOKEN, slack.base_url, pace_seconds=pace)


def ingest(s, settings: Settings, items, hours: float = 0) -> None:
    """Store (outlet, title, text) items an hour apart, group them and enqueue their deliveries."""
    ids = dict(zip(["wire", "ledger", "blaze"], sync_feeds(s, [
        FeedSpec(name=n, url=f"https://{n}.example/rss", tags=["osint"] if n == "blaze" else [])
        for n in ("wire", "ledger", "blaze")])))
    entries = [(ids[outlet], Entry(guid=title, url=f"https://{outlet}.example/{i}", title=title, text=text,
                                   published=T0 + timedelta(hours=hours + i), language="en"))
               for i, (outlet, title, text) in enumerate(items)]
    store_entries(s, entries, T0)
    enqueue_assignments(s, assign_stories(s, settings.stories), settings)
    s.commit()


def test_story_parent_thread_replies_and_parent_update(slack, settings, db):
    ingest(db, settings, DAM)
    report = deliver_pending(db, sink(slack))
    assert (report.sent, report.failed) == (3, 0)
    (parent,) = slack.messages("C0NEWS")
    assert "Dam on the Dnipro destroyed" in parent.text
    replies = slack.replies("C0NEWS", parent.ts)
    assert [("ledger" in r.text, "blaze" in r.text) for r in replies] == [(True, False), (False, True)]
    assert parent.edits and "3" in str(parent.edits[-1].new_blocks)  # the outlet count on the parent
    assert all(m.metadata["event_type"] == "warwatch_delivery" for m in [parent, *replies])


def test_contradiction_alert_is_broadcast_from_the_thread(slack, settings, db):
    ingest(db, settings, DAM[:1])
    deliver_pending(db, sink(slack))
    story_id = db.scalar(select(Delivery.story_id))
    claim = lambda text, outlet, hours: ClaimView(text=text, outlet=outlet, published=T0 + timedelta(hours=hours),
                                                  url=f"https://{outlet}.example/c", speaker="the operator",
                                                  value=None)
    view = ContradictionView(story_headline="Dam destroyed", kind="event status", reason="intact vs destroyed",
                             new=claim("The dam is intact", "blaze", 5), earlier=claim("The dam was destroyed", "wire", 1))
    assert enqueue_alert(db, key="alert:1:2", story_id=story_id, view=view)
    assert not enqueue_alert(db, key="alert:1:2", story_id=story_id, view=view)
    db.commit()
    deliver_pending(db, sink(slack))
    (alert,) = slack.broadcasts
    assert alert.thread_ts == slack.messages("C0NEWS")[0].ts and "intact vs destroyed" in alert.text + str(alert.blocks)


def test_crash_between_send_and_mark_does_not_double_post(slack, settings, db):
    ingest(db, settings, DAM[:1])

    class DiesAfterPosting(SlackSink):
        def post(self, *args, **kwargs):
            super().post(*args, **kwargs)
            raise SystemExit("killed after the post, before the mark")

    with pytest.raises(SystemExit):
        deliver_pending(db, DiesAfterPosting(TOKEN, slack.base_url, 0.01))
    db.rollback()
    report = deliver_pending(db, sink(slack))
    assert report.sent == 1 and len(slack.messages("C0NEWS")) == 1
    assert db.scalar(select(Delivery.slack_ts)) == slack.messages("C0NEWS")[0].ts


def test_slack_down_for_a_whole_run_then_everything_goes_out_in_order(slack, settings, db):
    ingest(db, settings, [DAM[0], ("wire", "Grain ship leaves Odesa under new corridor rules",
                                   "The vessel carried wheat to the Mediterranean.")])
    ingest(db, settings, [DAM[1]], hours=3)
    slack.down = True
    report = deliver_pending(db, sink(slack))
    assert (report.sent, report.waiting) == (0, 3)
    assert {d.status for d in db.scalars(select(Delivery))} == {"pending"}
    slack.down = False
    assert deliver_pending(db, sink(slack)).sent == 3
    posted = [m.text for m in slack.messages("C0NEWS")]
    assert "Dam on the Dnipro" in posted[0] and "Grain ship" in posted[1]
    assert len(slack.replies("C0NEWS", slack.messages("C0NEWS")[0].ts)) == 1


def test_rate_limit_storm_delivers_everything_at_the_pace(slack, settings, db):
    ingest(db, settings, DAM)
    slack.rate_limit(burst=1, retry_after=1, window=2)
    report = deliver_pending(db, sink(slack, pace=1.0))
    assert report.sent == 3
    assert pacing_violations(slack, min_interval=1.0) == []
    assert any(c.status == 429 for c in slack.calls)


def test_unknown_channel_fails_that_delivery_and_the_rest_go_on(slack, settings, db):
    routed = settings.model_copy(update={"routes": [Rule(channel="C0GONE", tags=["osint"])]})
    ingest(db, routed, [("blaze", "Drone strike reported on a fuel depot", "Smoke rose over the site."),
                        ("wire", "Grain ship leaves Odesa under new corridor rules", "Wheat went south.")])
    report = deliver_pending(db, sink(slack))
    assert (report.sent, report.failed) == (1, 1)
    failed = db.scalar(select(Delivery).where(Delivery.status == "failed"))
    assert failed.last_error == "channel_not_found"


def test_rejected_blocks_fall_back_to_plain_text(slack, settings, db):
    too_many = [{"type": "divider"}] * 51
    enqueue(db, key="manual:1", kind="digest", channel="C0NEWS",
            messages=[SlackMessage(text="Fifty-one dividers", blocks=too_many)])
    db.commit()
    assert deliver_pending(db, sink(slack)).sent == 1
    (message,) = slack.messages("C0NEWS")
    assert message.text == "Fifty-one dividers" and not message.blocks


def test_digest_lists_top_stories_and_feed_health(slack, settings, db, tmp_path):
    (tmp_path / "feeds.toml").write_text('[[feed]]\nname = "wire"\nurl = "https://wire.example/rss"\n')
    ingest(db, settings, DAM)
    assert enqueue_digest(db, settings, T0, T0 + timedelta(days=1), "2024-08-12")
    assert not enqueue_digest(db, settings, T0, T0 + timedelta(days=1), "2024-08-12")
    db.commit()
    deliver_pending(db, sink(slack))
    digest = slack.messages("C0NEWS")[-1]
    assert "Dam on the Dnipro destroyed" in str(digest.blocks) and "digest" in digest.text.lower()


def test_revoked_token_stops_delivery_at_once(slack, settings, db):
    ingest(db, settings, DAM)
    slack.revoked.add(TOKEN)
    with pytest.raises(DeliveryAuthError, match="token_revoked"):
        deliver_pending(db, sink(slack))
    assert len([c for c in slack.calls if c.method == "chat.postMessage"]) == 1

"""The delivery outbox: messages are written, with an idempotency key, before they are sent."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warwatch.config.settings import Settings
from warwatch.delivery.blocks import (
    SlackMessage,
    contradiction_message,
    coverage_message,
    digest_message,
    feed_alert_message,
    flow_alert_message,
    story_message,
)
from warwatch.delivery.routing import ArticleFacts, route
from warwatch.delivery.views import (
    ContradictionView,
    FeedHealthView,
    contradiction_view,
    coverage_view,
    digest_view,
    story_view,
)
from warwatch.store.models import Article, Contradiction, Delivery, Feed
from warwatch.stories.assign import Assignment

CONSOLE = "console"
"""The channel name used when no Slack channel is configured and messages go to the console."""


def default_channel(settings: Settings) -> str:
    return settings.slack_channel or CONSOLE


def enqueue(session: Session, *, key: str, kind: str, messages: list[SlackMessage], channel: str,
            story_id: int | None = None, article_id: int | None = None, broadcast: bool = False) -> bool:
    """Add a pending delivery unless one with ``key`` exists; True when added."""
    if session.scalar(select(Delivery.id).where(Delivery.key == key)) is not None:
        return False
    session.add(Delivery(
        key=key, kind=kind, channel=channel, story_id=story_id, article_id=article_id, broadcast=broadcast,
        text=messages[0].text, payload=[{"text": m.text, "blocks": m.blocks} for m in messages],
    ))
    session.flush()
    return True


def story_parent(session: Session, story_id: int) -> Delivery | None:
    """The delivery that posts the story's parent message, if the story was posted at all."""
    return session.scalar(select(Delivery).where(Delivery.key == f"story:{story_id}"))


def _facts(article: Article, feed: Feed) -> ArticleFacts:
    return ArticleFacts(feed=feed.name, tags=list(feed.tags), title=article.title, text=article.text,
                        language=article.language)


def enqueue_assignments(session: Session, assignments: Iterable[Assignment], settings: Settings) -> int:
    """One delivery per new story, routed by its first article; one coverage update, in the story's
    channel and thread, per later non-duplicate article. Copies, muted and off-topic articles post nothing; a
    story off topic so far is posted, with its coverage, by the first article on topic that joins it."""
    added = 0
    for a in assignments:
        if a.duplicate_of_id is not None or not a.relevant:
            continue
        article = session.get_one(Article, a.article_id)
        facts = _facts(article, session.get_one(Feed, article.feed_id))
        if a.new_story or a.turned_relevant:
            channel = route(facts, settings.routes, settings.mutes, default_channel(settings))
            if channel is not None:
                added += enqueue(session, key=f"story:{a.story_id}", kind="story", channel=channel,
                                 messages=story_message(story_view(session, a.story_id)),
                                 story_id=a.story_id, article_id=a.article_id)
            continue
        parent = story_parent(session, a.story_id)
        if parent is None or route(facts, [], settings.mutes, parent.channel) is None:
            continue
        added += enqueue(session, key=f"update:{a.article_id}", kind="update", channel=parent.channel,
                         messages=coverage_message(coverage_view(session, a.article_id)),
                         story_id=a.story_id, article_id=a.article_id)
    return added


def enqueue_alert(session: Session, *, key: str, story_id: int, view: ContradictionView) -> bool:
    """A contradiction alert: a reply in the story's thread, broadcast to the channel."""
    parent = story_parent(session, story_id)
    if parent is None:
        return False
    return enqueue(session, key=key, kind="alert", channel=parent.channel, story_id=story_id, broadcast=True,
                   messages=contradiction_message(view))


def enqueue_contradictions(session: Session, contradiction_ids: Iterable[int]) -> list[ContradictionView]:
    """The new contradictions' views; an alert is queued for each one alerted, the rest are kept for review."""
    views = []
    for contradiction_id in contradiction_ids:
        view = contradiction_view(session, contradiction_id)
        story_id = session.get_one(Contradiction, contradiction_id).story_id
        if story_id is not None and view.alerted:
            enqueue_alert(session, key=f"contradiction:{contradiction_id}", story_id=story_id, view=view)
        views.append(view)
    return views


def enqueue_digest(session: Session, settings: Settings, since: datetime, until: datetime, label: str) -> bool:
    """The digest for [since, until), once per ``label`` (e.g. its local date)."""
    feed_ids = [f.id for f in session.scalars(select(Feed).where(Feed.url.in_([s.url for s in settings.feeds()])))]
    return enqueue(session, key=f"digest:{label}", kind="digest", channel=default_channel(settings),
                   messages=digest_message(digest_view(session, since, until, feed_ids)))


def _incident_key(session: Session, subject: str, *, failing: bool) -> str | None:
    """The outbox key for a change in ``subject``'s health, or None when there is none to report.

    Incidents are numbered from the subject's latest alert in the outbox: ``down:SUBJECT:n``
    opens incident n, ``up:SUBJECT:n`` closes it. So an incident alerts once, however many
    runs it lasts, and its recovery is announced once; retention may remove every alert
    but the latest (:mod:`warwatch.store.retention`).
    """
    latest = session.scalar(select(Delivery.key).where(Delivery.key.like(f"down:{subject}:%")
                                                       | Delivery.key.like(f"up:{subject}:%"))
                            .order_by(Delivery.id.desc()).limit(1))
    is_open = latest is not None and latest.startswith("down:")
    number = int(latest.rsplit(":", 1)[1]) if latest else -1
    if failing and not is_open:
        return f"down:{subject}:{number + 1}"
    if not failing and is_open:
        return f"up:{subject}:{number}"
    return None


def enqueue_feed_alert(session: Session, settings: Settings, feed_id: int, *, failing: bool,
                       failures: int, last_error: str | None) -> bool:
    """One alert when a feed has failed ``alert_after_failures`` polls in a row, one when it recovers."""
    if failing and failures < settings.alert_after_failures:
        return False
    key = _incident_key(session, f"feed-{feed_id}", failing=failing)
    if key is None:
        return False
    feed = session.get_one(Feed, feed_id)
    view = FeedHealthView(name=feed.name, failures=failures, last_error=last_error, last_success=feed.last_success_at)
    return enqueue(session, key=key, kind="feed-alert", channel=default_channel(settings),
                   messages=feed_alert_message(view, recovered=not failing))


def enqueue_flow_alert(session: Session, settings: Settings, *, failing: bool, run_name: str, reason: str) -> bool:
    """One alert when monitor runs start failing, one when a run succeeds again."""
    key = _incident_key(session, "monitor-flow", failing=failing)
    if key is None:
        return False
    return enqueue(session, key=key, kind="flow-alert", channel=default_channel(settings),
                   messages=flow_alert_message(run_name, reason, recovered=not failing))


def pending(session: Session) -> list[Delivery]:
    """Deliveries not yet sent, oldest first, as stored now (not as this session last saw them)."""
    return list(session.scalars(select(Delivery).where(Delivery.status == "pending").order_by(Delivery.id)
                                .execution_options(populate_existing=True)))

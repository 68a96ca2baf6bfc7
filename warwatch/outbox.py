"""The delivery outbox: messages are written, with an idempotency key, before they are sent."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from warwatch.messages import coverage_text, story_text
from warwatch.stories.assign import Assignment
from warwatch.store.models import Article, Delivery, Feed


def enqueue(session: Session, *, key: str, kind: str, text: str, channel: str | None,
            story_id: int | None = None, article_id: int | None = None) -> bool:
    """Add a pending delivery unless one with ``key`` exists; True when added."""
    if session.scalar(select(Delivery.id).where(Delivery.key == key)) is not None:
        return False
    session.add(Delivery(key=key, kind=kind, text=text, channel=channel, story_id=story_id, article_id=article_id))
    session.flush()
    return True


def enqueue_assignments(session: Session, assignments: Iterable[Assignment], channel: str | None) -> int:
    """One delivery per new story, one coverage update per later non-duplicate article."""
    added = 0
    for a in assignments:
        if a.duplicate_of_id is not None:
            continue
        article = session.get(Article, a.article_id)
        feed = session.get(Feed, article.feed_id)
        if a.new_story:
            added += enqueue(session, key=f"story:{a.story_id}", kind="story", text=story_text(article, feed),
                             channel=channel, story_id=a.story_id, article_id=a.article_id)
        else:
            added += enqueue(session, key=f"update:{a.article_id}", kind="update",
                             text=coverage_text(article, feed), channel=channel,
                             story_id=a.story_id, article_id=a.article_id)
    return added


def pending(session: Session) -> list[Delivery]:
    """Deliveries not yet sent, oldest first."""
    return list(session.scalars(select(Delivery).where(Delivery.status == "pending").order_by(Delivery.id)))

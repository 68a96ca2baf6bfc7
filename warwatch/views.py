"""Read models for messages: stories, coverage and feed health as the Slack builders take them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warwatch.slack_messages import CoverageView, DigestView, FeedHealthView, StoryView
from warwatch.store.models import Article, Feed, Story


def story_view(session: Session, story_id: int) -> StoryView:
    """The story as its parent message shows it: first article, outlets, counts."""
    story = session.get_one(Story, story_id)
    first, outlet = session.execute(
        select(Article, Feed.name)
        .join(Feed, Feed.id == Article.feed_id)
        .where(Article.story_id == story_id)
        .order_by(Article.published, Article.id)
        .limit(1)
    ).one()
    return StoryView(story_id=story.id, headline=story.title, url=first.url, outlet=outlet,
                     first_seen=story.first_seen, outlets=list(story.sources), article_count=story.article_count)


def coverage_view(session: Session, article_id: int) -> CoverageView:
    article = session.get_one(Article, article_id)
    outlet = session.get_one(Feed, article.feed_id).name
    return CoverageView(headline=article.title, url=article.url, outlet=outlet, published=article.published)


def feed_health(session: Session, feed_ids: list[int] | None = None) -> list[FeedHealthView]:
    """Every feed's health, the failing ones first."""
    query = select(Feed).order_by(Feed.consecutive_failures.desc(), Feed.name)
    if feed_ids is not None:
        query = query.where(Feed.id.in_(feed_ids))
    return [FeedHealthView(name=f.name, failures=f.consecutive_failures, last_error=f.last_error,
                           last_success=f.last_success_at) for f in session.scalars(query)]


def digest_view(session: Session, since: datetime, until: datetime, feed_ids: list[int], top: int = 10) -> DigestView:
    """The most covered stories updated in [since, until), and the listed feeds' health."""
    story_ids = session.scalars(
        select(Story.id)
        .where(Story.last_updated >= since, Story.last_updated < until)
        .order_by(Story.article_count.desc(), Story.last_updated.desc())
        .limit(top)
    ).all()
    return DigestView(since=since, until=until, stories=[story_view(session, i) for i in story_ids],
                      contradictions=[], feeds=feed_health(session, feed_ids))

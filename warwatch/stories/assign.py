"""The story stage: put new articles into stories and record the decision."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from warwatch.store.models import Article, Story


@dataclass(frozen=True)
class Assignment:
    """What the story stage decided for one article."""

    article_id: int
    story_id: int
    duplicate_of_id: int | None
    new_story: bool


def assign_stories(session: Session) -> list[Assignment]:
    """Assign every article not yet in a story, in published order; each starts its own story.

    Working from "not yet assigned" rather than from a list of ids makes the stage
    resume cleanly after a crash between storing and assigning.
    """
    articles = session.scalars(
        select(Article).where(Article.story_id.is_(None)).order_by(Article.published, Article.id)
    ).all()
    assignments = []
    for article in articles:
        story = Story(
            title=article.title,
            first_seen=article.published,
            last_updated=article.published,
            article_count=1,
        )
        session.add(story)
        session.flush()
        article.story_id = story.id
        assignments.append(Assignment(article.id, story.id, None, True))
    return assignments

"""Terminal views of stories: recent coverage, why each article joined its story, its contradictions."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from warwatch.slack_messages import ClaimView
from warwatch.store.models import Article, Contradiction, Feed, Story
from warwatch.views import contradiction_view


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def story_list(session: Session, limit: int) -> Table:
    """The most recently updated stories with their coverage."""
    table = Table("story", "headline", "first seen (UTC)", "last update", "articles", "outlets", title="recent stories")
    for story in session.scalars(select(Story).order_by(Story.last_updated.desc(), Story.id.desc()).limit(limit)):
        table.add_row(str(story.id), story.title, _when(story.first_seen), _when(story.last_updated),
                      str(story.article_count), ", ".join(story.sources))
    return table


def story_detail(session: Session, story_id: int) -> RenderableType:
    """Every article of one story (its outlet, and the score and nearest article that placed it), then
    the story's contradictions, both claims side by side with the reason."""
    story = session.get(Story, story_id)
    title = f"story {story_id}: {story.title}" if story else f"story {story_id} not found"
    table = Table("article", "published (UTC)", "outlet", "headline", "joined by", "nearest", title=title)
    nearest = aliased(Article)
    rows = session.execute(
        select(Article, Feed.name, nearest.title)
        .join(Feed, Feed.id == Article.feed_id)
        .outerjoin(nearest, nearest.id == Article.nearest_id)
        .where(Article.story_id == story_id)
        .order_by(Article.published, Article.id)
    )
    for article, outlet, nearest_title in rows:
        if article.duplicate_of_id:
            why = f"copy of {article.duplicate_of_id} ({article.score:.2f})"
        elif article.score is None:
            why = "started the story"
        else:
            why = f"similarity {article.score:.2f}"
        table.add_row(str(article.id), _when(article.published), outlet, article.title, why, nearest_title or "")
    found = session.scalars(select(Contradiction.id).where(Contradiction.story_id == story_id).order_by(Contradiction.id)).all()
    if not found:
        return table
    disputes = Table("kind", "new claim", "earlier claim", "why", "confidence",
                     title=f"contradictions in story {story_id} (review: below the alert bar, not alerted)")
    for view in (contradiction_view(session, i) for i in found):
        trust = f"{view.confidence:.2f} {'alerted' if view.alerted else 'review'}"
        disputes.add_row(view.kind, _claim(view.new), _claim(view.earlier), view.reason, f"{trust}\n{view.evidence}")
    return Group(table, disputes)


def _claim(claim: ClaimView) -> str:
    speaker = f", {claim.speaker}" if claim.speaker else ""
    return f"{claim.outlet}{speaker}, {_when(claim.published)}: {claim.value or claim.text}"

"""Terminal views of stories: recent coverage, why each article joined its story and whether it is on the topic,
its contradictions."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from warwatch.delivery.views import ClaimView, contradiction_view
from warwatch.store.models import Article, Contradiction, Feed, Story


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def story_list(session: Session, limit: int, everything: bool = False) -> Table:
    """The most recently updated stories on the topic with their coverage; with ``everything``, the stories off the
    topic too, marked so."""
    query = select(Story).order_by(Story.last_updated.desc(), Story.id.desc()).limit(limit)
    if not everything:
        query = query.where(Story.relevant.is_(True))
    table = Table("story", "headline", "first seen (UTC)", "last update", "articles", "outlets",
                  *(["topic"] if everything else []), title="recent stories" + (", all" if everything else ""))
    for story in session.scalars(query):
        table.add_row(str(story.id), story.title, _when(story.first_seen), _when(story.last_updated),
                      str(story.article_count), ", ".join(story.sources),
                      *([("on" if story.relevant else "off")] if everything else []))
    return table


def story_detail(session: Session, story_id: int) -> RenderableType:
    """Every article of one story (its outlet, the score and nearest article that placed it, and whether it is on
    the topic, with why), then the story's contradictions, both claims side by side with the reason."""
    story = session.get(Story, story_id)
    title = f"story {story_id}: {story.title}" if story else f"story {story_id} not found"
    if story and not story.relevant:
        title += " (off topic: not posted)"
    table = Table("article", "published (UTC)", "outlet", "headline", "joined by", "nearest", "topic", title=title)
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
        topic = f"{topic_cell(article)}\n{article.relevance_reason}" if article.relevance_reason else ""
        table.add_row(str(article.id), _when(article.published), outlet, article.title, why, nearest_title or "", topic)
    found = session.scalars(select(Contradiction.id).where(Contradiction.story_id == story_id).order_by(Contradiction.id)).all()
    if not found:
        return table
    disputes = Table("kind", "new claim", "earlier claim", "why", "confidence",
                     title=f"contradictions in story {story_id} (review: below the alert bar, not alerted)")
    for view in (contradiction_view(session, i) for i in found):
        trust = f"{view.confidence:.2f} {'alerted' if view.alerted else 'review'}"
        disputes.add_row(view.kind, _claim(view.new), _claim(view.earlier), view.reason, f"{trust}\n{view.evidence}")
    return Group(table, disputes)


def topic_cell(article: Article) -> str:
    """"on 0.62", "off 0.21": whether the article is on the topic, and its score; empty when judged by no topic."""
    if article.relevant is None:
        return ""
    return f"{'on' if article.relevant else 'off'} {article.relevance or 0:.2f}"


def _claim(claim: ClaimView) -> str:
    """The claim's reading; for a sentence not in English, that reading and the sentence as written."""
    speaker = f", {claim.speaker}" if claim.speaker else ""
    original = f"\n{claim.language}: “{claim.text}”" if claim.language else ""
    return f"{claim.outlet}{speaker}, {_when(claim.published)}: {claim.value or claim.text}{original}"

"""The story stage: group new articles into stories, recognise near-identical copies, judge whether each is on the
channel's topic (:mod:`warwatch.stories.topic`), record why."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from warwatch.config.settings import StorySettings
from warwatch.embedding import embedding_text
from warwatch.places import gazetteer
from warwatch.store.models import Article, Feed, Story
from warwatch.stories.grouping import Item, StoryGrouper
from warwatch.stories.topic import Gate, load_topic
from warwatch.stories.vectors import embedding_key, vectors_for


@dataclass(frozen=True)
class Assignment:
    """What the story stage decided for one article."""

    article_id: int
    story_id: int
    duplicate_of_id: int | None
    new_story: bool
    score: float | None = None
    nearest_id: int | None = None
    relevant: bool = True          # the article is on the topic (or no topic is set)
    turned_relevant: bool = False  # its story, off topic so far, is on topic with it: the story is posted now


def assign_stories(session: Session, settings: StorySettings,
                   progress: Callable[[int], None] | None = None, index_file: Path | None = None) -> list[Assignment]:
    """Group every article not yet in a story, in published order.

    Working from "not yet assigned" rather than from a list of ids makes the stage
    resume cleanly after a crash. The grouper is rebuilt from the articles of the
    time window before the first new one, so a run decides as if it had seen
    everything one by one. With ``index_file``, an approximate index's graph of the
    window is kept there between runs, so only the new articles are added to it.
    """
    pending = session.scalars(
        select(Article).where(Article.story_id.is_(None)).order_by(Article.published, Article.id)
    ).all()
    if not pending:
        return []
    since = pending[0].published - timedelta(hours=settings.window_hours)
    recent = session.scalars(  # a story pruned by retention (warwatch.store.retention) takes no new article
        select(Article).join(Story, Article.story_id == Story.id)
        .where(Story.pruned_at.is_(None), Article.published >= since).order_by(Article.published)
    ).all()
    inputs = embedding_texts([*recent, *pending], settings)
    items = _items(session, [*recent, *pending], settings, inputs)
    index = settings.index_factory(index_file)()
    grouper = StoryGrouper(settings.grouping_params(),
                           recent=[(items[a.id], a.story_id, a.duplicate_of_id) for a in recent],
                           index_factory=lambda: index)
    sources = {feed_id: name for feed_id, name in session.execute(select(Feed.id, Feed.name))}
    topic = load_topic(settings.topic)
    gate = Gate(topic, session, settings.model_name) if topic else None
    stories: dict[int, Story] = {}
    assignments = []
    for done, article in enumerate(pending, 1):
        decision = grouper.add(items[article.id], new_story_key=lambda a=article: _new_story(session, a, stories))
        story = stories.get(decision.story) or session.get_one(Story, decision.story)
        stories[story.id] = story
        article.embedding_key = inputs[article.id][1]  # with the decisions: one update of the article
        article.story_id, article.duplicate_of_id = story.id, decision.duplicate_of
        article.score, article.nearest_id = decision.score, decision.nearest
        _cover(story, article, sources[article.feed_id])
        relevant, turned = _judge(gate, items[article.id], article, story, decision.new_story)
        assignments.append(Assignment(article.id, story.id, decision.duplicate_of, decision.new_story,
                                      decision.score, decision.nearest, relevant, turned))
        if progress:
            progress(done)
    session.flush()
    index.save()
    return assignments


def model_covers(settings: StorySettings, language: str | None) -> bool:
    """Whether the model understands articles in ``language`` (an unknown language counts as understood)."""
    return language is None or language in settings.model_languages


def embedding_texts(articles: Iterable[Article], settings: StorySettings) -> dict[int, tuple[str, str | None]]:
    """Each article's embedded text (headline and lead) and its cache key; no key when the model does not cover
    its language. The story stage and the fan-out that warms the cache before it (:mod:`warwatch.fanout`) share it."""
    model = settings.model_name
    texts = {a.id: (embedding_text(a.title, a.text), model_covers(settings, a.language)) for a in articles}
    return {i: (text, embedding_key(model, text) if covered else None) for i, (text, covered) in texts.items()}


def bridge_keys(articles: Iterable[Article], settings: StorySettings,
                texts: dict[int, tuple[str, str | None]]) -> dict[int, str]:
    """The bridge cache key of the embedded text (``texts``, from :func:`embedding_texts`) of each article in a bridge
    language, when one of them needs the bridge (the model does not read its language); else none: English news
    alone never pays for the bridge, and decides as it would without it. Shared with the fan-out."""
    model, languages = settings.bridge_model, set(settings.bridge_languages)
    bridged = [a for a in articles if model and a.language in languages]
    if not any(not model_covers(settings, a.language) for a in bridged):
        return {}
    return {a.id: embedding_key(model, texts[a.id][0]) for a in bridged}


def _items(session: Session, articles: list[Article], settings: StorySettings,
           inputs: dict[int, tuple[str, str | None]]) -> dict[int, Item]:
    """Grouper items of the articles (``inputs``: their :func:`embedding_texts`); articles in a language the model
    does not cover get no vector, and each article in a bridge language gets a bridge vector and the places it names
    when one of them needs it."""
    vectors = vectors_for(session, settings.model_name, {key: text for text, key in inputs.values() if key})
    bridges = bridge_keys(articles, settings, inputs)
    if bridges:
        vectors |= vectors_for(session, settings.bridge_model, {key: inputs[i][0] for i, key in bridges.items()})
    return {
        a.id: Item(a.id, vectors[key] if key else None, text, a.published, str(a.feed_id),
                   vectors[bridges[a.id]] if a.id in bridges else None,
                   gazetteer().places_in(text) if a.id in bridges else frozenset())
        for a in articles
        for text, key in [inputs[a.id]]
    }


def _judge(gate: Gate | None, item: Item, article: Article, story: Story, new_story: bool) -> tuple[bool, bool]:
    """Record whether the article is on the topic, and the story with it; return (article on topic, story turned
    on topic with it). With no topic every article is (and a story left off topic by an earlier topic turns on)."""
    relevant = True
    if gate is not None:
        judged = gate.judge(item.vector, item.text_key)  # headline and lead, the text the vector reads
        article.relevant, article.relevance, article.relevance_reason = judged.relevant, judged.score, judged.reason
        relevant = judged.relevant
    turned = relevant and not new_story and not story.relevant
    story.relevant = relevant if new_story else story.relevant or relevant
    return relevant, turned


def _new_story(session: Session, article: Article, stories: dict[int, Story]) -> int:
    story = Story(title=article.title, first_seen=article.published, last_updated=article.published,
                  article_count=0, sources=[])
    session.add(story)
    session.flush()
    stories[story.id] = story
    return story.id


def _cover(story: Story, article: Article, source: str) -> None:
    """Update the story's coverage incrementally."""
    story.article_count += 1
    story.first_seen = min(story.first_seen, article.published)
    story.last_updated = max(story.last_updated, article.published)
    if source not in story.sources:
        story.sources = [*story.sources, source]

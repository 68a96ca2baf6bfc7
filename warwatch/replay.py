"""Replay: JSON Lines articles through the same stages as the monitor flow, offline.

Input lines: ``{"id", "title", "text", "source", "url", "published"}``. Output, one
JSON object per line: ``{"event": "article", "id", "story", "duplicate_of", "language", "relevant",
"relevance"}`` for every input article, in published order (``language``: as detected, e.g. "uk", null for too
little text; ``relevant``: on the topic, ``relevance``: its score; null with the topic gate off), each followed
by its contradictions:
``{"event": "contradiction", "id", "other", "kind", "claim", "other_claim", "explanation", "confidence",
"alerted"}`` (``other`` equal to ``id`` for a dispute reported within one article; ``alerted`` false: below
``claims.alert_confidence``, kept for review).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from warwatch.claims import parse
from warwatch.claims.stage import check_claims
from warwatch.config.settings import FeedSpec, Settings
from warwatch.feeds.articles import store_entries
from warwatch.feeds.normalise import canonical_url, detect_language, html_to_text
from warwatch.feeds.parse import Entry
from warwatch.feeds.polling import sync_feeds
from warwatch.store.models import Article, Claim, Contradiction, utcnow
from warwatch.stories.assign import assign_stories


class ReplayInputError(Exception):
    """A bad input line; the message names the line."""


class ReplayArticle(BaseModel):
    id: str
    title: str
    text: str = ""
    source: str
    url: str = ""
    published: datetime

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> str:
        return str(value)

    @field_validator("published")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def read_articles(lines: Iterable[str], name: str) -> list[ReplayArticle]:
    """Parse and validate every non-blank line, sorted by published time (stable)."""
    articles = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            articles.append(ReplayArticle.model_validate_json(line))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "line"
            raise ReplayInputError(f"{name} line {number}: {where}: {err['msg']}") from None
    return sorted(articles, key=lambda a: a.published)


def _feed_spec(source: str) -> FeedSpec:
    return FeedSpec(name=source, url=f"https://replay.invalid/{source}")


def _entry(article: ReplayArticle) -> Entry:
    text = html_to_text(article.text) if "<" in article.text else article.text
    return Entry(
        guid=article.id,
        url=canonical_url(article.url),
        title=html_to_text(article.title) if "<" in article.title else article.title,
        text=text,
        published=article.published,
        language=detect_language(f"{article.title} {text}"),
    )


@dataclass(frozen=True)
class ArticleEvent:
    id: str
    story: str
    duplicate_of: str | None
    language: str | None = None
    relevant: bool | None = None
    relevance: float | None = None

    def json(self) -> str:
        return json.dumps({"event": "article", "id": self.id, "story": self.story, "duplicate_of": self.duplicate_of,
                           "language": self.language, "relevant": self.relevant,
                           "relevance": None if self.relevance is None else round(self.relevance, 3)})


@dataclass(frozen=True)
class ContradictionEvent:
    id: str
    other: str
    kind: str
    claim: str
    other_claim: str
    explanation: str
    confidence: float
    alerted: bool

    def json(self) -> str:
        return json.dumps({"event": "contradiction", "id": self.id, "other": self.other, "kind": self.kind,
                           "claim": self.claim, "other_claim": self.other_claim, "explanation": self.explanation,
                           "confidence": self.confidence, "alerted": self.alerted})


def replay(session: Session, articles: list[ReplayArticle], settings: Settings,
           progress: Callable[[int], None] | None = None) -> list[ArticleEvent | ContradictionEvent]:
    """Store the articles, group them and check their claims in published order; return their events."""
    sources = sorted({a.source for a in articles})
    feed_ids = dict(zip(sources, sync_feeds(session, [_feed_spec(s) for s in sources])))
    now = utcnow()
    stored = store_entries(session, [(feed_ids[a.source], _entry(a)) for a in articles], now)
    parse.warm()  # the claim parser loads while the model encodes the articles (which leaves the GIL free)
    assign_stories(session, settings.stories, progress)
    check_claims(session, settings.stories, settings.claims)
    session.commit()
    rows = {
        row.id: row
        for row in session.execute(select(Article.id, Article.guid, Article.story_id, Article.duplicate_of_id,
                                          Article.language, Article.relevant, Article.relevance))
    }
    contradictions = _contradiction_events(session, {row.id: row.guid for row in rows.values()})
    events: list[ArticleEvent | ContradictionEvent] = []
    for article, s in zip(articles, stored):
        row = rows[s.article_id]
        if not s.new:
            duplicate_of = row.guid  # the same piece re-published in one source: a copy of the stored one
        else:
            duplicate_of = rows[row.duplicate_of_id].guid if row.duplicate_of_id else None
        events.append(ArticleEvent(article.id, str(row.story_id), duplicate_of, row.language, row.relevant,
                                   row.relevance))
        if s.new:
            events += contradictions.get(s.article_id, [])
    return events


def _contradiction_events(session: Session, guids: dict[int, str]) -> dict[int, list[ContradictionEvent]]:
    """Every recorded contradiction, by the article of its new claim."""
    contradictions = session.scalars(select(Contradiction).order_by(Contradiction.id)).all()
    ids = {i for c in contradictions for i in (c.claim_id, c.other_claim_id)}
    claims = {c.id: c for c in session.scalars(select(Claim).where(Claim.id.in_(ids)))}
    events: dict[int, list[ContradictionEvent]] = {}
    for c in contradictions:
        new, old = claims[c.claim_id], claims[c.other_claim_id]
        events.setdefault(new.article_id, []).append(ContradictionEvent(
            guids[new.article_id], guids[old.article_id], c.kind, new.text, old.text, f"{c.reason} ({c.evidence})",
            c.confidence, c.alerted))
    return events


def load(path: Path) -> list[ReplayArticle]:
    """Read a replay file, or raise ReplayInputError with one clear line."""
    try:
        with open(path, encoding="utf-8") as handle:
            return read_articles(handle, str(path))
    except OSError as exc:
        raise ReplayInputError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ReplayInputError(f"{path} is not UTF-8 text") from None

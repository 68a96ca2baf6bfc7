"""What a message shows: view dataclasses for stories, coverage, claims, contradictions, feed health and digests,
and the functions that read them from the store. The Slack builders (``blocks``) and terminal views take them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warwatch.claims.claim import Claim
from warwatch.store.models import Article, Contradiction, Feed, Story
from warwatch.store.models import Claim as ClaimRow


@dataclass(frozen=True)
class StoryView:
    story_id: int
    headline: str
    url: str
    outlet: str
    first_seen: datetime
    outlets: list[str]
    article_count: int


@dataclass(frozen=True)
class CoverageView:
    headline: str
    url: str
    outlet: str
    published: datetime


@dataclass(frozen=True)
class ClaimView:
    text: str
    outlet: str
    published: datetime
    url: str
    speaker: str | None
    value: str | None  # normalised value for display, e.g. "1,036,000 km²"
    language: str | None = None  # the sentence's, when not English: it is quoted as written, the value in English


@dataclass(frozen=True)
class ContradictionView:
    story_headline: str
    kind: str
    reason: str
    new: ClaimView
    earlier: ClaimView
    confidence: float = 1.0
    evidence: str = ""      # what the confidence rests on
    alerted: bool = True    # False: below the alert bar, listed for review only


@dataclass(frozen=True)
class FeedHealthView:
    name: str
    failures: int
    last_error: str | None
    last_success: datetime | None


@dataclass(frozen=True)
class DigestView:
    since: datetime
    until: datetime
    stories: list[StoryView]
    contradictions: list[ContradictionView]
    feeds: list[FeedHealthView]
    review: list[ContradictionView] = field(default_factory=list)  # below the alert bar: listed, never alerted


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


def topic_shares(session: Session) -> dict[int, tuple[int, int]]:
    """Each feed's articles on the topic and articles judged by it: (on topic, judged), by feed id."""
    rows = session.execute(
        select(Article.feed_id, func.count(), func.count().filter(Article.relevant.is_(True)))
        .where(Article.relevant.is_not(None)).group_by(Article.feed_id))
    return {feed_id: (on, judged) for feed_id, judged, on in rows}


def digest_view(session: Session, since: datetime, until: datetime, feed_ids: list[int], top: int = 10) -> DigestView:
    """The most covered stories on the topic updated in [since, until), and the listed feeds' health."""
    story_ids = session.scalars(
        select(Story.id)
        .where(Story.last_updated >= since, Story.last_updated < until, Story.relevant.is_(True))
        .order_by(Story.article_count.desc(), Story.last_updated.desc())
        .limit(top)
    ).all()
    def contradictions(alerted: bool) -> list[ContradictionView]:
        ids = session.scalars(
            select(Contradiction.id)
            .where(Contradiction.created_at >= since, Contradiction.created_at < until, Contradiction.alerted.is_(alerted))
            .order_by(Contradiction.confidence.desc(), Contradiction.id).limit(top)
        ).all()
        return [contradiction_view(session, i) for i in ids]

    return DigestView(since=since, until=until, stories=[story_view(session, i) for i in story_ids],
                      contradictions=contradictions(True), feeds=feed_health(session, feed_ids),
                      review=contradictions(False))


def contradiction_view(session: Session, contradiction_id: int) -> ContradictionView:
    """Both claims side by side, with outlets, times, speakers, normalised values and the reason."""
    contradiction = session.get_one(Contradiction, contradiction_id)
    story = session.get(Story, contradiction.story_id) if contradiction.story_id else None
    new, earlier = (claim_view(session, i) for i in (contradiction.claim_id, contradiction.other_claim_id))
    return ContradictionView(story_headline=story.title if story else new.text, kind=contradiction.kind,
                             reason=contradiction.reason, new=new, earlier=earlier, confidence=contradiction.confidence,
                             evidence=contradiction.evidence, alerted=contradiction.alerted)


def claim_view(session: Session, claim_id: int) -> ClaimView:
    row = session.get_one(ClaimRow, claim_id)
    article = session.get_one(Article, row.article_id)
    outlet = session.get_one(Feed, article.feed_id).name
    claim = Claim.from_facts(row.facts)
    speaker = f"{claim.speaker} ({claim.side})" if claim.speaker and claim.side and claim.language else claim.speaker
    return ClaimView(text=row.text, outlet=outlet, published=article.published, url=article.url,
                     speaker=speaker, value=claim_value(claim), language=claim.language)


def claim_value(claim: Claim) -> str:
    """What a claim asserts, in normalised form: "400,000 square miles = 1,035,995 km²", "Bakhmut: contested"."""
    if claim.is_quantity:
        normalised = f" = {claim.value:,.0f} {claim.unit}" if claim.unit else ""
        return f"{claim.shown}{normalised} ({claim.kind})"
    if claim.kind == "control":
        state = f"taken by {claim.actor}" if claim.polarity and claim.actor else "taken" if claim.polarity else "contested"
        return f"{claim.subject or 'place'}: {state}"
    if claim.kind == "fate":
        return f"{claim.subject}: {claim.fate}"
    if claim.kind == "evacuation":
        return "evacuation complete" if claim.polarity else "evacuation not complete"
    if claim.kind == "unharmed":
        return f"{claim.actor + ' ' if claim.actor else ''}{claim.subject}: unharmed"
    if claim.kind == "withdrawal":
        manner = "orderly" if claim.polarity else "in disorder"
        return f"withdrawal{' from ' + claim.subject if claim.subject else ''}: {manner}"
    if claim.kind == "target":
        return f"hit a {claim.subject} target{' in ' + claim.where if claim.where else ''}"
    if claim.mechanism == "air defence" and not claim.polarity and not claim.actor:
        return "not brought down by air defence"
    cause = claim.mechanism or "cause"
    blame = f", admitted by {claim.actor}" if claim.admitted else f", blamed on {claim.actor}" if claim.actor and \
        claim.polarity else f", {claim.actor} not to blame" if claim.actor else ""
    return f"{cause}{blame}"

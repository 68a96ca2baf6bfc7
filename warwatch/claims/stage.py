"""The claim stage: extract the claims of newly grouped articles, compare them with earlier ones, record contradictions.

Each article is checked once (``Article.claims_checked``, set in the same transaction as its
claims and contradictions), so re-runs and replays never report a contradiction twice.
Candidates come from the same story first, then from other stories in the time window whose
claim sentences are close (cosine) and name a common place (:mod:`warwatch.claims.window`).
Russian and Ukrainian articles' claims are read by :mod:`warwatch.claims.cyrillic` and compared within
their story (which the story stage's bridge joins across languages); the English model gives their
sentences no vector to look across stories with.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.orm import Session

from warwatch.claims import cyrillic
from warwatch.claims.check import Disputes, Judge, check_article
from warwatch.claims.claim import Claim
from warwatch.claims.compare import Verdict, partners
from warwatch.claims.dates import days_referred_to
from warwatch.claims.extract import extract_all
from warwatch.claims.history import ClaimHistory
from warwatch.claims.nli import load_nli
from warwatch.claims.window import ClaimWindow
from warwatch.config.settings import ClaimSettings, StorySettings
from warwatch.store.models import Article, ArticleBody, Contradiction, Feed
from warwatch.store.models import Claim as ClaimRow
from warwatch.stories.assign import model_covers
from warwatch.stories.vectors import cached_vectors, embedding_key, vectors_for


def check_claims(session: Session, stories: StorySettings, claims: ClaimSettings,
                 second_opinion: Judge | None = None,
                 progress: Callable[[int], None] | None = None, index_file: Path | None = None) -> list[int]:
    """Check every grouped article not checked yet, in published order; return the new contradictions' ids. Copies
    and articles off the topic are marked checked with no claims read.

    All pending articles' claims are extracted first, their sentences encoded in one batch (a batch per
    article costs several times more in the model) and stored in one statement; then each article is
    compared in order. With ``index_file``, an approximate index's graph of the claim window is kept
    there between runs.
    """
    pending = session.execute(  # the columns read, not ORM objects (and their bodies, loaded a query apart)
        select(Article.id, Article.title, func.coalesce(ArticleBody.text, "").label("text"), Article.published,
               Article.feed_id, Article.language, Article.story_id, Article.duplicate_of_id, Article.relevant)
        .outerjoin(ArticleBody, ArticleBody.article_id == Article.id)
        .where(Article.claims_checked.is_(False), Article.story_id.is_not(None))
        .order_by(Article.published, Article.id)
    ).all()
    outlets = dict(session.execute(select(Feed.id, Feed.name)).all())
    read = [a for a in pending if a.duplicate_of_id is None and a.relevant is not False]
    english = [a for a in read if reads_english(stories, a.language)]
    extracted = dict(zip((a.id for a in english), extract_all(
        [(a.title, a.text, a.published, outlets.get(a.feed_id)) for a in english], claims.processes)))
    extracted |= {a.id: cyrillic.extract_claims(a.title, a.text, a.published, outlets.get(a.feed_id), a.language)
                  for a in read if a.language in cyrillic.LANGUAGES}
    model = stories.model_name
    texts = {embedding_key(model, c.text): c.text for found in extracted.values() for c in found if not c.language}
    vectors = {texts[key]: vector for key, vector in vectors_for(session, model, texts).items()}
    run = _Run(session, claims, second_opinion, vectors, ClaimWindow(stories.index_factory(index_file)))
    if pending:
        run.load_window(pending[0].published - timedelta(hours=claims.window_hours))
    stored = _store_claims(session, [a for a in pending if extracted.get(a.id)], extracted, model)
    found: list[dict] = []
    for done, article in enumerate(pending, 1):
        if article.id in stored:
            found += run.check(article, stored[article.id])
        if progress:
            progress(done)
    ids = _record(session, found, [article.id for article in pending])
    run.window.save()
    return ids


def _record(session: Session, contradictions: list[dict], checked: list[int]) -> list[int]:
    """Insert the contradictions (rows) and mark the articles checked, in a statement each (a few for many articles);
    return the contradictions' ids."""
    for start in range(0, len(checked), _IDS_PER_STATEMENT):
        session.execute(update(Article).where(Article.id.in_(checked[start:start + _IDS_PER_STATEMENT]))
                        .values(claims_checked=True))
    if not contradictions:
        return []
    table = Contradiction.__table__  # a Core insert, as for the claims
    return list(session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), contradictions))


_IDS_PER_STATEMENT = 10_000  # bound parameters of an IN list: well within SQLite's and PostgreSQL's limits


def reads_english(stories: StorySettings, language: str | None) -> bool:
    """Whether an article in ``language`` is read by the English extractor: not Russian or Ukrainian (read by
    :mod:`~warwatch.claims.cyrillic`), and in a language the model covers (its sentences are compared by it)."""
    return language not in cyrillic.LANGUAGES and model_covers(stories, language)


def nli_judge(settings: ClaimSettings) -> Judge | None:
    """A second opinion for claim pairs the rules let pass, when an NLI model is configured; else None."""
    if not settings.nli_model:
        return None
    model = load_nli(settings.nli_model)

    def judge(new: Claim, old: Claim) -> Verdict | None:
        probability = model.contradiction_probabilities([(old.text, new.text)])[0]
        if probability < settings.nli_threshold:
            return None
        return Verdict("contradiction", "nli", f"the NLI model {model.name} reads the new report as contradicting "
                                               f"the earlier one (p = {probability:.2f})")

    return judge


def _store_claims(session: Session, articles: list[Row], extracted: dict[int, list[Claim]],
                  model: str) -> dict[int, list[tuple[int, Claim]]]:
    """Insert the articles' claims in one statement, in article order (so ids rise with it, as the story history
    read by id expects); return each article's claims with their ids."""
    table = ClaimRow.__table__  # a Core insert: the ORM bulk insert costs twice as much per row
    rows = [(a, c) for a in articles for c in extracted[a.id]]
    if not rows:
        return {}
    ids = session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), [
        {"article_id": a.id, "story_id": a.story_id, "kind": c.kind, "text": c.text,
         "published": a.published, "embedding_key": None if c.language else embedding_key(model, c.text),
         "facts": c.facts()}
        for a, c in rows]).all()
    stored: dict[int, list[tuple[int, Claim]]] = {}
    for claim_id, (article, claim) in zip(ids, rows):
        stored.setdefault(article.id, []).append((claim_id, claim))
    return stored


ONE_DAY = timedelta(days=1)


class _Run:
    """The comparison state of one run: each story's claims so far and its known disputes, read once."""

    def __init__(self, session: Session, settings: ClaimSettings, second_opinion: Judge | None,
                 vectors: dict[str, np.ndarray], window: ClaimWindow) -> None:
        self.session, self.settings, self.second_opinion = session, settings, second_opinion
        self.vectors = vectors  # the new claims' sentence vectors, by text
        self.history: dict[int | None, ClaimHistory] = {}
        self.disputes: dict[int | None, Disputes] = {}  # alerted
        self.review: dict[int | None, Disputes] = {}    # kept for review
        self.window = window  # the cross-story candidates, searched with the stories' index (exact or ANN)

    def load_window(self, since: datetime) -> None:
        """Start the cross-story window with the claims stored since ``since``."""
        rows = self.session.scalars(select(ClaimRow).where(ClaimRow.published >= since).order_by(ClaimRow.id)).all()
        stored = cached_vectors(self.session, {row.embedding_key for row in rows if row.embedding_key})
        for row in rows:
            self.window.add(row.id, row.story_id, row.published, Claim.from_facts(row.facts), stored.get(row.embedding_key))

    def check(self, article: Row, stored: list[tuple[int, Claim]]) -> list[dict]:
        """Compare an article's stored claims (with their ids) with earlier ones; return its contradictions' rows."""
        story = article.story_id
        if story not in self.history:
            window = timedelta(hours=self.settings.window_hours)  # no later article looks back further
            self.history[story] = ClaimHistory(_story_claims(self.session, story, stored[0][0], article.published - window),
                                               window)
            self.disputes[story] = Disputes(_known_disputes(self.session, story, alerted=True))
            self.review[story] = Disputes(_known_disputes(self.session, story, alerted=False))
        others = self._other_stories(article, stored)
        others += self._before_window(article, stored, {key for key, _ in others})
        found = [dict(claim_id=finding.claim, other_claim_id=finding.other, story_id=story,
                      kind=finding.verdict.kind or "contradiction", reason=finding.verdict.reason,
                      confidence=finding.confidence.score, evidence=finding.confidence.text(),
                      alerted=finding.confidence.score >= self.settings.alert_confidence)
                 for finding in check_article(stored, self.history[story], self.disputes[story], self.second_opinion,
                                              others, self.review[story], self.settings.alert_confidence)]
        for claim_id, claim in stored:
            self.history[story].add(claim_id, claim)
            self.window.add(claim_id, story, article.published, claim, self.vectors.get(claim.text))
        return found

    def _other_stories(self, article: Row, stored: list[tuple[int, Claim]]) -> list[tuple[int, Claim]]:
        """Claims of other stories in the window, of a partner kind, naming a common place, with close sentences."""
        since = article.published - timedelta(hours=self.settings.window_hours)
        self.window.forget_before(since)
        sentences = dict.fromkeys(claim.text for _, claim in stored)  # a sentence with several claims: searched once
        return self.window.neighbours(
            [self.vectors[text] for text in sentences if text in self.vectors], story_id=article.story_id, since=since,
            kinds=set().union(*(partners(claim.kind) for _, claim in stored)),
            places=set().union(*(claim.places for _, claim in stored)), similarity=self.settings.cross_story_similarity)

    def _before_window(self, article: Row, stored: list[tuple[int, Claim]], met: set[int]) -> list[tuple[int, Claim]]:
        """For an admission about an event before the window (a day or a month it names): the causes reported then
        (by the window's end after it) naming a place the admission names, any story. What a side said of the event
        stays disputed however late it owns up."""
        since = article.published - timedelta(hours=self.settings.window_hours)
        found: list[tuple[int, Claim]] = []
        for _, claim in stored:
            days = days_referred_to(claim) if claim.admitted else None
            if days is None or days[0] >= since.date():
                continue
            start = datetime.combine(days[0] - ONE_DAY, time(), since.tzinfo)
            end = min(datetime.combine(days[1], time(), since.tzinfo) + timedelta(hours=self.settings.window_hours),
                      since)
            rows = self.session.scalars(select(ClaimRow).where(
                ClaimRow.kind == "cause", ClaimRow.published >= start, ClaimRow.published < end)
                .order_by(ClaimRow.published.desc(), ClaimRow.id.desc())).all()
            found += [(row.id, other) for row in rows if row.id not in met
                      and set((other := Claim.from_facts(row.facts)).places) & set(claim.places)
                      and (other.refers_to is None or days[0] - ONE_DAY <= other.refers_to <= days[1] + ONE_DAY)]
            met |= {key for key, _ in found}
        return found


def _story_claims(session: Session, story_id: int | None, before_id: int, since: datetime) -> list[tuple[int, Claim]]:
    """The story's claims stored before ``before_id`` and published since ``since``, oldest first."""
    rows = session.scalars(
        select(ClaimRow).where(ClaimRow.story_id == story_id, ClaimRow.id < before_id, ClaimRow.published >= since)
        .order_by(ClaimRow.published, ClaimRow.id)
    ).all()
    return [(row.id, Claim.from_facts(row.facts)) for row in rows]


def _known_disputes(session: Session, story_id: int | None, alerted: bool) -> list[tuple[Claim, Claim]]:
    pairs = session.execute(
        select(Contradiction.claim_id, Contradiction.other_claim_id)
        .where(Contradiction.story_id == story_id, Contradiction.alerted.is_(alerted))
    ).all()
    facts = {row.id: Claim.from_facts(row.facts) for row in session.scalars(
        select(ClaimRow).where(ClaimRow.id.in_({i for pair in pairs for i in pair})))}
    return [(facts[a], facts[b]) for a, b in pairs]

"""The claim stage: extract the claims of newly grouped articles, compare them with earlier ones, record contradictions.

Each article is checked once (``Article.claims_checked``, set in the same transaction as its
claims and contradictions), so re-runs and replays never report a contradiction twice.
Candidates come from the same story first, then from other stories in the time window whose
claim sentences are close (cosine) and name a common place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from warwatch.claims.check import Judge, check_article
from warwatch.claims.compare import Verdict
from warwatch.claims.extract import Claim, extract_claims
from warwatch.claims.nli import load_nli
from warwatch.config.settings import ClaimSettings, StorySettings
from warwatch.stories.vectors import cached_vectors, embedding_key, vectors_for
from warwatch.store.models import Article, Contradiction, Feed
from warwatch.store.models import Claim as ClaimRow

# Kinds a claim of a kind is compared with: its own, and complete evacuations against losses.
_PARTNERS = {"evacuation": {"evacuation", "killed", "missing"}, "killed": {"killed", "evacuation"},
             "missing": {"missing", "evacuation"}}


def check_claims(session: Session, stories: StorySettings, claims: ClaimSettings,
                 second_opinion: Judge | None = None,
                 progress: Callable[[int], None] | None = None) -> list[int]:
    """Check every grouped article not checked yet, in published order; return the new contradictions' ids."""
    pending = session.scalars(
        select(Article).where(Article.claims_checked.is_(False), Article.story_id.is_not(None))
        .order_by(Article.published, Article.id)
    ).all()
    outlets = dict(session.execute(select(Feed.id, Feed.name)).all())
    found: list[int] = []
    disputes: dict[int | None, list[tuple[Claim, Claim]]] = {}
    for done, article in enumerate(pending, 1):
        article.claims_checked = True
        if article.duplicate_of_id is None and article.language in (*stories.model_languages, None):
            stored, vectors = _store_claims(session, article, outlets.get(article.feed_id), stories.model_name)
            if stored:
                found += _compare(session, article, stored, vectors, claims, disputes, second_opinion)
        if progress:
            progress(done)
    session.flush()
    return found


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


def _store_claims(session: Session, article: Article, outlet: str | None,
                  model: str) -> tuple[list[tuple[ClaimRow, Claim]], dict[str, np.ndarray]]:
    """The article's claims, stored with their sentence vectors (encoded once, cached by key)."""
    extracted = [replace(c, source=outlet) for c in extract_claims(article.title, article.text, article.published)]
    keys = {embedding_key(model, c.text): c.text for c in extracted}
    vectors = vectors_for(session, model, keys) if keys else {}
    stored = [(ClaimRow(article_id=article.id, story_id=article.story_id, kind=c.kind, text=c.text,
                        published=article.published, embedding_key=embedding_key(model, c.text), facts=c.facts()), c)
              for c in extracted]
    session.add_all(row for row, _ in stored)
    session.flush()
    return stored, vectors


def _compare(session: Session, article: Article, stored: list[tuple[ClaimRow, Claim]], vectors: dict[str, np.ndarray],
             settings: ClaimSettings, disputes: dict[int | None, list[tuple[Claim, Claim]]],
             second_opinion: Judge | None) -> list[int]:
    rows = [row for row, _ in stored]
    new = [(row.id, claim) for row, claim in stored]
    earlier = _same_story(session, article, rows[0].id) + _other_stories(session, article, stored, vectors, settings)
    if article.story_id not in disputes:
        disputes[article.story_id] = _known_disputes(session, article.story_id)
    ids = []
    for finding in check_article(new, earlier, disputes[article.story_id], second_opinion):
        contradiction = Contradiction(claim_id=finding.claim, other_claim_id=finding.other, story_id=article.story_id,
                                      kind=finding.verdict.kind or "contradiction", reason=finding.verdict.reason)
        session.add(contradiction)
        session.flush()
        ids.append(contradiction.id)
    return ids


def _same_story(session: Session, article: Article, first_new_id: int) -> list[tuple[int, Claim]]:
    rows = session.scalars(
        select(ClaimRow).where(ClaimRow.story_id == article.story_id, ClaimRow.id < first_new_id)
        .order_by(ClaimRow.published.desc(), ClaimRow.id.desc())
    ).all()
    return [(row.id, Claim.from_facts(row.facts)) for row in rows]


def _other_stories(session: Session, article: Article, stored: list[tuple[ClaimRow, Claim]],
                   vectors: dict[str, np.ndarray], settings: ClaimSettings) -> list[tuple[int, Claim]]:
    """Claims of other stories in the window, of a partner kind, naming a common place, with close sentences."""
    kinds = set().union(*(_PARTNERS.get(row.kind, {row.kind}) for row, _ in stored))
    since = article.published - timedelta(hours=settings.window_hours)
    candidates = session.scalars(
        select(ClaimRow).where(ClaimRow.story_id != article.story_id, ClaimRow.kind.in_(kinds),
                               ClaimRow.published >= since, ClaimRow.id < stored[0][0].id)
        .order_by(ClaimRow.published.desc())
    ).all()
    places = set().union(*(claim.places for _, claim in stored))
    candidates = [c for c in candidates if places & set(c.facts["places"]) and c.embedding_key]
    if not candidates:
        return []
    theirs = cached_vectors(session, {c.embedding_key for c in candidates})
    mine = np.stack([vectors[row.embedding_key] for row, _ in stored])
    return [(c.id, Claim.from_facts(c.facts)) for c in candidates
            if c.embedding_key in theirs and float(np.max(mine @ theirs[c.embedding_key])) >= settings.cross_story_similarity]


def _known_disputes(session: Session, story_id: int | None) -> list[tuple[Claim, Claim]]:
    pairs = session.execute(
        select(Contradiction.claim_id, Contradiction.other_claim_id).where(Contradiction.story_id == story_id)
    ).all()
    facts = {row.id: Claim.from_facts(row.facts) for row in session.scalars(
        select(ClaimRow).where(ClaimRow.id.in_({i for pair in pairs for i in pair})))}
    return [(facts[a], facts[b]) for a, b in pairs]

"""The claim stage: extract the claims of newly grouped articles, compare them with earlier ones, record contradictions.

Each article is checked once (``Article.claims_checked``, set in the same transaction as its
claims and contradictions), so re-runs and replays never report a contradiction twice.
Candidates come from the same story first, then from other stories in the time window whose
claim sentences are close (cosine) and name a common place (:mod:`warwatch.claims.window`).
Russian and Ukrainian articles' claims are read by :mod:`warwatch.claims.cyrillic` and compared within
their story (which the story stage's bridge joins across languages); the English model gives their
sentences no vector to look across stories with. All the comparison needs from the store is read before it starts,
so a large batch's stories can be shared out over forked processes (:mod:`warwatch.processes`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, time, timedelta
from itertools import chain
from operator import itemgetter
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
from warwatch.processes import run_shares, shares_for
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
    window = ClaimWindow(stories.index_factory(index_file))
    if pending:
        _load_window(session, window, pending[0].published - timedelta(hours=claims.window_hours))
    stored = _store_claims(session, [a for a in pending if extracted.get(a.id)], extracted, model)
    run = _Run(claims, second_opinion, vectors, window)
    run.read_store(session, [a for a in pending if a.id in stored], stored)
    ids = _record(session, run.compare(pending, stored, claims.processes, progress), [a.id for a in pending])
    window.save()
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
    """The comparison state of one run: each story's claims so far and its known disputes, read from the store before
    any article is compared, so that comparing needs no session and stories can be compared in processes apart."""

    def __init__(self, settings: ClaimSettings, second_opinion: Judge | None, vectors: dict[str, np.ndarray],
                 window: ClaimWindow) -> None:
        self.settings, self.second_opinion = settings, second_opinion
        self.span = timedelta(hours=settings.window_hours)  # no article looks back further
        self.vectors = vectors  # the new claims' sentence vectors, by text
        self.window = window  # the cross-story candidates, searched with the stories' index (exact or ANN)
        self.history: dict[int, ClaimHistory] = {}
        self.disputes: dict[int, Disputes] = {}  # alerted
        self.review: dict[int, Disputes] = {}    # kept for review
        self.earlier: dict[int, list[tuple[int, Claim]]] = {}  # by article: causes its admissions name, before the window

    def read_store(self, session: Session, articles: list[Row], stored: dict[int, list[tuple[int, Claim]]]) -> None:
        """Read what comparing ``articles`` (in order, each with claims stored) needs from the store: each story's
        claims stored before the run since its first article's window, its disputes, and the causes before the
        window that admissions name."""
        firsts: dict[int, tuple[int, datetime]] = {}  # story -> its first new claim's id, and how far back it looks
        for article in articles:
            firsts.setdefault(article.story_id, (stored[article.id][0][0], article.published - self.span))
        earlier = _story_claims(session, firsts)
        known = _known_disputes(session, list(firsts))
        for story in firsts:
            self.history[story] = ClaimHistory(earlier.get(story, []), self.span)
            self.disputes[story] = Disputes(known.get((story, True), []))
            self.review[story] = Disputes(known.get((story, False), []))
        for article in articles:
            if found := _before_window(session, article.published - self.span, stored[article.id], self.span):
                self.earlier[article.id] = found

    def compare(self, pending: list[Row], stored: dict[int, list[tuple[int, Claim]]], processes: int | None,
                progress: Callable[[int], None] | None) -> list[dict]:
        """The contradictions of each pending article's stored claims with earlier ones, as rows, in article order.
        A large batch's stories are shared out over ``processes`` processes (:mod:`warwatch.processes`; not with a
        second opinion, whose model stays in this process): each compares its stories' articles and adds every
        story's claims to its window as it goes, so each article meets what it would meet compared alone."""
        shares = 1 if self.second_opinion else shares_for(len(stored), processes)
        owner = _share_out(Counter({a.story_id: len(stored[a.id]) for a in pending if a.id in stored}), shares)

        def work(share: int) -> list[tuple[int, dict]]:
            found = []
            for done, article in enumerate(pending, 1):
                if article.id in stored:
                    found += [(done, row) for row in self._article(article, stored[article.id],
                                                                   owner[article.story_id] == share)]
                if progress and share == 0:
                    progress(done)
            return found
        return [row for _, row in sorted(chain.from_iterable(run_shares(work, shares)), key=itemgetter(0))]

    def _article(self, article: Row, stored: list[tuple[int, Claim]], compared: bool) -> list[dict]:
        """Compare an article's stored claims (with their ids) with earlier ones when ``compared`` (its story is
        this process's), return its contradictions' rows; add the claims to the window either way."""
        story = article.story_id
        since = article.published - self.span
        self.window.forget_before(since)
        found = self._check(article, stored, since) if compared else []
        for claim_id, claim in stored:
            if compared:
                self.history[story].add(claim_id, claim)
            self.window.add(claim_id, story, article.published, claim, self.vectors.get(claim.text))
        return found

    def _check(self, article: Row, stored: list[tuple[int, Claim]], since: datetime) -> list[dict]:
        story = article.story_id
        others = self._other_stories(article, stored, since)
        met = {key for key, _ in others}
        for key, claim in self.earlier.get(article.id, ()):
            if key not in met:
                others.append((key, claim))
                met.add(key)
        return [dict(claim_id=finding.claim, other_claim_id=finding.other, story_id=story,
                     kind=finding.verdict.kind or "contradiction", reason=finding.verdict.reason,
                     confidence=finding.confidence.score, evidence=finding.confidence.text(),
                     alerted=finding.confidence.score >= self.settings.alert_confidence)
                for finding in check_article(stored, self.history[story], self.disputes[story], self.second_opinion,
                                             others, self.review[story], self.settings.alert_confidence)]

    def _other_stories(self, article: Row, stored: list[tuple[int, Claim]], since: datetime) -> list[tuple[int, Claim]]:
        """Claims of other stories in the window, of a partner kind, naming a common place, with close sentences."""
        sentences = dict.fromkeys(claim.text for _, claim in stored)  # a sentence with several claims: searched once
        return self.window.neighbours(
            [self.vectors[text] for text in sentences if text in self.vectors], story_id=article.story_id, since=since,
            kinds=set().union(*(partners(claim.kind) for _, claim in stored)),
            places=set().union(*(claim.places for _, claim in stored)), similarity=self.settings.cross_story_similarity)


def _share_out(sizes: Counter[int], shares: int) -> dict[int, int]:
    """Each story's share: the largest first, each to the share with the fewest claims so far."""
    load = [0] * shares
    owner = {}
    for story, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        owner[story] = share = load.index(min(load))
        load[share] += size
    return owner


def _load_window(session: Session, window: ClaimWindow, since: datetime) -> None:
    """Start the cross-story window with the claims stored since ``since``."""
    rows = session.scalars(select(ClaimRow).where(ClaimRow.published >= since).order_by(ClaimRow.id)).all()
    stored = cached_vectors(session, {row.embedding_key for row in rows if row.embedding_key})
    for row in rows:
        window.add(row.id, row.story_id, row.published, Claim.from_facts(row.facts), stored.get(row.embedding_key))


def _before_window(session: Session, since: datetime, stored: list[tuple[int, Claim]],
                   span: timedelta) -> list[tuple[int, Claim]]:
    """For an admission about an event before the window (a day or a month it names, before ``since``): the causes
    reported then (by the window's end after it) naming a place the admission names, any story. What a side said of
    the event stays disputed however late it owns up."""
    found: list[tuple[int, Claim]] = []
    for _, claim in stored:
        days = days_referred_to(claim) if claim.admitted else None
        if days is None or days[0] >= since.date():
            continue
        start = datetime.combine(days[0] - ONE_DAY, time(), since.tzinfo)
        end = min(datetime.combine(days[1], time(), since.tzinfo) + span, since)
        rows = session.scalars(select(ClaimRow).where(
            ClaimRow.kind == "cause", ClaimRow.published >= start, ClaimRow.published < end)
            .order_by(ClaimRow.published.desc(), ClaimRow.id.desc())).all()
        found += [(row.id, other) for row in rows
                  if set((other := Claim.from_facts(row.facts)).places) & set(claim.places)
                  and (other.refers_to is None or days[0] - ONE_DAY <= other.refers_to <= days[1] + ONE_DAY)]
    return found


def _story_claims(session: Session, firsts: dict[int, tuple[int, datetime]]) -> dict[int, list[tuple[int, Claim]]]:
    """Each story's claims stored before its first new claim's id and published since its first article's window
    (``firsts``: story -> both), oldest first."""
    found: dict[int, list[tuple[int, Claim]]] = {}
    if not firsts:
        return found
    stories = list(firsts)
    for start in range(0, len(stories), _IDS_PER_STATEMENT):
        rows = session.scalars(
            select(ClaimRow).where(ClaimRow.story_id.in_(stories[start:start + _IDS_PER_STATEMENT]),
                                   ClaimRow.id < max(first for first, _ in firsts.values()),
                                   ClaimRow.published >= min(since for _, since in firsts.values()))
            .order_by(ClaimRow.published, ClaimRow.id)
        )
        for row in rows:
            first, since = firsts[row.story_id]
            if row.id < first and row.published >= since:
                found.setdefault(row.story_id, []).append((row.id, Claim.from_facts(row.facts)))
    return found


def _known_disputes(session: Session, stories: list[int]) -> dict[tuple[int, bool], list[tuple[Claim, Claim]]]:
    """The stories' contradictions recorded, as claim pairs, by story and whether alerted."""
    pairs = [row for start in range(0, len(stories), _IDS_PER_STATEMENT) for row in session.execute(
        select(Contradiction.story_id, Contradiction.alerted, Contradiction.claim_id, Contradiction.other_claim_id)
        .where(Contradiction.story_id.in_(stories[start:start + _IDS_PER_STATEMENT])).order_by(Contradiction.id))]
    ids = list({i for row in pairs for i in (row.claim_id, row.other_claim_id)})
    facts = {row.id: Claim.from_facts(row.facts) for start in range(0, len(ids), _IDS_PER_STATEMENT)
             for row in session.scalars(select(ClaimRow).where(ClaimRow.id.in_(ids[start:start + _IDS_PER_STATEMENT])))}
    known: dict[tuple[int, bool], list[tuple[Claim, Claim]]] = {}
    for row in pairs:
        known.setdefault((row.story_id, row.alerted), []).append((facts[row.claim_id], facts[row.other_claim_id]))
    return known

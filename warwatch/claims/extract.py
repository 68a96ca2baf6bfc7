"""Check-worthy claims in an article: figures, the status of a place or an evacuation, causes and blame.

Sentences come from pysbd; each sentence is split into clauses at contrasts (", but", "; ",
", while") so "Wagner says it took the city, but Kyiv says fighting goes on" yields two
claims with two speakers. A claim keeps who said it, how hedged it is and when it refers to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from copy import copy
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from warwatch.claims import (admission, attribution, denial, fate, hedging, interception, magnitude, parse, targets,
                             unharmed, withdrawal)
from warwatch.claims import lexicon as lx
from warwatch.claims.causes import cause_readings
from warwatch.claims.claim import Claim, Fields
from warwatch.claims.control import Status, group_named, status
from warwatch.claims.dates import refers_to
from warwatch.claims.figures import FigureReading, figure_reading, framed, people_kind
from warwatch.claims.placenames import places
from warwatch.claims.quantities import find_figures, normalise_numbers
from warwatch.claims.sentences import QUOTES_OPEN, split_clauses, split_sentences
from warwatch.claims.speakers import UNSAID, attributed, doubtful, generic, regex_speaker, side_of, without
from warwatch.places import gazetteer
from warwatch.processes import map_runs

_RUNNING_TOTAL = re.compile(r"\b(?:" + "|".join(lx.RUNNING_TOTAL) + r")\b", re.I)
_BEFORE_OCCUPIED = ("in", "of", "on", "at", "the", "from", "into", "near", "across", "temporarily")
_DESCRIPTIVE = re.compile(r"\b[\w’']+-(?:occupied|controlled|held|backed|installed)\b|(?:"
                          + "|".join(f"(?<=\\b{word} )" for word in _BEFORE_OCCUPIED) + r")occupied\b", re.I)
"""Words that describe a place, not claim its capture: "Russian-occupied Kherson", "in occupied Melitopol"."""


def extract_claims(title: str, text: str, published: datetime, source: str | None = None) -> list[Claim]:
    """All claims in an article's title and text, in reading order; ``source``: the outlet, kept on each."""
    state = _ArticleState()
    claims: list[Claim] = []
    for sentence in _sentences(title, text):
        before = copy(state)
        found, sentence_speaker = _sentence_claims(sentence, regex_speaker, published, source, state, claims)
        if found and doubtful(sentence) and (heard := attribution.attributions(sentence)) is not None:
            speaker_of = attributed(sentence, heard)
            if any(speaker_of(part, sentence) != regex_speaker(part, sentence)
                   for part in (sentence, *split_clauses(sentence))):
                state = before  # read again, each clause attributed by the parse
                found, sentence_speaker = _sentence_claims(sentence, speaker_of, published, source, state, claims)
        claims += found
        state.after_sentence(sentence, sentence_speaker)
    return claims


def _sentences(title: str, text: str) -> list[str]:
    return [sentence for sentence in (title.strip(), *(s.strip() for s in split_sentences(text or ""))) if sentence]


def _sentence_claims(sentence: str, speaker_of: Callable[[str, str], str | None], published: datetime,
                     source: str | None, state: _ArticleState, earlier: list[Claim]) -> tuple[list[Claim], str | None]:
    """The sentence's claims, each clause's speaker given by ``speaker_of``; and the sentence's speaker."""
    sentence_speaker = speaker_of(sentence, sentence) or state.quote_speaker
    found: list[Claim] = []
    for clause in split_clauses(sentence):
        if clause.strip():
            speaker = speaker_of(clause, sentence) if clause != sentence else sentence_speaker
            found += _clause_claims(clause, sentence, sentence_speaker if speaker is UNSAID else speaker,
                                    published, source, state, [*earlier, *found])
    fates, groups, bounds = fate.candidate(sentence, sentence_speaker), unharmed.candidate(sentence), \
        magnitude.candidate(sentence)
    if fates or groups or bounds:
        found += _people_claims(sentence, sentence_speaker, published, source, state, fates, groups, bounds)
    return found, sentence_speaker


def extract_all(articles: Sequence[tuple[str, str, datetime, str | None]],
                processes: int | None = None) -> list[list[Claim]]:
    """:func:`extract_many`, a large batch spread over ``processes`` processes (:func:`warwatch.processes.map_runs`;
    None: one per core): articles are read independently of each other, so the claims are the same."""
    parse.pipeline()  # loaded here, once, for every process (and raises here when it is missing)
    gazetteer()
    return map_runs(extract_many, articles, processes)


BATCH = 500
"""Articles whose clauses are parsed together: a batch's clauses stay well within the parse cache."""


def extract_many(articles: Sequence[tuple[str, str, datetime, str | None]]) -> list[list[Claim]]:
    """:func:`extract_claims` of each (title, text, published, source), batch by batch: spaCy parses together (about
    twice as fast as one by one) the clauses whose figures the words alone show will be asked about; then each
    article is read, collecting the clauses it asks about that are not parsed yet (a speaker only the context names
    changes a clause as read), which are parsed together, and the articles that asked for one are read again."""
    found: list[list[Claim]] = []
    for start in range(0, len(articles), BATCH):
        batch = articles[start:start + BATCH]
        parse.prime(text for title, body, *_ in batch for text in _figure_clauses(title, body))
        first = []
        for article in batch:
            with parse.collecting() as wanted:
                first.append((extract_claims(*article), wanted))
        parse.prime(set().union(*(wanted for _, wanted in first)))
        found += [extract_claims(*article) if wanted else claims for article, (claims, wanted) in zip(batch, first)]
    return found


def _figure_clauses(title: str, text: str) -> Iterator[str]:
    """The clauses, as read, whose figures the reading asks the parse about, when each clause's speaker is the one
    its own words or its sentence's name (or, for "the ministry", "he", the last one named)."""
    last = None
    for sentence in _sentences(title, text):
        sentence_speaker = regex_speaker(sentence, sentence)
        for clause in split_clauses(sentence):
            speaker = regex_speaker(clause, sentence) if clause != sentence else sentence_speaker
            speaker = sentence_speaker if speaker is UNSAID else speaker
            speaker = last if speaker and generic(speaker) else speaker
            last = speaker or last
            if clause.strip() and not lx.NOT_CONFIRMED.search(clause):
                yield from (figure.text for figure in _reading(clause, speaker).figures
                            if figure.fields["kind"] in lx.QUANTITY_KINDS)


class _ArticleState:
    """What earlier sentences tell later ones: the last speaker, the place under discussion, the places last named,
    open quotes."""

    def __init__(self) -> None:
        self.last_speaker: str | None = None
        self.last_place: str | None = None
        self.last_places: tuple[str, ...] = ()
        self.quote_speaker: str | None = None

    def after_sentence(self, sentence: str, speaker: str | None) -> None:
        opened = sum(sentence.count(q) for q in QUOTES_OPEN) - sentence.count("”") - sentence.count("»")
        straight = sentence.count('"') % 2
        self.quote_speaker = speaker if (opened > 0 or straight) else None
        if speaker and not generic(speaker):
            self.last_speaker = speaker
        self.last_places = places(sentence, speaker) or self.last_places


def _clause_claims(clause: str, sentence: str, speaker: str | None, published: datetime, source: str | None,
                   state: _ArticleState, earlier: list[Claim]) -> list[Claim]:
    if lx.NOT_CONFIRMED.search(clause):
        return []  # "could not verify", "has not confirmed": a caveat, not a claim
    if speaker and generic(speaker):
        speaker = state.last_speaker
    if speaker:
        state.last_speaker = speaker
    reading = _reading(clause, speaker)
    said = dict(text=sentence, published=published, hedged=bool(lx.HEDGES.search(clause)), speaker=speaker,
                side=reading.side, refers_to=refers_to(clause, published), running_total=reading.running_total,
                places=places(sentence, speaker), source=source)  # what every claim of the clause shares
    claims = [Claim(**said, **found) for figure in reading.figures if (found := framed(figure)) is not None]
    if not any(c.kind == "territory" for c in claims):
        claims += _status_claims(said, reading.status, state, earlier)
    denied = _denied(clause, said, reading)
    blamed = [Claim(**said, **found, admitted=_admitted(found, said, reading)) for found in reading.causes]
    claims += [c for c in blamed if not (c.polarity and c.actor in {d.actor for d in denied})] + denied + \
        _parsed_statuses(reading.text, said)
    if claims and said["hedged"] and not hedging.hedged(clause):  # asked only here: it may need the clause's parse
        claims = [replace(c, hedged=False) for c in claims]
    return claims


def _parsed_statuses(clause: str, said: dict) -> list[Claim]:
    """The statuses read from the parse of the clause (as read: its figures' parse serves them too): how a
    withdrawal went, air defence denied to have brought a weapon down, what a strike hit."""
    claims = []
    if withdrawal.candidate(clause):
        claims += [Claim(**said, kind="withdrawal", subject=place, polarity=orderly, actor=_side_named(who, said))
                   for orderly, place, who in withdrawal.manners(clause)]
    if interception.candidate(clause) and interception.denied(clause):
        claims.append(Claim(**said, kind="cause", mechanism="air defence", polarity=False))
    if targets.candidate(clause):
        claims += [Claim(**said, kind="target", subject=target, where=place) for target, place in targets.targets(clause)]
    return claims


def _admitted(cause: Fields, said: dict, reading: _Reading) -> bool:
    """Whether a cause the clause reads (the words, without the negation) blames the speaker's own side in an
    admission (:mod:`warwatch.claims.admission`)."""
    return cause.get("polarity", True) and cause.get("actor") is not None and cause["actor"] == said["side"] and \
        admission.candidate(reading.text) and admission.admits(reading.text)


def _denied(clause: str, said: dict, reading: _Reading) -> list[Claim]:
    """A side's denial that it struck (:mod:`warwatch.claims.denial`): not responsible. "We", "our" forces are the
    speaker's side."""
    if not denial.candidate(clause):
        return []
    sides = {_side_named(words, said) for words in denial.strikers_denied(clause)}
    known = {found.get("actor") for found in reading.causes if found.get("polarity") is False}
    return [Claim(**said, kind="cause", actor=side, polarity=False) for side in sorted(sides - known - {None})]


def _side_named(words: str, said: dict) -> str | None:
    """The side ``words`` name; "we", "our" forces are the speaker's."""
    return side_of(words) or (said["side"] if re.search(r"\b(?:we|our|us)\b", words, re.I) else None)


def _people_claims(sentence: str, speaker: str | None, published: datetime, source: str | None,
                   state: _ArticleState, fates: bool, groups: bool, bounds: bool) -> list[Claim]:
    """The fates of the titled people a sentence names (:mod:`warwatch.claims.fate`), the groups it says came
    to no harm (:mod:`warwatch.claims.unharmed`) and the counts it says stay below a magnitude
    (:mod:`warwatch.claims.magnitude`), as ``fates``, ``groups`` and ``bounds`` ask, a claim each: read from the
    whole sentence's parse, as its clauses may part a subject from its verb ("he and other servicemen,
    including …, were safe", "there are prisoners, but their number …")."""
    if speaker and generic(speaker):
        speaker = state.last_speaker
    said = dict(text=sentence, published=published, hedged=hedging.hedged(sentence), speaker=speaker,
                side=side_of(speaker or ""), refers_to=refers_to(sentence, published),
                places=places(sentence, speaker), source=source)
    claims = [Claim(**said, kind="fate", subject=name, fate=found) for name, found in fate.fates(sentence)] \
        if fates else []
    claims += [Claim(**{**said, "places": said["places"] or state.last_places}, kind="unharmed", subject=group,
                     actor=side)  # where the article last said, when the sentence does not: "No one was hurt."
               for group, side in (unharmed.groups_unharmed(sentence) if groups else ())]
    return claims + [Claim(**said, kind=kind, subject=group_named(counted),
                           value=floor - 1, low=0.0, high=floor - 1, shown=shown, bound=magnitude.SHORT_OF,
                           actor=_side_named(counted, said))
                     for counted, floor, shown in (magnitude.bounded(sentence) if bounds else ())
                     if (kind := people_kind(counted))]


class _Reading(NamedTuple):
    side: str | None       # the speaker's
    running_total: bool
    figures: tuple[FigureReading, ...]
    status: Status
    causes: tuple[Fields, ...]
    text: str              # the clause as read: speaker cut out, numbers normalised


@lru_cache(maxsize=8192)  # the same sentences recur: reprints, live articles' updates, an outlet's boilerplate
def _reading(clause: str, speaker: str | None) -> _Reading:
    """What a clause says, attributed to ``speaker``: it depends on nothing else, so a recurring clause is read
    once. The readings are shared, not to be changed."""
    side = side_of(speaker or "")
    rest = _DESCRIPTIVE.sub(" ", without(clause, speaker))  # "Russian-occupied Kherson" describes, not claims
    numbers = normalise_numbers(rest)
    figures = find_figures(numbers)
    found = tuple(f for figure, following in zip(figures, [*figures[1:], None])
                  if (f := figure_reading(numbers, figure, following, side)))
    return _Reading(side, bool(_RUNNING_TOTAL.search(clause)), found,
                    status(rest, side), tuple(cause_readings(rest, side)), numbers)


def _status_claims(said: dict, status: Status, state: _ArticleState, earlier: list[Claim]) -> list[Claim]:
    claims = []
    if status.contested:
        if place := status.place or state.last_place:  # "fighting goes on", no place named or discussed: no claim
            claims.append(Claim(**said, kind="control", subject=place, polarity=False,
                                actor=status.holder or said["side"]))
    elif (place := status.place or (status.came_under and state.last_place)) and not status.negated:
        claims.append(Claim(**said, kind="control", subject=place, actor=status.holder))
    elif status.denial:
        denied = next((c for c in reversed(earlier) if c.speaker != said["speaker"]
                       and c.kind in ("control", "evacuation", "cause")), None)
        if denied is not None:
            claims.append(Claim(**said, kind=denied.kind, subject=denied.subject, polarity=not denied.polarity,
                                actor=denied.actor))
    if status.evacuation is not None:
        claims.append(Claim(**said, kind="evacuation", subject=status.group, polarity=status.evacuation))
    for claim in claims:
        if claim.kind == "control" and claim.subject:
            state.last_place = claim.subject
    return claims

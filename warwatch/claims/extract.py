"""Check-worthy claims in an article: figures, the status of a place or an evacuation, causes and blame.

Sentences come from pysbd; each sentence is split into clauses at contrasts (", but", "; ",
", while") so "Wagner says it took the city, but Kyiv says fighting goes on" yields two
claims with two speakers. A claim keeps who said it, how hedged it is and when it refers to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from functools import cache, cached_property, lru_cache
from typing import NamedTuple

import pysbd

from warwatch.claims import attribution, denial, fate
from warwatch.claims import lexicon as lx
from warwatch.claims import parse
from warwatch.claims.quantities import Figure, find_figures, normalise_numbers
from warwatch.places import gazetteer

ROUNDING = 0.05  # exact figures are read as ±5%: outlets round


@dataclass(frozen=True)
class Claim:
    """One checkable statement. Figures carry value, interval and canonical unit; statuses a polarity."""

    text: str                      # the sentence it was found in
    kind: str                      # a quantity kind ("killed", "territory", "equipment:tank:destroyed", …),
                                   # "control", "evacuation", "cause" or "fate"
    published: datetime
    subject: str | None = None     # the place or group it is about
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    shown: str | None = None       # the figure as written
    bound: str | None = None       # "more than", "about", "vague" (dozens, thousands), …; None: exact
    polarity: bool = True          # False: denied, contested, not complete
    hedged: bool = False
    speaker: str | None = None
    side: str | None = None        # the speaker's side
    actor: str | None = None       # the side that holds, took, is counted or is blamed
    mechanism: str | None = None   # cause: "attack" or "accident"
    running_total: bool = False
    refers_to: date | None = None
    places: tuple[str, ...] = field(default=())
    source: str | None = None      # the outlet, set by whoever stores the claim
    fate: str | None = None        # a named person's: "killed", "alive", "captured", "missing" (kind "fate")
    where: str | None = None       # the place a figure counts in, when its clause names one ("near Robotyne")
    part: bool = False             # a figure that counts part of a larger one ("of these, 8", "including 2 children")
    planned: bool = False          # a figure planned or possible, not done ("are to be evacuated", "could")
    period: str | None = None      # "day": a figure for one day ("in the past 24 hours"); None: a total or unsaid
    language: str | None = None    # the sentence's, when not English ("ru", "uk")

    @property
    def is_quantity(self) -> bool:
        return self.value is not None

    @property
    def when(self) -> date:
        return self.refers_to or self.published.date()

    @cached_property  # a figure is compared with hundreds of others: worked out once
    def interval(self) -> tuple[float, float]:
        """The values a figure stands for: an exact one ±``ROUNDING``, a range or bound as given."""
        low, high = self.low or 0.0, self.high if self.high is not None else self.value or 0.0
        if self.low == self.high:
            return low * (1 - ROUNDING), high * (1 + ROUNDING)
        return low, high

    def facts(self) -> dict:
        """JSON-ready fields, for the store."""
        data = {name: getattr(self, name) for name in _CLAIM_FIELDS}  # asdict's deep copies: not needed, slow
        data["published"] = self.published.isoformat()
        data["refers_to"] = self.refers_to.isoformat() if self.refers_to else None
        data["places"] = list(self.places)
        return data

    @classmethod
    def from_facts(cls, data: dict) -> Claim:
        return cls(**{**data, "published": datetime.fromisoformat(data["published"]),
                      "refers_to": date.fromisoformat(data["refers_to"]) if data["refers_to"] else None,
                      "places": tuple(data["places"])})


_CLAIM_FIELDS = tuple(f.name for f in fields(Claim))  # dataclasses.fields() builds its tuple at every call


_SEGMENTER = pysbd.Segmenter(language="en", clean=False)  # only processor() is used: a new object per text,
                                                           # so threads (a Dask worker's tasks) may share it


_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")  # pysbd always ends a sentence there
_ONE_SENTENCE = re.compile(r"[^\W_][\w ,;:'’\"“”%&/+$€£–—-]*[.!?][ \t\n]*")
"""A paragraph pysbd would return whole: words and plain punctuation, one final stop. No parentheses (pysbd
reads "a)" and "(1)" as list items), no inner stops or line breaks."""


def _sentences(text: str) -> list[str]:
    """pysbd's sentences of ``text`` as its non-destructive mode returns them (each with the whitespace after it,
    found in order in the text; one not found is left out), paragraph by paragraph (pysbd ends a sentence at a
    blank line anyway). A one-sentence paragraph (:data:`_ONE_SENTENCE`, most paragraphs of news copy) skips
    pysbd, whose splitting was most of extraction's time."""
    found, start = [], 0
    for stop in [m.end() for m in _BLANK_LINE.finditer(text)] + [len(text)]:
        paragraph = text[start:stop]
        found += [paragraph] if _ONE_SENTENCE.fullmatch(paragraph) else _segmented(paragraph)
        start = stop
    return found


def _segmented(text: str) -> list[str]:
    """pysbd's sentences of ``text``, located with ``str.find``: pysbd compiles a regular expression per sentence
    for this, a large part of the time of splitting."""
    if not text:
        return []
    found, end = [], 0
    for sentence in _SEGMENTER.processor(text).process():
        start = text.find(sentence)
        while start >= 0:  # the first occurrence ending after the previous sentence, as pysbd's finditer
            stop = start + len(sentence)
            while stop < len(text) and text[stop].isspace():
                stop += 1
            if stop > end:
                found.append(text[start:stop])
                end = stop
                break
            start = text.find(sentence, max(stop, start + 1))
    return found


_CLAUSE_BREAK = re.compile(r",\s+(?:but|while|whereas|however|including)\b|;\s+|\s+but\s+|\.\s*However,\s*", re.I)
_WORD = re.compile(r"[\w'’-]+")
_CAPITALISED = re.compile(r"\b[A-Z][a-z’'-]+(?:[A-Z][a-z]+)?\b")
_QUOTES_OPEN = "“\"«"
_RUNNING_TOTAL = re.compile(r"\b(?:" + "|".join(lx.RUNNING_TOTAL) + r")\b", re.I)
_DESCRIPTIVE = re.compile(r"\b[\w’']+-(?:occupied|controlled|held|backed|installed)\b", re.I)


def extract_claims(title: str, text: str, published: datetime, source: str | None = None) -> list[Claim]:
    """All claims in an article's title and text, in reading order; ``source``: the outlet, kept on each."""
    sentences = [title.strip()] + [s.strip() for s in _sentences(text or "") if s.strip()]
    state = _ArticleState()
    claims: list[Claim] = []
    for sentence in sentences:
        if not sentence:
            continue
        before = copy(state)
        found, sentence_speaker = _sentence_claims(sentence, _regex_speaker, published, source, state, claims)
        if found and _doubtful(sentence) and (heard := attribution.attributions(sentence)) is not None:
            speaker_of = _attributed(sentence, heard)
            if any(speaker_of(part, sentence) != _regex_speaker(part, sentence)
                   for part in (sentence, *_clauses(sentence))):
                state = before  # read again, each clause attributed by the parse
                found, sentence_speaker = _sentence_claims(sentence, speaker_of, published, source, state, claims)
        claims += found
        state.after_sentence(sentence, sentence_speaker)
    return claims


def _sentence_claims(sentence: str, speaker_of: Callable[[str, str], str | None], published: datetime,
                     source: str | None, state: _ArticleState, earlier: list[Claim]) -> tuple[list[Claim], str | None]:
    """The sentence's claims, each clause's speaker given by ``speaker_of``; and the sentence's speaker."""
    sentence_speaker = speaker_of(sentence, sentence) or state.quote_speaker
    found: list[Claim] = []
    for clause in _clauses(sentence):
        if clause.strip():
            speaker = speaker_of(clause, sentence) if clause != sentence else sentence_speaker
            found += _clause_claims(clause, sentence, sentence_speaker if speaker is _UNSAID else speaker,
                                    published, source, state, [*earlier, *found])
    if fate.candidate(sentence, sentence_speaker):
        found += _fate_claims(sentence, sentence_speaker, published, source, state)
    return found, sentence_speaker


_REPORTED = re.compile(r"\b(?:according to|" + "|".join(lx.SAY_VERBS) + r")\b", re.I)


@lru_cache(maxsize=4096)  # as _speaker
def _doubtful(sentence: str) -> bool:
    """Whether the words around a reporting verb may not name the sentence's speakers, so the parse is asked: a
    reporting word but no speaker found ("reports" may be a noun), several reporting words, or one capitalised
    word that opens the sentence and names no side ("Earlier, …", "Initial reports …"). Most attributed sentences
    ("…, the governor said") are not parsed for this: the parse costs more than all the rest of extraction."""
    reported = len(_REPORTED.findall(sentence))
    if not reported:
        return False
    speaker = _speaker(sentence)
    if speaker is None or reported > 1:
        return True
    return " " not in speaker and sentence.startswith(speaker) and not side_of(speaker)


def _attributed(sentence: str, heard: tuple[attribution.Attribution, ...]) -> Callable[[str, str], str | None]:
    """Speakers from the parse (:mod:`~warwatch.claims.attribution`): a clause's is that of the reporting verb
    within it (none when that verb names no one: "earlier reports said"), else the sentence's; the sentence's is
    the first one the parse names. A sentence where the parse finds no one reporting ("Earlier reports indicated
    …": a noun, not a verb) is attributed to no one."""
    named = [(at, _trim_speaker(words) if words else None) for at, words in heard]

    def speaker_of(part: str, whole: str) -> str | None:
        if part == whole:
            return next((speaker for _, speaker in named if speaker), None)
        start = sentence.find(part)
        return next((speaker for at, speaker in named if start <= at < start + len(part)), _UNSAID)
    return speaker_of


def _regex_speaker(part: str, sentence: str) -> str | None:
    """Speakers from the words around reporting verbs (:func:`_speaker`): a clause naming none has the sentence's."""
    return _speaker(part) or (None if part == sentence else _UNSAID)


_UNSAID: str = "\0unsaid"  # a clause that names no speaker of its own: it has the sentence's


BATCH = 500
"""Articles whose clauses are parsed together: a batch's clauses stay well within the parse cache."""


def extract_many(articles: Sequence[tuple[str, str, datetime, str | None]]) -> list[list[Claim]]:
    """:func:`extract_claims` of each (title, text, published, source): batch by batch, a first reading collects
    the clauses to parse, which spaCy then parses together (about twice as fast as one by one)."""
    found: list[list[Claim]] = []
    for start in range(0, len(articles), BATCH):
        batch = articles[start:start + BATCH]
        with parse.collecting() as wanted:
            for article in batch:
                extract_claims(*article)
        parse.prime(wanted)
        found += [extract_claims(*article) for article in batch]
    return found


@lru_cache(maxsize=8192)  # as _reading
def _clauses(sentence: str) -> tuple[str, ...]:
    """Contrasting parts of a sentence; a comma also separates a part that names its own speaker."""
    clauses = []
    for part in _CLAUSE_BREAK.split(sentence):
        pieces = part.split(", ")
        current = pieces[0]
        for piece in pieces[1:]:
            if _speaker(piece) and _speaker(current) and not _quoted(current):
                clauses.append(current)
                current = piece
            else:
                current = f"{current}, {piece}"
        clauses.append(current)
    return tuple(clauses)


def _quoted(text: str) -> bool:
    return any(q in text for q in (*_QUOTES_OPEN, "”"))


class _ArticleState:
    """What earlier sentences tell later ones: the last speaker, the place under discussion, open quotes."""

    def __init__(self) -> None:
        self.last_speaker: str | None = None
        self.last_place: str | None = None
        self.quote_speaker: str | None = None

    def after_sentence(self, sentence: str, speaker: str | None) -> None:
        opened = sum(sentence.count(q) for q in _QUOTES_OPEN) - sentence.count("”") - sentence.count("»")
        straight = sentence.count('"') % 2
        self.quote_speaker = speaker if (opened > 0 or straight) else None
        if speaker and not _generic(speaker):
            self.last_speaker = speaker


def _generic(speaker: str) -> bool:
    """A pronoun or a bare noun ("the ministry") that stands for someone named earlier."""
    lowered = speaker.lower()
    return lowered in lx.PRONOUNS or lowered.removeprefix("the ") in lx.GENERIC_SPEAKERS


def _clause_claims(clause: str, sentence: str, speaker: str | None, published: datetime, source: str | None,
                   state: _ArticleState, earlier: list[Claim]) -> list[Claim]:
    if lx.NOT_CONFIRMED.search(clause):
        return []  # "could not verify", "has not confirmed": a caveat, not a claim
    if speaker and _generic(speaker):
        speaker = state.last_speaker
    if speaker:
        state.last_speaker = speaker
    reading = _reading(clause, speaker)
    said = dict(text=sentence, published=published, hedged=reading.hedged, speaker=speaker, side=reading.side,
                refers_to=_refers_to(clause, published), running_total=reading.running_total,
                places=_places(sentence, speaker), source=source)  # what every claim of the clause shares
    claims = [Claim(**said, **found) for figure in reading.figures if (found := _framed(figure)) is not None]
    if not any(c.kind == "territory" for c in claims):
        claims += _status_claims(said, reading.status, state, earlier)
    denied = _denied(clause, said, reading)
    blamed = [Claim(**said, **found) for found in reading.causes]  # the words, read without the negation
    return claims + [c for c in blamed if not (c.polarity and c.actor in {d.actor for d in denied})] + denied


def _denied(clause: str, said: dict, reading: _Reading) -> list[Claim]:
    """A side's denial that it struck (:mod:`warwatch.claims.denial`): not responsible. "We", "our" forces are the
    speaker's side."""
    if not denial.candidate(clause):
        return []
    sides = {side_of(words) or (said["side"] if re.search(r"\b(?:we|our|us)\b", words, re.I) else None)
             for words in denial.strikers_denied(clause)}
    known = {found.get("actor") for found in reading.causes if found.get("polarity") is False}
    return [Claim(**said, kind="cause", actor=side, polarity=False) for side in sorted(sides - known - {None})]


def _fate_claims(sentence: str, speaker: str | None, published: datetime, source: str | None,
                 state: _ArticleState) -> list[Claim]:
    """The fates of the titled people a sentence names (:mod:`warwatch.claims.fate`), a claim each."""
    if speaker and _generic(speaker):
        speaker = state.last_speaker
    said = dict(text=sentence, published=published, hedged=bool(lx.HEDGES.search(sentence)), speaker=speaker,
                side=side_of(speaker or ""), refers_to=_refers_to(sentence, published),
                places=_places(sentence, speaker), source=source)
    return [Claim(**said, kind="fate", subject=name, fate=found) for name, found in fate.fates(sentence)]


Fields = dict  # the fields a claim sets beyond what its clause gives every claim (speaker, hedging, day)


class _Status(NamedTuple):
    """What a clause's words say of the control of a place or of an evacuation, before the article's context
    (the place under discussion, an earlier claim denied) completes it."""

    contested: bool        # fighting goes on, the place still held, or only part of it taken
    place: str | None      # the place named: contested, or captured
    came_under: bool       # "came under Russian control", the place unnamed
    holder: str | None     # who took or holds the place (a part of it, when contested)
    negated: bool
    denial: bool           # denies something said before
    evacuation: bool | None  # complete (True) or failed (False)
    group: str | None      # who was evacuated


class _FigureReading(NamedTuple):
    """A figure's fields as its words give them, and where it stands, for the parse to complete (:func:`_framed`)."""

    fields: Fields
    text: str              # the clause, numbers normalised, speaker cut out
    start: int
    end: int
    head: str              # the words right after it


class _Reading(NamedTuple):
    side: str | None       # the speaker's
    hedged: bool
    running_total: bool
    figures: tuple[_FigureReading, ...]
    status: _Status
    causes: tuple[Fields, ...]


@lru_cache(maxsize=8192)  # the same sentences recur: reprints, live articles' updates, an outlet's boilerplate
def _reading(clause: str, speaker: str | None) -> _Reading:
    """What a clause says, attributed to ``speaker``: it depends on nothing else, so a recurring clause is read
    once. The readings are shared, not to be changed."""
    side = side_of(speaker or "")
    rest = _DESCRIPTIVE.sub(" ", _without(clause, speaker))  # "Russian-occupied Kherson" describes, not claims
    numbers = normalise_numbers(rest)
    figures = find_figures(numbers)
    found = tuple(f for figure, following in zip(figures, [*figures[1:], None])
                  if (f := _figure_reading(numbers, figure, following, side)))
    return _Reading(side, bool(lx.HEDGES.search(clause)), bool(_RUNNING_TOTAL.search(clause)), found,
                    _status(rest, side), tuple(_cause_readings(rest, side)))


def side_of(text: str) -> str | None:
    """The side of the war a phrase names first (by its words), or None."""
    for word in _WORD.findall(text.lower().replace("’", "'")):
        if side := _SIDE_OF_WORD.get(word.removesuffix("'s")):
            return side
    return None


_SIDE_OF_WORD = {word: side for side, words in lx.SIDES.items() for word in words}


@lru_cache(maxsize=4096)  # asked of each sentence and again of its clauses and their parts
def _speaker(clause: str) -> str | None:
    """Who the clause attributes its content to: "according to X", "X said", "…, said X", "X, a spokesman, said"."""
    if m := re.search(r"\baccording to ([^,.;:”\"]{2,80})", clause, re.I):
        return _trim_speaker(m[1])
    words = clause.split()
    for i, word in enumerate(words):
        if word.strip(",.:;“”\"'").lower() not in lx.SAY_VERBS:
            continue
        before: list[str] = []
        for w in reversed(words[max(0, i - 8):i]):
            if w.endswith((",", ".", ";", ":", "”", '"')) or w.lower() in {"that", "but", "and", "while", "–", "-"}:
                break
            before.insert(0, w)
        if candidate := _trim_speaker(" ".join(before)):
            return candidate
        previous = words[i - 1] if i else ""
        inverted = previous.endswith(("”", '"')) or previous in {"-", "–"} or (
            previous.endswith(",") and word.strip(",.").lower() in {"said", "says", "added", "stated"})
        if inverted:
            after = re.match(r"\s*(?:by |from |in |on \w+ )?([^,.;:”\"]{2,80})", " ".join(words[i + 1:]))
            if after and (candidate := _trim_speaker(after[1])):
                return candidate
        names = [part.strip() for part in " ".join(words[:i]).split(",") if _is_name(part)]
        if names:
            return names[-1]  # "Ukraine's top commander, Oleksandr Syrskyi, told …"
    return None


def _is_name(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 4 and all(w[:1].isupper() for w in words)


_SPEAKER_FILLER = re.compile(
    r"^(?:[“\"'(]+|but |and |however,? |meanwhile,? |as |the |also |although |though |while )+|(?:\s+(?:has|have|had|also|has also|"
    r"on \w+|in a \w+|in an \w+|earlier|later|again|previously|now|still|is|was|were|would|will))+$", re.I)


def _trim_speaker(phrase: str) -> str | None:
    phrase = phrase.rsplit(":", 1)[-1].strip(" ,.:;“”\"'()-–")
    previous = None
    while previous != phrase:
        previous, phrase = phrase, _SPEAKER_FILLER.sub("", phrase).strip(" ,.:;“”\"'()-–")
    words = phrase.split()
    if not words or len(words) > 9:
        return None
    if phrase.lower() in lx.PRONOUNS or any(w[0].isupper() for w in words) or side_of(phrase):
        return phrase
    return None


def _without(clause: str, speaker: str | None) -> str:
    """The clause with its speaker phrase cut out, so a speaker's side is not read as an actor."""
    if speaker and speaker.lower() not in lx.PRONOUNS:
        return clause.replace(speaker, " ", 1)
    return clause


@lru_cache(maxsize=8192)  # as _reading
def _places(sentence: str, speaker: str | None) -> tuple[str, ...]:
    speaker_words = set((speaker or "").lower().split())
    words = {m[0].lower().strip("’'") for m in _CAPITALISED.finditer(sentence)}
    return tuple(sorted({place_key(w) for w in words - speaker_words - lx.NOT_PLACES if not side_of(w) and len(w) > 2}))


_SPELLINGS = (("kh", "h"), ("iy", "i"), ("yi", "i"), ("y", "i"), ("'", ""), ("’", ""), ("-", ""))


@lru_cache(maxsize=4096)
def place_key(name: str) -> str:
    """One key for the spellings of a place's name: the gazetteer's (:mod:`warwatch.places`: Vuhledar and Ugledar,
    Купянск and Kupiansk); else one for its Latin spellings (Kupiansk and Kupyansk, Kharkiv and Harkiv)."""
    if len(known := gazetteer().places_in(name)) == 1:
        return next(iter(known))
    key = _latin_key(name)
    return _gazetteer_latin().get(key, key)


def _latin_key(name: str) -> str:
    key = name.lower()
    for written, kept in _SPELLINGS:
        key = key.replace(written, kept)
    return key


@cache
def _gazetteer_latin() -> dict[str, str]:
    """The gazetteer's places by the Latin key of each of their spellings (Kostyantynivka as Kostiantynivka)."""
    return {_latin_key(name): place for name, place in gazetteer().latin.items()}


_FORCES = re.compile(r"([\w'’-]+)\s+(?:[\w'’-]+\s+)?(?:forces|troops|fighters|units|army|soldiers|military)\b"
                     r"(?!\s+(?:chief|commander|spokes|leader|official|intelligence|analyst|expert|source|blogger))",
                     re.I)  # "Ukraine's military chief" is a person, not the forces that hold ground


_LIBERATED = re.compile(r"\bliberat", re.I)


def _holder(text: str, speaker_side: str | None) -> str | None:
    """Who holds or took ground: "Wagner fighters", "Ukrainian units", "Ukraine holds"; else the speaker's side
    ("our units", "his troops")."""
    for m in _FORCES.finditer(text):
        if side := side_of(m[1]):
            return side
    if m := re.search(r"([\w'’-]+)\s+['‘’\"]?(?:holds|controls|took|captured|seized|liberated)\b", text):
        if side := side_of(m[1]):
            return side
    return speaker_side


def _kind_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")", re.I)


_KIND_RES = {kind: _kind_regex(words) for kind, words in lx.QUANTITY_KINDS.items()}
_CONTROL_RE = _kind_regex(lx.CONTROL)
_LAND_RE = _kind_regex(lx.LAND)
_SETTLEMENT_RE = _kind_regex(lx.SETTLEMENT_NOUNS)
_EQUIPMENT_RE = _kind_regex(lx.EQUIPMENT)
_GROUP_RES = {group: _kind_regex(words) for group, words in lx.PEOPLE_GROUPS.items()}
_MECHANISM_RES = {name: _kind_regex(words) for name, words in lx.MECHANISMS.items()}


def _figure_reading(text: str, figure: Figure, following: Figure | None, side: str | None) -> _FigureReading | None:
    end = following.start if following else len(text)
    if following and re.search(r"\bout of\s*$", text[figure.end:following.start]):
        return None if figure.value > following.value else _figure_reading(text, figure, None, side)
    if re.search(r"\bout of\s*$", text[:figure.start]):
        return None  # "58 out of 500": 500 is the whole, not a claim
    after, before = text[figure.end:end], text[:figure.start]
    head = " ".join(after.split()[:3])
    kind, actor = None, None
    if figure.dimension == "area":
        if _CONTROL_RE.search(text) or _LAND_RE.search(after[:40]):
            kind, actor = "territory", _holder(text, side)
    elif figure.dimension == "length":
        if re.search(r"\b(?:deep|advance|advanced|push|pushed|into|front|breach|breakthrough)\b", text, re.I):
            # the width of a front or breach is another dimension than the depth of an advance
            kind = "front width" if _WIDTH.match(after) or _ALONG.search(before) else "advance"
            actor = _holder(text, side)
    elif _SETTLEMENT_RE.match(head.lstrip()) and _CONTROL_RE.search(text):
        kind, actor = "settlements", _holder(text, side)
    elif (equipment := _EQUIPMENT_RE.search(head)) and (verb := _equipment_verb(text)):
        kind = f"equipment:{equipment[0].lower()}:{verb}"
    else:
        if _SETTLEMENT_RE.match(head.lstrip()) or _EQUIPMENT_RE.match(head.lstrip()):
            return None  # "80 settlements in the flood zone": counted, but not a checkable kind
        kind = _people_kind(after) or _people_kind(" ".join(before.split()[-4:]), last=True)
        actor = side_of(head)
    if kind is None:
        return None
    group = next((g for g, r in _GROUP_RES.items() if r.search(head)), None)
    return _FigureReading(dict(kind=kind, subject=group if kind in lx.QUANTITY_KINDS else None, value=figure.value,
                               low=figure.low, high=figure.high, unit=figure.unit, shown=figure.shown,
                               bound=figure.bound, actor=actor), text, figure.start, figure.end, head)


_WIDTH = re.compile(r"\s*(?:-\s*)?(?:wide|width|long|front|stretch|section|line)\b", re.I)
_ALONG = re.compile(r"\b(?:along|across|on) (?:a|an|the)\s*(?:\w+\s+)?$", re.I)
_ONE_DAY = re.compile(r"\b(?:(?:in|over|during|for) the (?:past|last|previous) (?:24 hours|day|night)|overnight"
                      r"|per day|a day|daily|in (?:a|one) (?:single )?day)\b", re.I)


def _framed(figure: _FigureReading) -> Fields | None:
    """A figure's fields completed by the parse of its clause, for a count of people: its frame (part, plan, one
    day's figure) and its kind, from the words the tree attaches to it (its modifiers, noun and verb) or, when
    those name none and the kind word read is neither right after it nor in its own clause, from that clause;
    None when it is no such count (an age, a number in a name, a count of villages, a clause with no kind word).
    Other figures (areas, distances, hardware) take their period from the clause's words."""
    kind = figure.fields["kind"]
    found = parse.role(figure.text, figure.start, figure.end) if kind in lx.QUANTITY_KINDS else None
    if found is None:
        return {**figure.fields, "period": _period(figure.text)}
    if found.not_a_count or found.counted in lx.NOT_PEOPLE:
        return None
    if own := _people_kind(found.own):
        kind = own
    elif not (_KIND_RES[kind].search(figure.head) or _KIND_RES[kind].search(found.clause)):
        if (kind := _people_kind(found.clause)) is None:
            return None
    where = found.where if found.where and found.where.lower() not in lx.NOT_PLACES and not side_of(found.where) \
        else None
    return {**figure.fields, "kind": kind, "part": found.part, "planned": found.planned,
            "period": _period(found.clause), "where": where}


def _period(text: str) -> str | None:
    return "day" if _ONE_DAY.search(text) else None


def _people_kind(text: str, last: bool = False) -> str | None:
    hits = [(m.start(), kind) for kind, r in _KIND_RES.items() for m in r.finditer(text)]
    if not hits:
        return None
    return (max if last else min)(hits)[1]


def _equipment_verb(text: str) -> str | None:
    lowered = text.lower()
    return next((verb for verb, words in lx.EQUIPMENT_VERBS.items() if any(w in lowered for w in words)), None)


_CAPTURE_VERB = re.compile(r"\b(?:captured|took|taken|seized|liberated|occupied|capture of|seizure of|fall of"
                           r"|liberation of|(?:full|complete|total) control (?:of|over))\s", re.I)
_PASSIVE_CAPTURE = re.compile(r"\b([A-Z][\w’'-]+)\s+(?:(?:was|has been|had been|is|now)\s+(?:\w+\s+)?)?"
                              r"(?:captured|taken|seized|liberated|occupied"
                              r"|(?:fallen|fell)(?=\s+to\b|\s*[,.;]|\s*$|\s+(?:on|in)\s+[A-Z0-9]))\b")
"""A place taken, or fallen: to someone, on or in a date, or at the end of the clause (not "Debris fell on the
roof", "Exports fell by 5%")."""
_CAME_UNDER = re.compile(r"\b(?:came|come|is|was) under (?:\w+ )?(?:russian|ukrainian) control\b", re.I)


_PLACE = r"(?P<place>[A-Z][\w’'-]+)"
_PARTIAL = re.compile(r"\b(?:control|controls|controlled|hold|holds|held|cleared?)\s+(?:of\s+|over\s+)?(?:\w+\s+){0,2}?"
                      r"\d+(?:\.\d+)?\s*(?:%|per ?cent) of (?:the (?:city|town|village) of )?" + _PLACE)
"""Control of a share of a place ("took control of 70% of Pokrovsk"): the place is fought over, not taken."""
_HELD = re.compile(_PLACE + r"\s+(?:[\w’'-]+\s+){0,6}?(?:is|was|remains?|remained|has been|had been|stays?)\s+"
                   r"(?:still\s+|firmly\s+|fully\s+)?under (?:the )?(?:full |complete )?"
                   r"(?:control of (?:the )?(?P<of>[\w’'-]+)|(?P<whose>[\w’'-]+) control)")
"""A place said to be held by a side ("Kupiansk is under the control of Ukraine's forces", "remains under its
control")."""


def _held(clause: str, side: str | None) -> tuple[str, str | None] | None:
    """The place a clause says is held, and by whom (a possessive stands for the speaker's side)."""
    for name in _CAPITALISED.finditer(clause):
        m = _HELD.match(clause, name.start())
        if m and m["place"].lower() not in lx.NOT_PLACES and not side_of(m["place"]):
            who = m["of"] or m["whose"]
            return m["place"], side_of(who) or (side if who.lower() in ("its", "our", "their") else None)
    return None


def _status(clause: str, side: str | None) -> _Status:
    partial = _PARTIAL.search(clause)
    if partial and not side_of(partial["place"]):
        place, came_under = partial["place"], False
        contested, holder = partial, _holder(clause, side)
    elif contested := lx.CONTESTED.search(clause):
        place, came_under, holder = _named_after(clause[contested.start():]) or _place(clause), False, None
    elif place := _place(clause):  # "liberated" is said of one's own side's gains; "captured" of either side's
        came_under, holder = False, _holder(clause, side if _LIBERATED.search(clause) else None)
    elif held := _held(clause, side):
        (place, holder), came_under = held, False
    else:
        came_under = bool(_CAME_UNDER.search(clause))
        holder = _holder(clause, side) if came_under else None
    negated = bool(lx.NEGATION.search(clause))
    if lx.COMPLETE_EVACUATION.search(clause) and not negated:
        evacuation = True
    else:
        evacuation = False if lx.FAILED_EVACUATION.search(clause) else None
    return _Status(bool(contested), place, came_under, holder, negated, bool(lx.DENIAL.search(clause)), evacuation,
                   _group(clause) if evacuation is not None else None)


def _status_claims(said: dict, status: _Status, state: _ArticleState, earlier: list[Claim]) -> list[Claim]:
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


def _named_after(text: str) -> str | None:
    """The first proper name after "in", "for" or "of" ("fighting continues in Bakhmut")."""
    for m in re.finditer(r"\b(?:in|for|of)\s+(?:the\s+)?(?:(?:city|town|village)\s+of\s+)?([A-Z][\w’'-]+)", text):
        if m[1].lower() not in lx.NOT_PLACES and not side_of(m[1]):
            return m[1]
    return None


def _place(clause: str) -> str | None:
    """The place a capture phrase names: the first proper name in the few words after the verb, or the
    name before a passive ("Bakhmut was taken")."""
    for verb in _CAPTURE_VERB.finditer(clause):
        for word in clause[verb.end():].split()[:7]:
            word = word.strip(",.;:“”\"'’‘()")
            if word[:1].isupper() and word.lower() not in lx.NOT_PLACES and not side_of(word):
                return word
    for m in _PASSIVE_CAPTURE.finditer(clause):
        if m[1].lower() not in lx.NOT_PLACES and not side_of(m[1]):
            return m[1]
    return None


def _group(clause: str) -> str | None:
    return next((g for g, r in _GROUP_RES.items() if r.search(clause)), None)


def _cause_readings(clause: str, side: str | None) -> list[Fields]:
    trigger = lx.CAUSAL.search(clause)
    if trigger is None or "each other" in clause.lower():
        return []
    if lx.DENIED_INVOLVEMENT.search(clause):
        named = re.search(r"\b(?:that|of)\s+([\w'’-]+)", clause[lx.DENIED_INVOLVEMENT.search(clause).start():])
        denied = (side_of(named[1]) if named else None) or side
        readings = [dict(kind="cause", actor=denied, polarity=False)]
        accused = re.search(r"\baccus\w* ([\w'’-]+) of\b", clause)
        if accused and side_of(accused[1]) and side_of(accused[1]) != denied:
            readings.append(dict(kind="cause", actor=side_of(accused[1]), mechanism="attack"))
        return readings
    after = clause[trigger.start():]
    window_after = " ".join(after.split()[:9])
    window_before = " ".join(clause[:trigger.start()].split()[-5:])
    mechanism = _mechanism(window_after) or _mechanism(window_before)
    if m := re.search(r"\b(?:accus\w*|blam\w*)\s+([\w'’‘-]+(?:\s+[\w'’‘-]+)?)", clause):
        actor = side_of(m[1].replace("‘", " "))
    elif m := re.search(r"\b(?:by|from)\s+(?:order\s+(?:received\s+)?from\s+)?(?:the\s+)?([\w'’-]+)", window_after):
        actor = side_of(m[1]) or side_of(window_after)
    else:
        actor = side_of(window_after) or side_of(window_before)
    if mechanism is None and actor is None:
        return []
    return [dict(kind="cause", mechanism=mechanism, actor=actor)]


def _mechanism(window: str) -> str | None:
    if lx.ACCIDENT_PHRASES.search(window):
        return "accident"
    hits = [(m.start(), name) for name, r in _MECHANISM_RES.items() for m in r.finditer(window)]
    return min(hits)[1] if hits else None


_WEEKDAY = re.compile(r"\b(?:on |last )?(" + "|".join(lx.WEEKDAYS) + r")\b", re.I)
_DAY_MONTH = re.compile(r"\b(\d{1,2})\s+(" + "|".join(lx.MONTHS) + r")\b\.?|\b(" + "|".join(lx.MONTHS)
                        + r")\.?\s+(\d{1,2})\b", re.I)
_MONTH_NUMBER = ({m: i for i, m in enumerate(lx.MONTHS[:12], 1)} | {m[:3]: i for i, m in enumerate(lx.MONTHS[:12], 1)}
                 | {"sept": 9})


def _refers_to(clause: str, published: datetime) -> date | None:
    """The day a clause says it is about ("on Monday", "12 August", "yesterday"), resolved before publication."""
    return _day_referred_to(clause, published.date())


@lru_cache(maxsize=8192)  # as _reading
def _day_referred_to(clause: str, day: date) -> date | None:
    if re.search(r"\byesterday\b", clause, re.I):
        return day - timedelta(days=1)
    if m := _DAY_MONTH.search(clause):
        number, month = (m[1], m[2]) if m[1] else (m[4], m[3])
        month_number = _MONTH_NUMBER.get(month.lower().rstrip("."))
        try:
            resolved = date(day.year, month_number, int(number))
        except (TypeError, ValueError):
            return None
        return resolved if resolved <= day else resolved.replace(year=day.year - 1)
    if m := _WEEKDAY.search(clause):
        back = (day.weekday() - lx.WEEKDAYS.index(m[1].lower())) % 7
        return day - timedelta(days=back)
    return None

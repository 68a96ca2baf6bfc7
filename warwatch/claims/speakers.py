"""Who a clause attributes what it reports to, read from the words around its reporting verbs (the parse's
reading is :mod:`~warwatch.claims.attribution`); and the side of the war a phrase names."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from warwatch.claims import attribution
from warwatch.claims import lexicon as lx

_REPORTED = re.compile(r"\b(?:according to|" + "|".join(lx.SAY_VERBS) + r")\b", re.I)


@lru_cache(maxsize=4096)  # as find_speaker
def doubtful(sentence: str) -> bool:
    """Whether the words around a reporting verb may not name the sentence's speakers, so the parse is asked: a
    reporting word but no speaker found, several reporting words, one that may be a noun ("reports", "claims":
    "laughing off Russian reports of his death"), or one capitalised word that opens the sentence and names no side
    ("Earlier, …", "Initial reports …"). Most attributed sentences ("…, the governor said") are not parsed for this:
    the parse costs more than all the rest of extraction."""
    reported = _REPORTED.findall(sentence)
    if not reported:
        return False
    speaker = find_speaker(sentence)
    if speaker is None or len(reported) > 1 or reported[0].lower() in _NOUNS_TOO:
        return True
    return " " not in speaker and sentence.startswith(speaker) and not side_of(speaker)


_NOUNS_TOO = {"reports", "claims"}


def attributed(sentence: str, heard: tuple[attribution.Attribution, ...]) -> Callable[[str, str], str | None]:
    """Speakers from the parse (:mod:`~warwatch.claims.attribution`): a clause's is that of the reporting verb
    within it (none when that verb names no one: "earlier reports said"), else the sentence's; the sentence's is
    the first one the parse names. A sentence where the parse finds no one reporting ("Earlier reports indicated
    …": a noun, not a verb) is attributed to no one."""
    named = [(at, _trim_speaker(words) if words else None) for at, words in heard]

    def speaker_of(part: str, whole: str) -> str | None:
        if part == whole:
            return next((speaker for _, speaker in named if speaker), None)
        start = sentence.find(part)
        return next((speaker for at, speaker in named if start <= at < start + len(part)), UNSAID)
    return speaker_of


def regex_speaker(part: str, sentence: str) -> str | None:
    """Speakers from the words around reporting verbs (:func:`find_speaker`): a clause naming none has the
    sentence's."""
    return find_speaker(part) or (None if part == sentence else UNSAID)


UNSAID: str = "\0unsaid"  # a clause that names no speaker of its own: it has the sentence's


def generic(speaker: str) -> bool:
    """A pronoun or a bare noun ("the ministry") that stands for someone named earlier."""
    lowered = speaker.lower()
    return lowered in lx.PRONOUNS or lowered.removeprefix("the ") in lx.GENERIC_SPEAKERS


_WORD = re.compile(r"[\w'’-]+")


def side_of(text: str) -> str | None:
    """The side of the war a phrase names first (by its words), or None."""
    for word in _WORD.findall(text.lower().replace("’", "'")):
        if side := _SIDE_OF_WORD.get(word.removesuffix("'s")):
            return side
    return None


_SIDE_OF_WORD = {word: side for side, words in lx.SIDES.items() for word in words}


@lru_cache(maxsize=1024)  # asked of both claims of every pair compared; a run has a few dozen outlets
def outlet_side(outlet: str) -> str | None:
    """The side an outlet speaks for (state media, national outlets under martial law), or None."""
    outlet = outlet.lower()
    return next((side for side, names in lx.OUTLET_SIDES.items() if outlet.startswith(names)), None)


@lru_cache(maxsize=4096)  # asked of each sentence and again of its clauses and their parts
def find_speaker(clause: str) -> str | None:
    """Who the clause attributes its content to: "according to X", "X said", "…, said X", "X, a spokesman, said"."""
    if m := re.search(r"\baccording to ([^,.;:”\"]{2,80})", clause, re.I):
        return _trim_speaker(m[1])
    words = clause.split()
    for i, word in enumerate(words):
        if word.strip(",.:;“”\"'").lower() not in lx.SAY_VERBS:
            continue
        before: list[str] | None = []
        for w in reversed(words[max(0, i - 8):i]):
            if w.endswith((",", ".", ";", ":", "”", '"')) or w.lower() in {"that", "but", "and", "while", "–", "-"}:
                break
            if w.lower() in lx.COMPARED_WITH:
                before = None  # what another says, set against the report
                break
            before.insert(0, w)
        if before is None:
            continue
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
    r"^(?:[“\"'(]+|but |and |however,? |meanwhile,? |as |the |also |although |though |while )+"
    r"|(?:\s+(?:has|have|had|also|has also|"
    r"on \w+|in a \w+|in an \w+|earlier|later|again|previously|now|still|is|was|were|would|will))+$", re.I)


def _trim_speaker(phrase: str) -> str | None:
    phrase = phrase.rsplit(":", 1)[-1].strip(" ,.:;“”\"'()-–")
    previous = None
    while previous != phrase:
        previous, phrase = phrase, _SPEAKER_FILLER.sub("", phrase).strip(" ,.:;“”\"'()-–")
    words = phrase.split()
    if not words or len(words) > 9 or all(w.lower() in _TIME_WORDS or w.isdigit() for w in words):
        return None  # "…, said on Monday": a time, not who said it
    if phrase.lower() in lx.PRONOUNS or any(w[0].isupper() for w in words) or side_of(phrase):
        return phrase
    return None


_TIME_WORDS = {*lx.MONTHS, *lx.WEEKDAYS, "on", "at", "in", "by", "late", "early", "this", "last", "the", "morning",
               "afternoon", "evening", "night", "today", "tonight", "yesterday"}


def without(clause: str, speaker: str | None) -> str:
    """The clause with its speaker phrase cut out, so a speaker's side is not read as an actor."""
    if speaker and speaker.lower() not in lx.PRONOUNS:
        return clause.replace(speaker, " ", 1)
    return clause

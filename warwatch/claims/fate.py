"""The fate of a named person, from the parse of a sentence: killed, alive, captured or missing.

Only people named with a rank or office ("Admiral Viktor Sokolov", "the fleet's commander, Viktor
Sokolov") are read: those are the fates that are reported, disputed and checked ("reported killed in
the strike" against "shown alive at a meeting"). A person is alive when the sentence says so or has
them take part in something (attend, speak, chair a meeting) as its subject.
"""

from __future__ import annotations

import re

from warwatch.claims import parse

TITLES = {"commander", "admiral", "adm", "general", "gen", "colonel", "col", "lieutenant", "major", "captain",
          "officer", "minister", "chief", "head", "leader", "spokesman", "spokeswoman", "mayor", "governor",
          "commissioner", "deputy", "envoy", "ambassador", "president", "premier"}
FATES = {
    "killed": {"kill", "die", "dead", "death", "eliminate", "elimination", "killing", "liquidate", "liquidation",
               "perish", "slay"},
    "alive": {"alive", "survive", "unharmed", "unhurt"},
    "captured": {"capture", "prisoner", "captive", "detain"},
    "missing": {"missing"},
}
ACTIVE = {"attend", "participate", "chair", "appear"}  # or "take part": things only the living do in public
_STEPS = 6  # how far up the tree a fate word may govern the name
_SAYING = {"say", "tell", "report", "claim", "announce", "state", "add", "write", "confirm"}

_TITLE = r"\b(?:" + "|".join(sorted(TITLES)) + r")\b\.?"
_NAME = r"[A-Z][\w'’-]+\s+[A-Z][\w'’-]+"
_CUES = re.compile(rf"(?i:{_TITLE})\s+(?:[\w'’-]+\s+){{0,4}}?{_NAME}|{_NAME},\s+(?:the\s+|a\s+)?(?:[\w'’-]+\s+){{0,4}}?"
                   rf"(?i:{_TITLE})")
"""A rank or office beside a two-word name: "Admiral Pavlo Horenko", "Pavlo Horenko, the fleet's commander"."""
_FATE_WORDS = re.compile(r"\b(?:kill|die|dead|death|elimina|liquida|perish|slain|alive|surviv|unharm|unhurt|captur"
                         r"|prisoner|captive|detain|missing|attend|participat|part in|appear|chair)", re.I)


def candidate(sentence: str, speaker: str | None = None) -> bool:
    """Whether a sentence may state the fate of a titled person other than its speaker (cheap: decides what is
    parsed)."""
    if speaker:
        sentence = sentence.replace(speaker, " ")
    return bool(_FATE_WORDS.search(sentence) and _CUES.search(sentence))


def fates(sentence: str) -> list[tuple[str, str]]:
    """(first name and surname, fate) for each titled person whose fate the sentence states; empty while collecting
    for a batch."""
    doc = parse.parsed(sentence)
    if doc is None:
        return []
    found: dict[str, str] = {}
    for name in _names(doc):
        if fate := _fate(name):
            found.setdefault(" ".join(t.text for t in name[-2:]), fate)  # first name and surname, no rank
    return list(found.items())


_NOT_NAMES = TITLES | {"vice", "rear", "fleet", "sea", "army", "forces", "force", "ministry", "command", "council",
                       "guard", "navy", "staff", "service", "corps", "brigade", "group", "district", "region",
                       "oblast", "republic", "federation", "office", "department", "committee", "agency", "black",
                       "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
                       "defense", "defence", "security", "intelligence", "operations", "special", "state", "general",
                       "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}


def _names(doc) -> list[list]:
    """People's names (the proper nouns after the last rank, office or organisation word of a run, two at
    least) that a rank or office introduces, before them or as the noun they stand beside."""
    runs, run = [], []
    for token in [*doc, None]:
        if token is not None and token.pos_ == "PROPN" and token.text[:1].isupper():
            run.append(token)
            continue
        cut = max((i + 1 for i, t in enumerate(run) if t.lower_.rstrip(".") in _NOT_NAMES), default=0)
        if len(run) - cut >= 2 and _titled(run):
            runs.append(run[cut:])
        run = []
    return runs


def _titled(run) -> bool:
    doc, first, last = run[0].doc, run[0], run[-1]
    words = {t.lower_.rstrip(".") for t in doc[max(0, first.i - 4):last.i]}
    around = {last.head.lower_, *(c.lower_ for c in last.children)}
    return bool((words | around) & TITLES)


def _fate(name) -> str | None:
    """The fate the tree gives the name: a fate word among its ancestors (up to a verb of saying) or as their
    complement ("is alive"), or an activity verb it is the subject of."""
    token, below = name[-1], None
    for _ in range(_STEPS):
        for word in (token, *(c for c in token.children if c.dep_ in ("acomp", "attr", "oprd", "amod"))):
            if fate := _word_fate(word):
                return fate
        if token.pos_ == "VERB" and below is not None and below.dep_ == "nsubj" and (
                token.lemma_.lower() in ACTIVE or any(c.lower_ == "part" for c in token.children)):
            return "alive"
        if token.lemma_.lower() in _SAYING or token.head == token:
            return None
        below, token = token, token.head
    return None


def _word_fate(token) -> str | None:
    return next((fate for fate, words in FATES.items() if token.lemma_.lower() in words or token.lower_ in words), None)

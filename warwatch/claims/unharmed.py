"""A group of people said to have come to no harm, from the parse of a clause: "the soldiers were not injured",
"no civilians were hurt", "the crew is unharmed", "he and the other servicemen were safe".

Such a statement disputes a count of the same group's dead or wounded ("the strike killed 60 servicemen"). Only
groups the figures know (:data:`~warwatch.claims.lexicon.PEOPLE_GROUPS`) are read, as the subject of a negated
harm verb or of an adjective that says unharmed; whose people they are comes from the subject's words.
"""

from __future__ import annotations

import re

from warwatch.claims import parse
from warwatch.claims.lexicon import PEOPLE_GROUPS
from warwatch.claims.speakers import side_of

HARM = {"injure", "hurt", "harm", "wound"}
UNHARMED = {"unharmed", "unhurt", "uninjured", "unscathed", "safe"}
_NO = {"no", "none", "neither"}
_CUE = re.compile(r"(?:\b(?:not?|none|never)\b|n't\b)[^.;]{0,60}?\b(?:injur|hurt|harm|wound)"
                  r"|\b(?:unharm|unhurt|uninjur|unscath|safe\b)", re.I)
_STEMS = ("injur", "hurt", "harm", "wound", "unscath", "safe")
_GROUP_WORDS = re.compile(r"\b(?:" + "|".join(w for words in PEOPLE_GROUPS.values() for w in words) + ")", re.I)


def candidate(clause: str) -> bool:
    """Whether a clause may say a group came to no harm (cheap: decides what is parsed)."""
    lower = clause.lower()  # a substring test first: most clauses have no harm word, and the patterns cost more
    return any(stem in lower for stem in _STEMS) and bool(_CUE.search(clause) and _GROUP_WORDS.search(clause))


def groups_unharmed(clause: str) -> list[tuple[str, str | None]]:
    """(group, the side whose people they are, when the subject says) for each group the clause says came to no
    harm; empty while collecting for a batch."""
    doc = parse.parsed(clause)
    if doc is None:
        return []
    found = []
    for word in doc:
        lemma = word.lemma_.lower()
        if lemma in HARM and word.pos_ in ("VERB", "ADJ"):
            predicate = word
        elif word.lower_ in UNHARMED and word.dep_ in ("acomp", "ROOT", "conj"):
            predicate = word.head if word.dep_ == "acomp" else word
        else:
            continue
        for subject in (c for c in predicate.children if c.dep_ in ("nsubj", "nsubjpass")):
            negated = any(c.dep_ == "neg" for c in (*word.children, *predicate.children)) or \
                subject.lower_ in _NO or any(c.dep_ == "det" and c.lower_ in _NO for c in subject.children)
            if lemma in HARM and not negated or word.lower_ in UNHARMED and negated:
                continue
            for person in _people(subject):
                if group := _group(person.lemma_.lower()):
                    found.append((group, side_of(" ".join(t.text for t in person.subtree))))
    return list(dict.fromkeys(found))


def _people(subject) -> list:
    """The nouns a subject names: itself and its conjuncts ("he and other servicemen"), or those of "none of …"."""
    heads = [subject, *(c for c in subject.conjuncts)]
    if subject.lower_ in _NO:
        heads += [g for c in subject.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"]
    return heads


def _group(lemma: str) -> str | None:
    return next((group for group, words in PEOPLE_GROUPS.items() if any(lemma.startswith(w) for w in words)), None)

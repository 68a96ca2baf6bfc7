"""A statement that air defence did not bring a weapon down, from the parse of a clause: "not one was shot down",
"the air force is not capable of shooting down missiles of this type", "reports of it being intercepted were
false".

It disputes a cause given as the defender's own air defence ("the missile was shot down and fell on the
building"). Read from the tree: a shooting-down verb that is negated, whose subject is "not one" or "none", that
something negated or unable governs ("not capable of", "cannot"), or that a report called false is about.
"""

from __future__ import annotations

import re

from warwatch.claims import parse

_CUE = re.compile(r"\b(?:shoot|shot|shooting|downed|downing|intercept\w*)\b", re.I)
_STEMS = ("shoot", "shot", "downed", "downing", "intercept")
_NOT = re.compile(r"\b(?:not?|never|none|cannot|unable|incapable|false|untrue)\b|n't\b", re.I)
_UNABLE = {"unable", "incapable", "impossible"}
_FALSE = {"false", "untrue", "fake"}
_STEPS = 4  # how far up the tree a negation may govern the verb


def candidate(clause: str) -> bool:
    """Whether a clause may deny an interception (cheap: decides what is parsed)."""
    lower = clause.lower()  # a substring test first: most clauses have no such verb, and the patterns cost more
    return any(stem in lower for stem in _STEMS) and bool(_CUE.search(clause) and _NOT.search(clause))


def denied(clause: str) -> bool:
    """Whether the clause says a weapon was not (or could not be) brought down by air defence; False while
    collecting for a batch."""
    doc = parse.parsed(clause)
    if doc is None:
        return False
    return any(_downing(word) and _negated(word) for word in doc)


def _downing(word) -> bool:
    lemma = word.lemma_.lower()
    if lemma == "intercept" or lemma == "down" and word.pos_ == "VERB":
        return True
    return lemma == "shoot" and any(c.lower_ == "down" for c in word.children)


def _negated(word) -> bool:
    """A negation on the verb, its subject, or a word governing it within a few steps; or a report about it
    called false."""
    subjects = [c for c in word.children if c.dep_ in ("nsubj", "nsubjpass")]
    if any(c.dep_ == "neg" for c in word.children) or any(
            s.lower_ in ("none", "nothing") or any(c.dep_ == "neg" or c.lower_ == "no" for c in s.children)
            for s in subjects):
        return True
    token = word
    for _ in range(_STEPS):
        if token.head is token:
            return False
        token = token.head
        if token.lower_ in _UNABLE or any(c.dep_ == "neg" for c in token.children) and token.pos_ in ("ADJ", "AUX"):
            return True  # "not capable of shooting down", "unable to intercept", "it is not … shooting down"
        if token.dep_ in ("nsubj", "nsubjpass") and any(c.lower_ in _FALSE for c in token.head.children):
            return True  # "reports about the shooting down … were false"
        if token.pos_ == "VERB":
            return any(c.dep_ == "neg" for c in token.children) and token.lemma_.lower() in ("have", "possess", "can")
    return False

"""How a withdrawal went, from the parse of a clause: in order ("carried out according to plan", "an organised
withdrawal") or in disorder ("a chaotic retreat", "the retreat was not organised").

Each side tells its own retreats as orderly and the other's as a rout, so the two readings of one withdrawal
are a dispute worth checking. The manner is read from the words the tree attaches to the withdrawal: its
modifiers, or the predicate it is the subject of (and that predicate's complement), with their negation; the
place is the one it is from, and whose forces withdrew is read from its owner or subject.
"""

from __future__ import annotations

import re

from warwatch.claims import parse

WITHDRAWALS = {"withdrawal", "withdraw", "retreat", "pullout", "pull-out"}
ORDERLY = {"organized", "organised", "organize", "organise", "orderly", "controlled"}
DISORDERLY = {"chaotic", "disorderly", "disorganized", "disorganised", "hasty", "hastily", "hurried", "hurriedly",
              "panicked", "panicky", "panic", "uncontrolled", "chaos", "disarray", "rout", "headlong", "flight"}
_PLAN_PHRASES = {"according", "accordance", "accord"}  # "according to plan", "in accordance with a plan"
_STEMS = ("withdr", "retreat", "pullout", "pull-out")
_CUE = re.compile(r"\b(?:withdr[ae]w|retreat|pull-?out)", re.I)
_MANNER = re.compile(r"\b(?:organi[sz]|orderly|plan|controlled|in order|chao|disorder|disorgani[sz]|hast|hurri"
                     r"|panic|uncontrolled|disarray|rout|headlong)", re.I)


def candidate(clause: str) -> bool:
    """Whether a clause may say how a withdrawal went (cheap: decides what is parsed)."""
    lower = clause.lower()  # a substring test first: most clauses have no withdrawal, and the patterns cost more
    return any(stem in lower for stem in _STEMS) and bool(_CUE.search(clause) and _MANNER.search(clause))


def manners(clause: str) -> list[tuple[bool, str | None, str]]:
    """(in order, the place withdrawn from or None, the words naming who withdrew) for each withdrawal whose manner
    the clause states; empty while collecting for a batch."""
    doc = parse.parsed(clause)
    if doc is None:
        return []
    found = []
    for word in doc:
        if word.lemma_.lower() not in WITHDRAWALS:
            continue
        words = [*word.children]
        if word.dep_ in ("nsubj", "nsubjpass"):  # "the retreat was not organised", "… went according to plan"
            predicate = word.head
            words += [predicate, *(c for c in predicate.children if c is not word)]
            words += [g for c in predicate.children if c.dep_ in ("xcomp", "acomp") for g in c.children]
        manner = _manner(words)
        if manner is not None:
            found.append((manner, parse.name_in(word, "from"), _who(word)))
    return found


def _manner(words) -> bool | None:
    """In order (True), in disorder (False) or unsaid (None), from the words attached and the nouns of their
    prepositions ("in an orderly manner", "in panic"); a negation flips it."""
    orderly = disorderly = negated = False
    for w in _with_objects(words):
        lemma, lower = w.lemma_.lower(), w.lower_
        if w.dep_ == "neg":
            negated = True
        elif lower in ORDERLY or lemma in ORDERLY or lower in _PLAN_PHRASES and _plan_follows(w):
            orderly = True
        elif lower in DISORDERLY or lemma in DISORDERLY:
            disorderly = True
    if orderly == disorderly:
        return None
    return orderly != negated


def _with_objects(words) -> list:
    more = [*words]
    for prep in (w for w in words if w.dep_ == "prep"):
        for noun in (c for c in prep.children if c.dep_ == "pobj"):
            more += [noun, *(m for m in noun.children if m.dep_ == "amod")]
    return more


def _plan_follows(word) -> bool:
    return any(t.lemma_.lower() == "plan" for t in word.subtree)


def _who(word) -> str:
    """Who withdrew: a withdrawal's owner and modifiers ("Russia's", "the Ukrainian", "of our units"), or the
    subject of "withdraw"."""
    kept = {"poss", "amod", "compound", "nsubj"}
    words = [t for c in word.children if c.dep_ in kept or c.dep_ == "prep" and c.lower_ == "of" for t in c.subtree]
    return " ".join(t.text for t in words)

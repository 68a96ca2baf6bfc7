"""A side's denial that it struck, from the parse of a clause: "Russia's armed forces do not strike residential
buildings", "our troops did not fire on the town", "the hospital was not hit by Ukrainian missiles".

The striker is the negated strike verb's subject, or the agent of its passive; a denial is a claim that the
striker was not responsible, which contradicts the other side's blame of it.
"""

from __future__ import annotations

import re

from warwatch.claims import parse
from warwatch.lexicon import VERB_NEGATIONS

STRIKE_VERBS = {"strike", "hit", "attack", "target", "shell", "bomb", "fire", "kill", "shoot", "launch"}
_CUE = re.compile(r"\b(?:" + "|".join(sorted(VERB_NEGATIONS))
                  + r")\b[^.;]{0,40}?\b(?:strik|struck|hit|attack|target|shell|bomb|fir|kill|sho[ot])", re.I)


def candidate(clause: str) -> bool:
    """Whether a clause may deny a strike (cheap: decides what is parsed)."""
    return bool(_CUE.search(clause))


def strikers_denied(clause: str) -> list[str]:
    """The words naming who the clause says did not strike (each negated strike verb's subject or agent); empty
    while collecting for a batch."""
    doc = parse.parsed(clause)
    if doc is None:
        return []
    found = []
    for verb in doc:
        if verb.lemma_.lower() not in STRIKE_VERBS or not any(c.dep_ == "neg" for c in verb.children):
            continue
        for child in verb.children:
            if child.dep_ == "nsubj":
                found.append(" ".join(t.text for t in child.subtree))
            elif child.dep_ == "agent":
                found += [" ".join(t.text for t in g.subtree) for g in child.children if g.dep_ == "pobj"]
    return found

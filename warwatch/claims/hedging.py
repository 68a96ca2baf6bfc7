"""Whether a clause hedges what it says: a hedge word ("reportedly", "could", "up to"), but for a "claim" that the
parse shows is not the clause's own reporting verb: a noun ("Ukrainian claims to the contrary are false") or another's
claim the report is set against ("far less than Moscow claims", "a fraction of what Moscow claims")."""

from __future__ import annotations

from warwatch.claims import lexicon as lx
from warwatch.claims import parse

_NOMINAL = {"nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos", "compound", "poss", "npadvmod"}


def hedged(clause: str) -> bool:
    """Whether ``clause`` hedges; while collecting for a batch, a clause hedged only by a "claim" asks for its parse
    (and reads as hedged until it has it)."""
    words = [m[0].lower() for m in lx.HEDGES.finditer(clause)]
    if not words:
        return False
    if not all(word.startswith("claim") for word in words):
        return True
    doc = parse.parsed(clause)
    return doc is None or any(_own_claim(token) for token in doc if token.lower_.startswith("claim"))


def _own_claim(token) -> bool:
    """A "claim" the clause is reported by: a verb, not governing or governed by "than" or "what"."""
    return token.dep_ not in _NOMINAL and token.head.lower_ not in lx.COMPARED_WITH and \
        not any(child.lower_ in lx.COMPARED_WITH for child in token.children)

"""A side's admission, from the parse of a clause: "the agency's head conceded that the attack was carried out by
Kyiv", "the ministry acknowledged its forces struck the bridge", "the group claimed responsibility".

Read from the tree: a verb that admits (admit, acknowledge, concede), or one that confirms, claims or takes
responsibility or involvement, neither negated ("did not admit") nor governed by a denial or refusal ("refused
to acknowledge"). The claim stage weighs a side's admission against that side's earlier blame of the other, or
its denial, for the same event (:mod:`~warwatch.claims.confidence`).
"""

from __future__ import annotations

from warwatch.claims import parse

ADMIT = {"admit", "acknowledge", "concede"}
_OWN_UP = {"confirm", "claim", "take", "accept", "assume"}   # … responsibility, involvement
_OWNED = {"responsibility", "involvement", "role"}
_REFUSE = {"deny", "reject", "refuse", "decline", "fail"}
_STEMS = ("admit", "acknowledg", "conced", "responsib", "involvement")
_STEPS = 3  # how far up the tree a refusal may govern the verb


def candidate(clause: str) -> bool:
    """Whether a clause may admit something (cheap: decides what is parsed)."""
    lower = clause.lower()
    return any(stem in lower for stem in _STEMS)


def admits(clause: str) -> bool:
    """Whether the clause's speaker admits what it reports; False while collecting for a batch."""
    doc = parse.parsed(clause)
    if doc is None:
        return False
    return any(_admitting(word) and not _refused(word) for word in doc)


def _admitting(word) -> bool:
    lemma = word.lemma_.lower()
    if word.pos_ != "VERB":
        return False
    return lemma in ADMIT or lemma in _OWN_UP and any(
        c.dep_ == "dobj" and c.lemma_.lower() in _OWNED for c in word.children)


def _refused(word) -> bool:
    """Negated ("did not admit"), or governed by a denial or refusal ("refused to acknowledge")."""
    for _ in range(_STEPS):
        if any(c.dep_ == "neg" for c in word.children) or word.lemma_.lower() in _REFUSE:
            return True
        if word.head is word:
            return False
        word = word.head
    return False

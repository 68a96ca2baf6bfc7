"""Who a sentence attributes what it reports to, from its parse: the subject of each reporting verb ("Kremlin
spokesman Dmitry Peskov said …", "…, the ministry said"), the agent of a passive one ("was confirmed by the
governor") and the object of "according to".

Each attribution keeps where its verb stands, so a sentence with two reporting verbs ("X says …, but Y says …")
gives each clause its own speaker; an inverted one ("…, says the ministry") is the subject after its verb.
Relative clauses and trailing punctuation are cut from the speaker's words; adverbs and connectives before the
subject ("Earlier, …", "Although …") are never part of it, and a subject that names no one ("earlier reports
said", "it was reported") attributes nothing.
"""

from __future__ import annotations

from typing import NamedTuple

from warwatch.claims import lexicon as lx
from warwatch.claims import parse

REPORTING = {"say", "tell", "announce", "state", "claim", "report", "add", "insist", "maintain", "confirm",
             "declare", "write", "post", "believe", "allege", "note", "inform", "accuse", "blame", "reject",
             "deny", "dispute", "warn", "estimate", "admit", "acknowledge", "concede", "stress", "emphasise",
             "emphasize", "explain", "assert", "assure", "argue"}
"""Lemmas of the verbs that report what someone said."""

_CUT = {"relcl", "acl", "punct"}  # a speaker's words stop at the first such dependent after its head


class Attribution(NamedTuple):
    at: int        # where the reporting verb (or "according") stands in the sentence
    speaker: str   # the words naming who reports; empty: no one named


def attributions(sentence: str) -> tuple[Attribution, ...] | None:
    """The sentence's attributions in reading order; None while :func:`~warwatch.claims.parse.collecting` (the
    sentence is collected for parsing)."""
    doc = parse.parsed(sentence)
    if doc is None:
        return None
    found = []
    for token in doc:
        if token.lower_ == "according":
            found += [Attribution(token.idx, _words(g)) for to in token.children if to.lower_ == "to"
                      for g in to.children if g.dep_ == "pobj"]
        elif token.pos_ == "VERB" and token.lemma_.lower() in REPORTING and not any(
                c.lower_ in lx.COMPARED_WITH and c.dep_ in ("mark", "dobj") for c in token.children):
            subjects = [c for c in token.children if c.dep_ == "nsubj" and c.lemma_.lower() not in _NOT_SPEAKERS]
            inverted = [c for c in subjects if c.i > token.i]  # "One dead, 27 missing, says the ministry"
            named = [Attribution(token.idx, _words(c)) for c in inverted or subjects]
            named += [Attribution(token.idx, _words(g)) for c in token.children if c.dep_ == "agent"
                      for g in c.children if g.dep_ == "pobj"]
            found += named or [Attribution(token.idx, "")]  # "it was reported": reported by no one named
    return tuple(found)


_NOT_SPEAKERS = {"report", "it", "there", "this", "that", "which", "who", "what"}
"""Subjects of a reporting verb that name no one: "earlier reports said", "it was reported", "…, who said"."""


def _words(head) -> str:
    """The head's phrase: from its left edge to its right edge, stopping before a relative clause, a participle's
    clause or punctuation that follows the head ("the ministry, which …", "officials speaking on condition …")."""
    doc, end = head.doc, head.right_edge.i + 1
    for child in head.rights:
        if child.dep_ in _CUT:
            end = child.left_edge.i
            break
    start = head.left_edge.i
    while start and not doc[start - 1].whitespace_ and doc[start - 1].pos_ in ("PROPN", "PUNCT"):
        start -= 1  # a name the tokenizer split: "Censor.NET"
    return doc[start:max(end, head.i + 1)].text

"""What a strike hit, from the parse of a clause: a military target ("hit a meeting of the command staff", "struck
an ammunition depot") or a civilian one ("the missile hit a crowded street", "a residential building was hit").

The side that struck names military targets and the side struck names civilian ones, so the two readings of
one strike are a dispute worth checking. The target is the object of a strike verb (or the subject of its
passive), read with its modifiers, "of" phrases ("the site of a meeting of command staff") and what it carried
("a train carrying troops"); a target with words of both kinds, a negated or denied strike ("we do not strike
homes", "denied targeting civilians": a denial read elsewhere) or a side's policy ("we only strike military
targets") gives no claim.
"""

from __future__ import annotations

import re

from warwatch.claims import parse

STRIKE_VERBS = {"hit", "strike", "target", "attack", "shell", "bomb"}
MILITARY = {"military", "army", "officer", "commander", "command", "staff", "troop", "soldier", "serviceman",
            "servicemen", "mercenary", "militant", "base", "headquarters", "hq", "depot", "arsenal", "barracks",
            "airfield", "airbase", "brigade", "battalion", "regiment", "unit", "position", "deployment", "ammunition",
            "weapon", "equipment", "launcher", "radar", "warship", "fighter"}
CIVILIAN = {"civilian", "street", "residential", "house", "home", "apartment", "flat", "dwelling", "hospital",
            "clinic", "school", "kindergarten", "university", "market", "mall", "supermarket", "shop", "store", "church",
            "cathedral", "park", "playground", "hotel", "cafe", "restaurant", "theatre", "theater", "child", "children",
            "resident", "neighbourhood", "neighborhood", "passenger", "pedestrian"}
DENIALS = {"deny", "reject", "refute", "dismiss"}
CARRYING = {"carry", "transport"}  # what a vehicle struck carried describes it
_POLICY = {"only", "always", "exclusively", "solely", "never"}
_STEMS = ("hit", "strik", "struck", "target", "attack", "shell", "bomb")
_CUE = re.compile(r"\b(?:hit|strik|struck|target|attack|shell|bomb)", re.I)
_WORDS = re.compile(r"\b(?:" + "|".join(sorted(MILITARY | CIVILIAN)) + r")", re.I)


def candidate(clause: str) -> bool:
    """Whether a clause may say what a strike hit (cheap: decides what is parsed)."""
    lower = clause.lower()  # a substring test first: most clauses have no strike verb, and the patterns cost more
    return any(stem in lower for stem in _STEMS) and bool(_CUE.search(clause) and _WORDS.search(clause))


def targets(clause: str) -> list[tuple[str, str | None]]:
    """("military" or "civilian", the place named with it or None) for each strike whose target the clause names;
    empty while collecting for a batch."""
    doc = parse.parsed(clause)
    if doc is None:
        return []
    found = []
    for verb in doc:
        if verb.lemma_.lower() not in STRIKE_VERBS or verb.pos_ != "VERB" or _denied(verb):
            continue
        passive = any(c.dep_ == "auxpass" for c in verb.children)
        for target in (c for c in verb.children if c.dep_ == ("nsubjpass" if passive else "dobj")):
            words = _described(target)
            lemmas = {t.lemma_.lower() for t in words} | {t.lower_ for t in words}
            military, civilian = bool(lemmas & MILITARY), bool(lemmas & CIVILIAN)
            if military != civilian:  # where: "in the city of Sumy", "positions and a depot in the Kharkiv region"
                place = next(filter(None, (parse.name_in(word, "in") for head in (*words, verb)
                                           for word in (head, *head.conjuncts))), None)
                found.append(("military" if military else "civilian", place))
    return list(dict.fromkeys(found))


def _denied(verb) -> bool:
    """A negated strike, one a denial governs ("denied targeting civilians", "denying that homes were hit"), or a
    side's policy rather than a strike ("our forces only strike military targets", "always", "exclusively")."""
    if any(c.dep_ == "neg" or c.dep_ == "advmod" and c.lower_ in _POLICY for c in verb.children):
        return True
    return any(head.lemma_.lower() in DENIALS for head in list(verb.ancestors)[:2])


def _described(noun) -> list:
    """A target noun with its modifiers and "of" phrases, down the chain ("the site of a meeting of staff")."""
    words = [noun]
    for child in noun.children:
        if child.dep_ in ("compound", "nmod"):
            words.append(child)
        elif child.dep_ == "amod":  # "crowded", "full of civilians"
            words += list(child.subtree)
        elif child.dep_ == "prep" and child.lower_ in ("of", "with"):
            words += [t for g in child.children if g.dep_ == "pobj" for t in _described(g)]
        elif child.dep_ == "acl" and child.lemma_.lower() in CARRYING:  # "a train carrying troops"
            words += [t for g in child.children if g.dep_ == "dobj" for t in _described(g)]
    return words

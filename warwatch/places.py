"""The war's places a text names, whatever its language: one key per place, from ``config/places.toml``.

English spellings are matched as written (case aside). Ukrainian and Russian spellings are matched in every
inflected form, which pymorphy3 generates from its dictionaries for each dictionary form in the file
("Харків" gives "Харкові", "Харкова", ...), so the file lists no endings. A name of several words matches
word by word ("Кривому Розі").
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from itertools import product

import pymorphy3

PLACES = resources.files("warwatch.config") / "places.toml"

_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})
_POSSESSIVE = re.compile(r"'s$")


def words(text: str) -> list[str]:
    """The words of ``text`` as the gazetteer matches them: case-folded, one apostrophe, no possessive "'s"."""
    return [normal(w) for w in _WORD.findall(text.translate(_APOSTROPHES))]


def normal(word: str) -> str:
    """One word as the gazetteer matches it."""
    return _POSSESSIVE.sub("", word.translate(_APOSTROPHES).casefold())


class Gazetteer:
    """Word forms of the places' names, and the place each names."""

    def __init__(self, places: dict[str, dict[str, list[str]]]):
        self._names: dict[tuple[str, ...], str] = {}
        self._within = {place: frozenset(spellings.get("within", ())) for place, spellings in places.items()}
        self._english = {place: spellings["en"][0] for place, spellings in places.items() if spellings.get("en")}
        self.latin = {name: place for place, spellings in places.items() for name in spellings.get("en", [])}
        """Each Latin spelling of a place, and the place."""
        for place, spellings in places.items():
            for language, names in spellings.items():
                if language == "within":
                    continue
                analyser = morphology(language) if language in MORPHOLOGY else None
                for name in names:
                    forms = [_forms(analyser, word) if analyser else {word} for word in words(name)]
                    self._names.update(dict.fromkeys(product(*forms), place))
        self._longest = max(map(len, self._names), default=0)

    def places_in(self, text: str) -> frozenset[str]:
        """Keys of the places ``text`` names."""
        return frozenset(place for place, _ in self.find(words(text)))

    def find(self, tokens: list[str]) -> list[tuple[str, int]]:
        """The places a list of words names (each as :func:`normal` gives it), with the index of its first word."""
        found = []
        for start in range(len(tokens)):
            for size in range(1, min(self._longest, len(tokens) - start) + 1):
                if place := self._names.get(tuple(tokens[start:start + size])):
                    found.append((place, start))
        return found

    def areas(self, place: str) -> frozenset[str]:
        """The place and the places that hold it (its region, the Donbas); empty for a place it does not know."""
        return self._within[place] | {place} if place in self._within else frozenset()

    def name_of(self, place: str) -> str:
        """The place's English name (its key when it has none)."""
        return self._english.get(place, place)


def _forms(analyser: pymorphy3.MorphAnalyzer, word: str) -> set[str]:
    """Every form of the dictionary word ``word``, a noun or a region's adjective ("Харківська"), where the
    dictionary has it as a name ("Geox" in Russian)."""
    parses = [p for p in analyser.parse(word)
              if p.normal_form == word or (p.tag.POS == "ADJF" and "nomn" in p.tag)]
    names = [p for p in parses if "Geox" in str(p.tag)] or parses
    return {word} | {form.word.translate(_APOSTROPHES) for p in names for form in p.lexeme}


MORPHOLOGY = ("ru", "uk")  # the languages pymorphy3 reads here, each with its pinned dictionary package


@cache
def morphology(language: str) -> pymorphy3.MorphAnalyzer:
    """pymorphy3's analyser for ``language`` ("ru" or "uk"), one per process (the gazetteer's and the claims')."""
    return pymorphy3.MorphAnalyzer(lang=language)


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer of ``config/places.toml`` (built once per process, in about a second)."""
    return Gazetteer(tomllib.loads(PLACES.read_text(encoding="utf-8")))

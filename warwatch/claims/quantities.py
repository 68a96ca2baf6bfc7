"""Figures in text: the number, its bounds ("more than", "about", ranges, "dozens") and its unit.

Written numbers become digits with text2num; units are converted with pint to one canonical
unit per dimension (km² for areas, km for distances), so "400,000 square miles" and
"1,000 km²" compare as 1,035,995 km² against 1,000 km².
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import pint
from text_to_num import alpha2digit

from warwatch.claims.lexicon import MONTHS, TIME_UNITS

INF = math.inf

CANONICAL = {"area": ("km**2", "km²"), "length": ("km", "km")}

# Surface forms of the units war reports use, most specific first, and their pint names.
_UNITS: list[tuple[str, str]] = [
    (r"square (?:miles?|mi\b)|sq\.? ?(?:miles?|mi\b)|mi²", "mile**2"),
    (r"square (?:kilometres?|kilometers?|km\b)|sq\.? ?(?:km|kilometres?|kilometers?)\b|km²|km2\b|kmsq\b", "km**2"),
    (r"hectares?\b|ha\b", "hectare"),
    (r"kilometres?\b|kilometers?\b|km\b", "km"),
    (r"miles?\b", "mile"),
    (r"metres?\b|meters?\b", "m"),
]
_UNIT_RE = [(re.compile(rf"^\s*(?:{pattern})", re.I), unit) for pattern, unit in _UNITS]

# Bound words before a figure, and the interval they give around value v.
_BOUNDS: list[tuple[str, str]] = [
    (r"at least|more than|over|upwards of|in excess of|no fewer than|no less than|above|exceeding", "more than"),
    (r"fewer than|less than|under|below|no more than|at most", "less than"),
    (r"up to|as (?:much|many) as", "up to"),
    (r"nearly|almost|close to|just under", "nearly"),
    (r"about|around|roughly|approximately|some|an estimated|estimated|approx\.?|circa|c\.", "about"),
]
_BOUND_RE = [(re.compile(rf"\b(?:{pattern})\s*$", re.I), name) for pattern, name in _BOUNDS]

# Vague amounts, as written and the interval they stand for.
_VAGUE: list[tuple[str, tuple[float, float]]] = [
    (r"hundreds of thousands", (200_000, 999_999)),
    (r"tens of thousands", (20_000, 99_999)),
    (r"millions", (2_000_000, 999_999_999)),
    (r"thousands", (2_000, 99_999)),
    (r"hundreds", (200, 999)),
    (r"dozens", (24, 99)),
    (r"scores", (40, 99)),
    (r"a dozen", (12, 12)),
]
_VAGUE_RE = re.compile(r"\b(" + "|".join(p for p, _ in _VAGUE) + r")\b", re.I)
_KEEP_WORDS = re.compile(r"\b(" + "|".join(p for p, _ in _VAGUE)
                         + r"|ones|one (?:of|another|after|by)|(?:the|no) one)\b", re.I)
_MULTIPLIER = re.compile(r"\b(\d+(?:\.\d+)?)\s*(million|billion|thousand)\b", re.I)
_NUMBER = re.compile(r"(?<![\w.,:/-])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w:/])")
_RANGE_TAIL = re.compile(r"^\s*(?:-|–|to|and)\s*(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w:/])", re.I)
_DATE_BEFORE = re.compile(r"\b(?:" + "|".join(MONTHS) + r")\.?\s*$", re.I)
_DATE_AFTER = re.compile(r"^\s*(?:" + "|".join(MONTHS) + r")\b", re.I)
_TIME_AFTER = re.compile(r"^\s*(?:" + "|".join(re.escape(u) for u in TIME_UNITS) + r")", re.I)


@dataclass(frozen=True)
class Figure:
    """A number as written, with its interval and canonical unit."""

    start: int
    end: int
    value: float
    low: float
    high: float
    bound: str | None  # "more than", "less than", "up to", "nearly", "about", "range", "vague" or None
    unit: str | None   # canonical unit ("km²", "km"), None for a count
    shown: str         # the figure as written, e.g. "as much as 400,000 square miles"

    @property
    def dimension(self) -> str:
        return {"km²": "area", "km": "length"}.get(self.unit or "", "count")


def normalise_numbers(text: str) -> str:
    """Digits for written numbers ("twenty-seven" → "27", "1.5 million" → "1,500,000")."""
    text = re.sub(r"\bno one\b", "nobody", text, flags=re.I)
    text = _MULTIPLIER.sub(lambda m: f"{_scale(float(m[1]), m[2]):,.0f}", text)
    text = _NUMBER_PHRASE.sub(_split_joined_numbers, text)
    parts = _KEEP_WORDS.split(text)  # text2num reads "hundreds" as 100 and "close ones" as "close 1"
    return "".join(part if i % 2 else alpha2digit(part, "en", threshold=0) for i, part in enumerate(parts))


_SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_NUMBER_WORD = (r"(?:zero|one(?!\s+(?:of|another|after|by)\b)|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
                r"sixty|seventy|eighty|ninety|hundred|thousand|million|billion)\b")
_JOINT = r"(?:,\s*|\s+and\s+)"
_NUMBER_PHRASE = re.compile(rf"\b{_NUMBER_WORD}(?:(?:[\s-]+|{_JOINT}){_NUMBER_WORD})*", re.I)


def _split_joined_numbers(phrase: re.Match) -> str:
    """Digits for a run of written numbers, joined by commas or "and" the way a reader would join them.

    text2num reads "two hundred and fifty and seven thousand" as 257000 and "one thousand, one
    hundred" as "1000, 100". Here a comma or "and" joins two groups only as ``_joint`` says, and the
    "and" of "between ... and ..." separates even "two hundred and one thousand"; anywhere else they
    separate numbers. Results from 1,000 up get thousands separators, so "two thousand and twenty" is
    not taken for a year.
    """
    pieces = re.split(rf"({_JOINT})", phrase[0], flags=re.I)
    groups, joints = pieces[0::2], pieces[1::2]
    kinds = [_joint(before, joint, after) for before, joint, after in zip(groups, joints, groups[1:])]
    between = re.search(r"\bbetween\s+$", phrase.string[:phrase.start()], re.I)
    ands = [i for i, joint in enumerate(joints) if "and" in joint.lower()]
    if between and not any(kinds[i] == "split" for i in ands):
        if multiplied := [i for i in ands if kinds[i] == "multiply"]:
            kinds[multiplied[-1]] = "split"
    out, current = [], groups[0]
    for joint, group, kind in zip(joints, groups[1:], kinds):
        if kind == "split":
            out += [_digits(current), joint]
            current = group
        else:
            current += (" and " if "and" in joint.lower() else " ") + group
    return "".join([*out, _digits(current)])


def _joint(before: str, joint: str, after: str) -> str:
    """How a comma or "and" between two groups of number words reads: "join", "multiply" or "split".

    A comma joins a smaller group after a scale word ("twelve thousand, three hundred"); "and" joins
    only tens and units ("one thousand and one", "two hundred and fifty") or multiplies on after
    "hundred" ("two hundred and fifty thousand").
    """
    last = _SCALES.get(re.split(r"[\s-]+", before)[-1].lower(), 0)
    largest = max(_SCALES.get(word.lower(), 0) for word in re.split(r"[\s-]+", after))
    if "and" not in joint.lower():
        return "join" if largest < last else "split"
    if last and not largest:
        return "join"
    return "multiply" if last == 100 < largest else "split"


def _digits(words: str) -> str:
    digits = alpha2digit(words, "en", threshold=0)
    return f"{int(digits):,}" if digits.isdigit() and int(digits) >= 1000 else digits


def _scale(number: float, word: str) -> float:
    return number * {"thousand": 1e3, "million": 1e6, "billion": 1e9}[word.lower()]


def find_figures(text: str) -> tuple[Figure, ...]:
    """Every figure in ``text`` (already through ``normalise_numbers``) that is not a date, time or duration."""
    found: list[Figure] = []
    for vague in _VAGUE_RE.finditer(text):
        low, high = next(b for p, b in _VAGUE if re.fullmatch(p, vague[1], re.I))
        exact = low == high
        found.append(Figure(vague.start(), vague.end(), low, low, high, None if exact else "vague", None, vague[0]))
    position = 0
    for match in _NUMBER.finditer(text):
        if match.start() < position:
            continue
        value = _number(match[0])
        before, after = text[:match.start()], text[match.end():]
        if _DATE_BEFORE.search(before) or _DATE_AFTER.match(after) or _TIME_AFTER.match(after):
            continue
        if 1900 <= value <= 2100 and "," not in match[0]:
            continue  # a year
        end, low, high, bound = match.end(), value, value, None
        if tail := _RANGE_TAIL.match(after):
            other = _number(tail[1])
            if re.search(r"\bfrom\s*$", before, re.I):
                value = low = high = other  # "rose from 742 to 885": the figure is the latest one
            else:
                value, low, high, bound = (value + other) / 2, min(value, other), max(value, other), "range"
            end += tail.end()
            after = text[end:]
        unit, unit_len = _unit(after)
        bound_start = match.start()
        if bound is None:
            for pattern, name in _BOUND_RE:
                if b := pattern.search(before):
                    bound, bound_start = name, b.start()
                    break
        if _TIME_AFTER.match(text[end + unit_len:]) and unit is None:
            continue
        if unit is not None:
            factor = _to_canonical(unit)
            value, low, high = value * factor, low * factor, high * factor
        low, high = interval(value, low, high, bound)
        canonical = CANONICAL[_dimension(unit)][1] if unit else None
        position = end + unit_len
        found.append(Figure(match.start(), position, value, low, high, bound, canonical, text[bound_start:position].strip()))
    return tuple(sorted(found, key=lambda f: f.start))


def _number(digits: str) -> float:
    return float(digits.replace(",", ""))


def _unit(after: str) -> tuple[str | None, int]:
    for pattern, unit in _UNIT_RE:
        if m := pattern.match(after):
            return unit, m.end()
    return None, 0


@lru_cache(maxsize=1)
def _registry() -> pint.UnitRegistry:
    """pint's registry, its parsed definitions cached on disk (about 0.3 s to load instead of 2.5 s)."""
    try:
        return pint.UnitRegistry(cache_folder=":auto:")
    except OSError:  # no writable cache directory
        return pint.UnitRegistry(cache_folder=None)


def _dimension(unit: str) -> str:
    return "area" if "**2" in unit or unit == "hectare" else "length"


@lru_cache(maxsize=None)
def _to_canonical(unit: str) -> float:
    return float(_registry().Quantity(1, unit).to(CANONICAL[_dimension(unit)][0]).magnitude)


def interval(value: float, low: float, high: float, bound: str | None) -> tuple[float, float]:
    """The values a figure of ``value`` (or the range ``low``-``high``) stands for, given its bound's name."""
    match bound:
        case "more than":
            return value, INF
        case "less than":
            return 0.0, value
        case "up to":  # "as much as X" puts the figure near X, not anywhere below it
            return value * 0.5, value
        case "nearly":
            return value * 0.85, value
        case "about":
            return value * 0.85, value * 1.15
        case _:
            return low, high

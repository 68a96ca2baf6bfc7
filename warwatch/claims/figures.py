"""A figure's reading: its kind, actor and group from the words around it; its frame (part of a larger figure,
planned, one day's, where) from the parse of its clause."""

from __future__ import annotations

import re
from typing import NamedTuple

from warwatch.claims import lexicon as lx
from warwatch.claims import parse
from warwatch.claims.claim import Fields
from warwatch.claims.control import group_named, holder_of
from warwatch.claims.quantities import Figure
from warwatch.claims.speakers import side_of


class FigureReading(NamedTuple):
    """A figure's fields as its words give them, and where it stands, for the parse to complete (:func:`framed`)."""

    fields: Fields
    text: str              # the clause, numbers normalised, speaker cut out
    start: int
    end: int
    head: str              # the words right after it


_KIND_RES = {kind: lx.kind_regex(words) for kind, words in lx.QUANTITY_KINDS.items()}
_OTHER_SIDE = {"Russia": "Ukraine", "Ukraine": "Russia"}
_CONTROL_RE = lx.kind_regex(lx.CONTROL)
_LAND_RE = lx.kind_regex(lx.LAND)
_SETTLEMENT_RE = lx.kind_regex(lx.SETTLEMENT_NOUNS)
_EQUIPMENT_RE = lx.kind_regex(lx.EQUIPMENT)


def figure_reading(text: str, figure: Figure, following: Figure | None, side: str | None) -> FigureReading | None:
    end = following.start if following else len(text)
    if following and re.search(r"\bout of\s*$", text[figure.end:following.start]):
        return None if figure.value > following.value else figure_reading(text, figure, None, side)
    if re.search(r"\bout of\s*$", text[:figure.start]):
        return None  # "58 out of 500": 500 is the whole, not a claim
    after, before = text[figure.end:end], text[:figure.start]
    head = " ".join(after.split()[:3])
    kind, actor = None, None
    if figure.dimension == "area":
        if _CONTROL_RE.search(text) or _LAND_RE.search(after[:40]):
            kind, actor = "territory", holder_of(text, side)
    elif figure.dimension == "length":
        if re.search(r"\b(?:deep|advance|advanced|push|pushed|into|front|breach|breakthrough)\b", text, re.I):
            # the width of a front or breach is another dimension than the depth of an advance
            kind = "front width" if _WIDTH.match(after) or _ALONG.search(before) else "advance"
            actor = holder_of(text, side)
    elif _SETTLEMENT_RE.match(head.lstrip()) and _CONTROL_RE.search(text):
        kind, actor = "settlements", holder_of(text, side)
    elif (equipment := _EQUIPMENT_RE.search(head)) and (verb := _equipment_verb(text)):
        kind = f"equipment:{equipment[0].lower()}:{verb}"
        # whose: "12 Ukrainian drones"; unnamed, what a side says it destroyed or shot down is the other side's
        actor = side_of(head) or (_OTHER_SIDE.get(side or "") if verb != "launched" else None)
    else:
        if _SETTLEMENT_RE.match(head.lstrip()) or _EQUIPMENT_RE.match(head.lstrip()):
            return None  # "80 settlements in the flood zone": counted, but not a checkable kind
        kind = people_kind(after) or people_kind(" ".join(before.split()[-4:]), last=True) or (
            people_kind(re.split(r"[,;:]", before)[-1], last=True) if _RISEN_TO.search(before) else None)
        actor = side_of(head)
    if kind is None:
        return None
    group = group_named(head)
    return FigureReading(dict(kind=kind, subject=group if kind in lx.QUANTITY_KINDS else None, value=figure.value,
                              low=figure.low, high=figure.high, unit=figure.unit, shown=figure.shown,
                              bound=figure.bound, actor=actor), text, figure.start, figure.end, head)


_RISEN_TO = re.compile(r"\b(?:rose|risen|climbed|increased|jumped|grew|reached|stands at|stood at)\s+(?:to\s+)?$",
                       re.I)  # "the death toll from the strike on the city has risen to 58": what rose, further back
_WIDTH = re.compile(r"\s*(?:-\s*)?(?:wide|width|long|front|stretch|section|line)\b", re.I)
_ALONG = re.compile(r"\b(?:along|across|on) (?:a|an|the)\s*(?:\w+\s+)?$", re.I)
_ONE_DAY = re.compile(r"\b(?:(?:in|over|during|for) the (?:past|last|previous) (?:24 hours|day|night)|overnight"
                      r"|per day|a day|daily|in (?:a|one) (?:single )?day)\b", re.I)


def framed(figure: FigureReading) -> Fields | None:
    """A figure's fields completed by the parse of its clause, for a count of people: its frame (part, plan, one
    day's figure) and its kind, from the words the tree attaches to it (its modifiers, noun and verb) or, when
    those name none and the kind word read is neither right after it nor in its own clause, from that clause;
    None when it is no such count (an age, a number in a name, a count of villages, a clause with no kind word) or
    one the sentence calls false ("Moscow's claim of 600 dead is a lie").
    Other figures (areas, distances, hardware) take their period from the clause's words."""
    kind = figure.fields["kind"]
    found = parse.role(figure.text, figure.start, figure.end) if kind in lx.QUANTITY_KINDS else None
    if found is None:
        return {**figure.fields, "period": _period(figure.text)}
    if found.not_a_count or found.called_false or found.counted in lx.NOT_PEOPLE:
        return None
    if own := people_kind(found.own):
        kind = own
    elif not (_KIND_RES[kind].search(figure.head) or _KIND_RES[kind].search(found.clause)):
        if (kind := people_kind(found.clause)) is None:
            return None
    where = found.where if found.where and found.where.lower() not in lx.NOT_PLACES and not side_of(found.where) \
        else None
    actor = figure.fields["actor"] or _OTHER_SIDE.get(side_of(found.attacker or "") or "")  # a side's strike kills
    return {**figure.fields, "kind": kind, "part": found.part, "planned": found.planned,  # the other side's people
            "period": _period(found.clause), "where": where, "actor": actor}


_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_YEAR = r"(?:19|20)\d\d"
_THE_WAR = r"(?:(?:full|large)\s*-\s*scale )?(?:invasion|war)\b"  # the parse's clause spaces out "full - scale"
_WAR = re.compile(r"\bsince (?:russia|moscow|it) (?:launched|began|started) (?:its |the |a )?" + _THE_WAR
                  + r"|\b(?:since (?:(?:the )?(?:start|beginning|outbreak|onset) of )?|during |throughout "
                  r"|as a result of |in the course of |over the course of )(?:the |russia\s*'?s |russian |its )?"
                  + _THE_WAR, re.I)
_SPAN = re.compile(r"\bsince the (?:start|beginning) of (?:the|this|last) (?:week|month|year)\b"
                   r"|\bsince (?:early |late |mid-)?" + _MONTHS + f"(?: {_YEAR})?" + f"|\\bsince {_YEAR}\\b"
                   r"|\b(?:in|during|throughout) (?:the month of )?" + _MONTHS + f"(?: {_YEAR})?" + r"(?! \d)"
                   r"|\b(?:in|during|throughout) " + _YEAR + r"\b|\b(?:last|this|past) (?:month|year)\b"
                   r"|\b(?:in|over|during) the (?:past|last) (?:\w+ )?(?:weeks?|months?|years?)\b", re.I)
"""A stated span longer than a day: since a date ("since February 2022"), or a month or year ("in June", "last
month", "over the past three weeks")."""


def _period(text: str) -> str | None:
    """"day" for one day's figure, "war" for a total of the war ("since the start of the invasion", "as a result of
    the full-scale war"), the words of another span ("in june", "since march 2023"); None: unsaid."""
    if _ONE_DAY.search(text):
        return "day"
    if _WAR.search(text):
        return "war"
    span = _SPAN.search(text)
    return " ".join(span[0].lower().split()) if span else None


def people_kind(text: str, last: bool = False) -> str | None:
    """The kind of count of people the words name first (or ``last``): "killed", "prisoners", …"""
    hits = [(m.start(), kind) for kind, r in _KIND_RES.items() for m in r.finditer(text)]
    if not hits:
        return None
    return (max if last else min)(hits)[1]


def _equipment_verb(text: str) -> str | None:
    lowered = text.lower()
    return next((verb for verb, words in lx.EQUIPMENT_VERBS.items() if any(w in lowered for w in words)), None)

"""What a clause says of the control of a place (taken, held, contested) or of an evacuation, and who holds
ground."""

from __future__ import annotations

import re
from typing import NamedTuple

from warwatch.claims import lexicon as lx
from warwatch.claims.placenames import CAPITALISED
from warwatch.claims.speakers import side_of


class Status(NamedTuple):
    """What a clause's words say of the control of a place or of an evacuation, before the article's context
    (the place under discussion, an earlier claim denied) completes it."""

    contested: bool        # fighting goes on, the place still held, or only part of it taken
    place: str | None      # the place named: contested, or captured
    came_under: bool       # "came under Russian control", the place unnamed
    holder: str | None     # who took or holds the place (a part of it, when contested)
    negated: bool
    denial: bool           # denies something said before
    evacuation: bool | None  # complete (True) or failed (False)
    group: str | None      # who was evacuated


_FORCES = re.compile(r"([\w'’-]+)\s+(?:[\w'’-]+\s+)?(?:forces|troops|fighters|units|army|soldiers|military)\b"
                     r"(?!\s+(?:chief|commander|spokes|leader|official|intelligence|analyst|expert|source|blogger))",
                     re.I)  # "Ukraine's military chief" is a person, not the forces that hold ground


_LIBERATED = re.compile(r"\bliberat", re.I)


def holder_of(text: str, speaker_side: str | None) -> str | None:
    """Who holds or took ground: "Wagner fighters", "Ukrainian units", "Ukraine holds"; else the speaker's side
    ("our units", "his troops")."""
    for m in _FORCES.finditer(text):
        if side := side_of(m[1]):
            return side
    if m := re.search(r"([\w'’-]+)\s+['‘’\"]?(?:holds|controls|took|captured|seized|liberated)\b", text):
        if side := side_of(m[1]):
            return side
    return speaker_side


GROUP_RES = {group: lx.kind_regex(words) for group, words in lx.PEOPLE_GROUPS.items()}


_CAPTURE_VERB = re.compile(r"\b(?:captured|took|taken|seized|liberated|occupied|capture of|seizure of|fall of"
                           r"|liberation of|(?:full|complete|total) control (?:of|over))\s", re.I)
_PASSIVE_CAPTURE = re.compile(r"\b([A-Z][\w’'-]+)\s+(?:(?:(?:was|has been|had been|is|now)\s+(?:\w+\s+)?)"
                              r"(?:captured|taken|seized|liberated|occupied)"
                              r"|(?:captured|taken|seized|liberated|occupied)(?=\s+by\b|\s*[,.;:]|\s*$)"
                              r"|(?:fallen|fell)(?=\s+to\b|\s*[,.;]|\s*$|\s+(?:on|in)\s+[A-Z0-9]))\b")
"""A place taken ("Bakhmut was taken"; with no "was", only as a headline has it: "Soledar captured by Wagner",
"Bakhmut captured, Prigozhin says"; not "Conscripts captured in the Kursk region"), or fallen: to someone, on or
in a date, or at the end of the clause (not "Debris fell on the roof", "Exports fell by 5%")."""
_CAME_UNDER = re.compile(r"\b(?:came|come|is|was) under (?:\w+ )?(?:russian|ukrainian) control\b", re.I)


_PLACE = r"(?P<place>[A-Z][\w’'-]+)"
_PARTIAL = re.compile(r"\b(?:control|controls|controlled|hold|holds|held|cleared?)\s+(?:of\s+|over\s+)?(?:\w+\s+){0,2}?"
                      r"\d+(?:\.\d+)?\s*(?:%|per ?cent) of (?:the (?:city|town|village) of )?" + _PLACE)
"""Control of a share of a place ("took control of 70% of Pokrovsk"): the place is fought over, not taken."""
_PART_OF = re.compile(r"\b(?:captured|took|taken|seized|liberated|control(?:s|led)? (?:of|over)|holds?|held"
                      r"|cleared?)\s+(?:\w+\s+){0,3}?(?:part|parts|half|outskirts|district|districts|neighbou?rhoods?"
                      r"|microdistricts?|quarter|quarters|suburbs?|edge|centre|center|sections?) of (?:the )?"
                      r"(?:(?:city|town|village) of )?" + _PLACE)
"""A part of a place taken or held ("captured the eastern part of Chasiv Yar", "took a district of Toretsk"): the
place is fought over, not taken."""
_HELD = re.compile(_PLACE + r"\s+(?:[\w’'-]+\s+){0,6}?(?:is|was|remains?|remained|has been|had been|stays?)\s+"
                   r"(?:still\s+|firmly\s+|fully\s+)?under (?:the )?(?:full |complete )?"
                   r"(?:control of (?:the )?(?P<of>[\w’'-]+)|(?P<whose>[\w’'-]+) control)")
"""A place said to be held by a side ("Kupiansk is under the control of Ukraine's forces", "remains under its
control")."""


def _held(clause: str, side: str | None) -> tuple[str, str | None] | None:
    """The place a clause says is held, and by whom (a possessive stands for the speaker's side)."""
    for name in CAPITALISED.finditer(clause):
        m = _HELD.match(clause, name.start())
        if m and _placename(m["place"]):
            who = m["of"] or m["whose"]
            return m["place"], side_of(who) or (side if who.lower() in ("its", "our", "their") else None)
    return None


def status(clause: str, side: str | None) -> Status:
    partial = _PARTIAL.search(clause) or _PART_OF.search(clause)
    if partial and not side_of(partial["place"]):
        place, came_under = partial["place"], False
        contested, holder = partial, holder_of(clause, side)
    elif contested := lx.CONTESTED.search(clause):
        place = _named_after(clause[contested.start():]) or _held_object(clause[contested.end():]) or \
            _subject_name(clause[:contested.start()]) or _place(clause)
        came_under, holder = False, None
    elif place := _place(clause):  # "liberated" is said of one's own side's gains; "captured" of either side's
        came_under, holder = False, holder_of(clause, side if _LIBERATED.search(clause) else None)
    elif held := _held(clause, side):
        (place, holder), came_under = held, False
    else:
        came_under = bool(_CAME_UNDER.search(clause))
        holder = holder_of(clause, side) if came_under else None
    negated = bool(lx.NEGATION.search(clause))
    if lx.COMPLETE_EVACUATION.search(clause) and not negated:
        evacuation = True
    else:
        evacuation = False if lx.FAILED_EVACUATION.search(clause) else None
    return Status(bool(contested), place, came_under, holder, negated, bool(lx.DENIAL.search(clause)), evacuation,
                  group_named(clause) if evacuation is not None else None)


def _held_object(text: str) -> str | None:
    """The proper name right after "still control", "continue to hold": the place held."""
    m = re.match(r"\s+(?:the\s+)?(?:(?:city|town|village)\s+of\s+)?([A-Z][\w’'-]+)", text)
    return m[1] if m and _placename(m[1]) else None


def _subject_name(text: str) -> str | None:
    """The proper name just before "has not fallen", "has not been captured": the place said to hold out."""
    m = re.search(r"\b([A-Z][\w’'-]+)(?:\s+[A-Z][\w’'-]+)?\s+(?:has|have|had|is|was)?\s*$", text)
    return m[1] if m and _placename(m[1]) else None


def _named_after(text: str) -> str | None:
    """The first proper name after "in", "for" or "of" ("fighting continues in Bakhmut"); not a front named after a
    town ("in the Kurakhove direction")."""
    for m in re.finditer(r"\b(?:in|for|of)\s+(?:the\s+)?(?:(?:city|town|village)\s+of\s+)?([A-Z][\w’'-]+)(?![\w’'-])"
                         r"(?!\s+(?:direction|axis|sector|front)\b)", text):
        if _placename(m[1]):
            return m[1]
    return None


_NOT_CAPTURED = {"place", "part", "prisoner", "prisoners", "captive", "hostage", "hostages"}
"""Words after "took", "taken" or "captured" that make it no capture of a place: "took place", "taken prisoner"."""
_NOT_OBJECT = {"to", "in", "into", "out", "from", "at", "near", "by", "on", "for", "with", "across", "through",
               "toward", "towards", "during", "after", "before", "since", "around", "under", "along", "while", "as",
               "when", "and", "but", "who", "which", "that", "where"}
"""Words that end the verb's object: a name after them is where something happened, or where people were taken
("taken to hospital in Kharkiv", "conscripts captured in the Kursk region"), not the place captured."""


def _place(clause: str) -> str | None:
    """The place a capture phrase names: the first proper name of the verb's object (the few words after it,
    up to a preposition or a conjunction), or the name before a passive ("Bakhmut was taken")."""
    for verb in _CAPTURE_VERB.finditer(clause):
        for n, word in enumerate(clause[verb.end():].split()[:7]):
            word = word.strip(",.;:“”\"'’‘()")
            if word.lower() in _NOT_OBJECT or (n == 0 and word.lower() in _NOT_CAPTURED) or word[:1].isdigit():
                break
            if word[:1].isupper() and _placename(word):
                return word
    for m in _PASSIVE_CAPTURE.finditer(clause):
        if _placename(m[1]):
            return m[1]
    return None


def _placename(word: str) -> bool:
    """Whether a capitalised word may name a place: not a word the lexicon rules out ("the", "ministry"), nor a side."""
    return word.lower() not in lx.NOT_PLACES and not side_of(word)


def group_named(text: str) -> str | None:
    """The people group the words name first in the order of the groups ("military", "civilian", …); None: none."""
    return next((g for g, r in GROUP_RES.items() if r.search(text)), None)

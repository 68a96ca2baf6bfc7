"""A clause's cause or blame: the mechanism it names (an attack, an accident) and the side blamed, or denied."""

from __future__ import annotations

import re

from warwatch.claims import lexicon as lx
from warwatch.claims.claim import Fields
from warwatch.claims.speakers import side_of

_MECHANISM_RES = {name: lx.kind_regex(words) for name, words in lx.MECHANISMS.items()}


def cause_readings(clause: str, side: str | None) -> list[Fields]:
    trigger = lx.CAUSAL.search(clause)
    if trigger is None or "each other" in clause.lower():
        return []
    if lx.DENIED_INVOLVEMENT.search(clause):
        named = re.search(r"\b(?:that|of)\s+([\w'’-]+)", clause[lx.DENIED_INVOLVEMENT.search(clause).start():])
        denied = (side_of(named[1]) if named else None) or side
        readings = [dict(kind="cause", actor=denied, polarity=False)]
        accused = re.search(r"\baccus\w* ([\w'’-]+) of\b", clause)
        if accused and side_of(accused[1]) and side_of(accused[1]) != denied:
            readings.append(dict(kind="cause", actor=side_of(accused[1]), mechanism="attack"))
        return readings
    after = clause[trigger.start():]
    window_after = " ".join(after.split()[:9])
    window_before = " ".join(clause[:trigger.start()].split()[-5:])
    mechanism = _mechanism(window_after) or _mechanism(window_before)
    if m := re.search(r"\b(?:accus\w*|blam\w*)\s+([\w'’‘-]+(?:\s+[\w'’‘-]+)?)", clause):
        actor = side_of(m[1].replace("‘", " "))
    elif m := re.search(r"\b(?:by|from)\s+(?:order\s+(?:received\s+)?from\s+)?(?:the\s+)?([\w'’-]+)", window_after):
        actor = side_of(m[1]) or side_of(window_after)
    elif _ACTIVE.match(after):  # "Russian forces struck the plant in Kyiv": the striker is the subject, never the
        actor = side_of(_subject(clause[:trigger.start()]))  # object or the place after the verb
    else:
        actor = side_of(window_after) or side_of(window_before)
    if mechanism is None and actor is None:
        return []
    return [dict(kind="cause", mechanism=mechanism, actor=actor)]


_ACTIVE = re.compile(r"(?:hit|struck|blew|blow|blowing|carried|destroying)\b", re.I)
_SUBJECT_END = re.compile(r"[,;:(]|\b(?:in|on|at|near|of|from|after|when|that|as|while|said|says)\b", re.I)
_PASSIVE_END = re.compile(r"\b(?:was|were|is|are|been|be|being|get|got)\s*$", re.I)
_CLEFT = re.compile(r"\bit (?:was|is|had been)\s+(?P<subject>.+?)(?:,\s*not\b[^,]*,)?\s*that\s*$", re.I)


def _subject(before: str) -> str:
    """The words before an active verb back to a comma or a preposition: its subject ("Russian forces", "a
    Ukrainian drone"; not "In Kyiv, a missile"; none before a passive "was hit"); in a cleft, what "it was" names
    ("it was Ukrainian anti-missile fire, not Russia, that hit")."""
    if cleft := _CLEFT.search(before):
        return cleft["subject"]
    if _PASSIVE_END.search(before):
        return ""  # "Ukraine's grid was hit the hardest": what was hit, not who hit it
    ends = list(_SUBJECT_END.finditer(before))
    return " ".join(before[ends[-1].end() if ends else 0:].split()[-5:])


def _mechanism(window: str) -> str | None:
    if lx.ACCIDENT_PHRASES.search(window):
        return "accident"
    hits = [(m.start(), name) for name, r in _MECHANISM_RES.items() for m in r.finditer(window)]
    return min(hits)[1] if hits else None

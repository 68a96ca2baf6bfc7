"""Does a new claim agree with, update or contradict an earlier one? Every verdict says why.

Rules, in the terms of the issue:
- figures of the same kind and frame (group, side, place, whole or part, done or planned, one day or a total) contradict when their intervals, after unit
  conversion and a small rounding allowance, are disjoint by a clear margin; a running count
  that rises plausibly over the following days is an update; figures of different kinds never
  meet;
- a place captured against the same place contested, or an evacuation called complete against
  people dead or missing, contradict;
- a named person killed against alive or captured; a group said to be unharmed against a count of its dead or
  wounded;
- a withdrawal (from one place, by one side) told as orderly against the same one told as chaotic;
- what a strike hit told as a military target against a civilian one, for reports at most two days apart;
- a cause (an attack against an accident, or against the defender's own air defence, or that air defence
  against a denial that it brought anything down) or the side blamed (or a denial of that blame) conflict, for
  the same event: causes both dated, more than a week apart, are not compared.
"""

from __future__ import annotations

from dataclasses import dataclass

from warwatch.claims.claim import Claim
from warwatch.claims.lexicon import CUMULATIVE
from warwatch.claims.placenames import areas, place_key
from warwatch.claims.speakers import outlet_side

CLEAR_MARGIN = 1.25      # disjoint figures closer than this ratio are drift, not contradiction
VAGUE_MARGIN = 10.0      # "thousands" against a figure: only an order of magnitude apart contradicts
STATUS_DAYS = 7          # control of a place can change; claims further apart are not compared
LOSSES = {"killed", "missing"}
HARMED = {"killed", "wounded"}  # counts a group said to be unharmed disputes


@dataclass(frozen=True)
class Verdict:
    relation: str             # "contradiction", "update", "consistent" or "unrelated"
    kind: str | None = None   # for contradictions: "quantity", "status", "cause" or "responsibility"
    reason: str = ""

    @property
    def agrees(self) -> bool:
        return self.relation in ("consistent", "update")


UNRELATED = Verdict("unrelated")
CONSISTENT = Verdict("consistent")
UPDATE = Verdict("update")                                  # the unexplained verdicts of figures (explain=False):
FIGURES_DISAGREE = Verdict("contradiction", "quantity")     # made once, as a pair is compared over and over


def partners(kind: str) -> set[str]:
    """The kinds a claim of ``kind`` is compared with: :func:`compare` finds every other pair unrelated."""
    if kind == "evacuation":
        return {"evacuation", *LOSSES}
    if kind == "unharmed":
        return {"unharmed", *HARMED}
    return {kind} | ({"evacuation"} if kind in LOSSES else set()) | ({"unharmed"} if kind in HARMED else set())


def compare(new: Claim, old: Claim, explain: bool = True) -> Verdict:
    """The relation of ``new`` to ``old`` (reported at or before it). ``explain=False`` leaves figure verdicts'
    reasons empty, for callers that need only the relation (those reasons cost more than the rules)."""
    if new.value is not None and old.value is not None:  # both figures (is_quantity, inlined: the common case)
        return _figures(new, old, explain) if new.kind == old.kind else UNRELATED
    kinds = {new.kind, old.kind}
    if kinds == {"control"}:
        return _control(new, old)
    if kinds == {"evacuation"}:
        if new.polarity == old.polarity:
            return CONSISTENT
        return Verdict("contradiction", "status", f"{_who(old)} {_evacuation(old)}; {_who(new)} {_evacuation(new)}")
    if "evacuation" in kinds and kinds & LOSSES:
        status, figure = (new, old) if new.kind == "evacuation" else (old, new)
        if not status.polarity or figure.low is None or figure.low < 1:
            return CONSISTENT
        return Verdict("contradiction", "status", f"{_who(status)} {_evacuation(status)}; "
                                                  f"{_who(figure)} reports {_figure_text(figure)}")
    if kinds == {"cause"}:
        if new.refers_to and old.refers_to and abs((new.refers_to - old.refers_to).days) > STATUS_DAYS:
            return UNRELATED  # dated more than a week apart: a background sentence about another attack
        if _places_apart(new, old):
            return UNRELATED  # attacks on two places
        return _cause(new, old)
    if kinds == {"fate"}:
        return _fate(new, old)
    if "unharmed" in kinds and kinds & HARMED:
        return _unharmed(*((new, old) if new.kind == "unharmed" else (old, new)))
    if kinds == {"withdrawal"}:
        return _withdrawal(new, old)
    if kinds == {"target"}:
        return _target(new, old)
    return UNRELATED


def _figures(new: Claim, old: Claim, explain: bool) -> Verdict:
    if not _same_group(new.subject, old.subject) or (new.actor and old.actor and new.actor != old.actor):
        return UNRELATED
    if new.part or old.part or new.planned != old.planned or new.period != old.period or (
            new.where and old.where and place_key(new.where) != place_key(old.where)):
        return UNRELATED  # another frame: a part against a whole, a plan against what was done, a day against a
        # total, another place
    cumulative = new.kind in CUMULATIVE
    if (not cumulative or new.kind in EVENT_TOLLS) and new.refers_to and old.refers_to and \
            abs((new.refers_to - old.refers_to).days) > 1:
        return UNRELATED  # counts for different days; the dead and wounded of attacks on different days
    if new.kind in EVENT_TOLLS and (new.refers_to or old.refers_to) and \
            abs((new.when - old.when).days) > BACKGROUND_DAYS:
        return UNRELATED  # a toll dated weeks before the other report: a background sentence about an older attack
    (lo_new, hi_new), (lo_old, hi_old) = new.interval, old.interval
    if lo_new > hi_old:
        new_higher, ratio = True, lo_new / (hi_old if hi_old > 1e-9 else 1e-9)
    elif lo_old > hi_new:
        new_higher, ratio = False, lo_old / (hi_new if hi_new > 1e-9 else 1e-9)
    else:  # overlapping
        new_higher, ratio = new.value > old.value, 1.0
    if new_higher and cumulative and _update(new, old, ratio):
        if not explain:
            return UPDATE
        days = (new.published - old.published).total_seconds() / 86400
        return Verdict("update", None, f"{_figure_text(new)} {days:.1f} days after {_figure_text(old)}: a running count")
    if ratio < (VAGUE_MARGIN if "vague" in (new.bound, old.bound) else CLEAR_MARGIN):
        return CONSISTENT
    if not explain:
        return FIGURES_DISAGREE
    higher, lower = (new, old) if new_higher else (old, new)
    return Verdict("contradiction", "quantity", _figure_reason(new, old, higher, lower))


EVENT_TOLLS = {"killed", "wounded"}
"""Running counts that the day they name ties to one attack ("a strike on Sunday killed two"): unlike evacuations
or ground held, whose day is the report's."""
BACKGROUND_DAYS = 7  # a toll dated further than this from the other report's day is about another attack


def _update(new: Claim, old: Claim, ratio: float) -> bool:
    """Whether ``new``, a running count above ``old``, rose plausibly for the days between (and is not the other
    side's: a side's speaker against the other side's speaker or outlet). An attack's toll may rise tenfold as the
    dead are found (one, then twelve): short of two orders of magnitude."""
    days = max((new.published - old.published).total_seconds() / 86400, 0.0)
    new_side, old_side = new.side or outlet_side(new.source or ""), old.side or outlet_side(old.source or "")
    opposed = (new.side or old.side) and new_side and old_side and new_side != old_side  # one side's own speaker
    return days > 0 and not opposed and (ratio <= 1.5 + 0.5 * days or new.kind in EVENT_TOLLS and ratio < 100)


def _same_group(a: str | None, b: str | None) -> bool:
    return a == b or (None in (a, b) and "children" not in (a, b))


def _control(new: Claim, old: Claim) -> Verdict:
    if new.subject and old.subject and place_key(new.subject) != place_key(old.subject):
        return UNRELATED
    if abs((new.published - old.published).days) > STATUS_DAYS:
        return UNRELATED
    place = new.subject or old.subject or "the place"
    if new.polarity != old.polarity:
        taken, held = (new, old) if new.polarity else (old, new)
        if taken.actor and taken.actor == held.actor:
            return CONSISTENT  # one side holds the place, or part of it, and fights on there
        by = f" by {taken.actor}" if taken.actor else ""
        return Verdict("contradiction", "status",
                       f"{_who(taken)} says {place} was taken{by}; {_who(held)} says it is still contested")
    if new.polarity and new.actor and old.actor and new.actor != old.actor:
        return Verdict("contradiction", "status",
                       f"{_who(old)} says {old.actor} took {place}; {_who(new)} says {new.actor} did")
    return CONSISTENT


def _cause(new: Claim, old: Claim) -> Verdict:
    if new.mechanism == old.mechanism == "air defence" and new.polarity != old.polarity:
        downed, denied = (new, old) if new.polarity else (old, new)
        return Verdict("contradiction", "cause", f"{_who(downed)} gives {_cause_text(downed)}; "
                                                 f"{_who(denied)} says air defence did not bring it down")
    if new.polarity and old.polarity:
        if new.mechanism and old.mechanism and new.mechanism != old.mechanism or _own_fire(new, old) or _own_fire(old, new):
            return Verdict("contradiction", "cause", f"{_who(old)} gives {_cause_text(old)}; {_who(new)} gives {_cause_text(new)}")
        if new.actor and old.actor and new.actor != old.actor:
            return Verdict("contradiction", "responsibility", f"{_who(old)} {_blames(old)}; {_who(new)} {_blames(new)}")
        return CONSISTENT
    if new.polarity != old.polarity and new.actor and new.actor == old.actor:
        blames, denies = (new, old) if new.polarity else (old, new)
        return Verdict("contradiction", "responsibility",
                       f"{_who(blames)} {_blames(blames)}; {_who(denies)} denies {denies.actor} was responsible")
    return CONSISTENT


FATES_APART = ({"killed", "alive"}, {"killed", "captured"})  # missing: not known yet; captured: alive


def _fate(new: Claim, old: Claim) -> Verdict:
    if person_key(new.subject or "") != person_key(old.subject or "") or \
            abs((new.published - old.published).days) > STATUS_DAYS:
        return UNRELATED
    if {new.fate, old.fate} not in FATES_APART:
        return CONSISTENT
    return Verdict("contradiction", "status", f"{_who(old)} says {old.subject} was {old.fate}; "
                                              f"{_who(new)} says {new.subject} is {new.fate}")


def _unharmed(status: Claim, figure: Claim) -> Verdict:
    """A group said to be unharmed against a count of the same group's dead or wounded: both must name the group
    (soldiers, civilians), and whose people they are, or where they were, must not differ."""
    if figure.subject != status.subject or (figure.actor and status.actor and figure.actor != status.actor) or \
            _places_apart(status, figure) or figure.part or figure.planned or (figure.low or 0) < 1 or \
            abs((figure.published - status.published).days) > STATUS_DAYS:
        return UNRELATED
    people = {"military": "soldiers", "civilian": "civilians"}.get(status.subject or "", status.subject)
    return Verdict("contradiction", "status", f"{_who(figure)} reports {_figure_text(figure)}; "
                                              f"{_who(status)} says the {people} were unharmed")


def _withdrawal(new: Claim, old: Claim) -> Verdict:
    if new.subject and old.subject and place_key(new.subject) != place_key(old.subject) or \
            new.actor and old.actor and new.actor != old.actor or \
            abs((new.published - old.published).days) > STATUS_DAYS:
        return UNRELATED
    if new.polarity == old.polarity:
        return CONSISTENT
    orderly, chaotic = (new, old) if new.polarity else (old, new)
    place = f" from {new.subject or old.subject}" if new.subject or old.subject else ""
    return Verdict("contradiction", "status", f"{_who(orderly)} says the withdrawal{place} was orderly; "
                                              f"{_who(chaotic)} says it was in disorder")


STRIKE_DAYS = 2  # what a strike hit: reports further apart are about other strikes


def _target(new: Claim, old: Claim) -> Verdict:
    """A strike's target told as military against civilian: one strike, so reports (and the days they name) at
    most a couple of days apart, in the same place when both name one."""
    if new.where and old.where and place_key(new.where) != place_key(old.where) or \
            abs((new.published - old.published).days) > STRIKE_DAYS or \
            new.refers_to and old.refers_to and abs((new.refers_to - old.refers_to).days) > 1:
        return UNRELATED
    if new.subject == old.subject:
        return CONSISTENT
    return Verdict("contradiction", "target", f"{_who(old)} says the strike hit a {old.subject} target; "
                                              f"{_who(new)} says a {new.subject} one")


def _places_apart(new: Claim, old: Claim) -> bool:
    """Whether each claim names where, in places apart (not a city and its region)."""
    return bool((here := areas(new.places)) and (there := areas(old.places)) and not here & there)


def person_key(name: str) -> str:
    """A person by surname, in one spelling: "Adm Sokolov" and "Viktor Sokolov" are one person here."""
    return place_key(name.split()[-1]) if name.strip() else ""


def _own_fire(defence: Claim, strike: Claim) -> bool:
    """The defender's own air defence against a strike blamed on another side ("Russia hit the building")."""
    return (defence.mechanism == "air defence" and strike.mechanism in (None, "attack") and strike.actor is not None
            and defence.actor != strike.actor)


def _who(claim: Claim) -> str:
    return claim.speaker or claim.source or "one report"


def _evacuation(claim: Claim) -> str:
    group = {"military": "the crew", "civilian": "the residents"}.get(claim.subject or "", "everyone")
    return f"says {group} {'was' if claim.polarity else 'was not'} all evacuated"


def _blames(claim: Claim) -> str:
    return f"admits {claim.actor} was responsible" if claim.admitted else f"blames {claim.actor}"


def _cause_text(claim: Claim) -> str:
    if claim.mechanism == "air defence":
        return f"{claim.actor}'s own air defence" if claim.actor else "air defence"
    by = f" by {claim.actor}" if claim.actor else ""
    return f"an {claim.mechanism}{by}" if claim.mechanism else f"the blame to {claim.actor}"


def _figure_text(claim: Claim) -> str:
    if claim.unit is None:
        return f"{claim.shown} {_noun(claim)}"
    return f"{claim.shown} ({_amount(claim.value)} {claim.unit}) {_noun(claim)}"


def _figure_reason(new: Claim, old: Claim, higher: Claim, lower: Claim) -> str:
    said = f"{old.speaker} gave" if old.speaker else "reported"
    old_text = old.shown if old.unit is None else f"{_amount(old.value)} {old.unit}"
    new_text = new.shown if new.unit is None else f"{new.shown} = {_amount(new.value)} {new.unit}"
    if not lower.value:
        scale = "against"  # no ratio to a figure of none
    else:
        ratio = _amount(_significant(higher.value / lower.value))  # never "2e+09": a tiny figure gives a vast ratio
        scale = f"about {ratio} times" if higher is new else f"about 1/{ratio} of"
    return f"{new_text} {_noun(new)}, {scale} the {old_text} {said} on {old.when:%d %b %Y}"


def _noun(claim: Claim) -> str:
    return claim.kind.split(":")[1] if claim.kind.startswith("equipment:") else claim.kind


def _significant(x: float) -> float:
    return float(f"{x:.2g}")


def _amount(value: float | None) -> str:
    return f"{float(f'{value:.4g}'):,.0f}" if value is not None and value >= 100 else f"{value:g}"


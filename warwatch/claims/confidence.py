"""How far an analyst can trust a contradiction: a confidence in [0, 1] from the evidence of its two claims.

Precision first. A contradiction is alerted only at or above ``claims.alert_confidence``; the rest are kept
and listed for review. The evidence, each step named in the explanation:

- **who said them.** The disputes that matter in this war are across the lines: one side's figure, status or
  blame against the other's. Two claims from one side that disagree are, on real reporting, nearly always a
  count rising, a part against the whole or another place (a side's own account of an evacuation against its
  own losses is the exception: that is the contradiction itself). A claim whose speaker names no side is
  weighed, less, as its outlet's when the outlet speaks for a side; a claim with no speaker is weaker evidence.
- **blame.** Each side blaming the other is the clearest dispute; a side read as blaming itself is more
  likely a denial misread, unless it is an admission ("conceded that we …"): a side owning up to an act it had
  blamed on the other, or denied, is as clear as a dispute across the lines.
- **hedging.** "reportedly", "could", "up to" on either claim.
- **how far apart figures are,** and whether both say whose people or which group they count. Two orders of
  magnitude between figures of one frame (400,000 square miles against 1,000 km²) is decisive by itself: no
  rounding, scope or day explains it, whoever said them.
- **what a strike hit, where.** One report naming only a region ("positions in the Kharkiv region") and the other a
  place in it (a building in Kharkiv) may well be about two strikes: a side's daily summary against a city's report.
- **a figure stated as a rebuttal.** A count said not to reach a magnitude ("their number is by no means in the
  hundreds") is only said against a report that it does: a dispute by its form, not a count rising, even from
  one side.

The weights are few and round on purpose: they rank the evidence, they are not fitted to any one event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from warwatch.claims.claim import Claim
from warwatch.claims.compare import Verdict
from warwatch.claims.magnitude import SHORT_OF
from warwatch.claims.parse import is_region
from warwatch.claims.speakers import outlet_side

BASE = {"quantity": 0.35, "status": 0.45, "cause": 0.4, "responsibility": 0.4, "target": 0.4}
OTHER_BASE = 0.3          # a kind without rules of its own (the optional NLI model's)
OPPOSITE_SIDES = 0.35
ONE_SIDE = -0.3
ADMISSION = 0.35          # a side owns up to an act it had blamed on the other, or denied
BY_OUTLET = 0.7           # the share of those weights when a side is known only from an outlet
UNATTRIBUTED = -0.05      # per claim with no speaker
MUTUAL_BLAME = 0.35       # each side blames the other
BLAME_ACROSS = 0.2        # a side blames the other, and the other report blames that side
SELF_BLAME = -0.3
HEDGED = -0.1
FAR_APART = 0.15          # figures at least 3 times apart
VERY_FAR_APART = 0.2      # at least 10 times
ORDERS_APART = 0.45       # at least 100 times
CLOSE = -0.15             # less than 1.5 times apart
VAGUE = -0.1              # "dozens", "thousands"
FULL_FRAME = 0.05         # per field stated on both: the group counted, whose people
REBUTTAL = 0.2            # a count said not to reach a magnitude the other figure reaches
REGION_ONLY = -0.2        # what a strike hit: one report names only the region, the other a place in it


@dataclass(frozen=True)
class Confidence:
    score: float
    evidence: tuple[tuple[float, str, tuple], ...]  # (weight, why as a format string, its arguments)

    def text(self) -> str:
        """"confidence 0.80: opposite sides (Ukraine, Russia) (+0.35); …" (written only when asked: most pairs
        met are restatements, weighed and dropped)."""
        return f"confidence {self.score:.2f}: " + "; ".join(
            f"{why.format(*args)} ({weight:+.2f})" for weight, why, args in self.evidence)


def confidence(new: Claim, old: Claim, verdict: Verdict) -> Confidence:
    """The confidence of ``verdict`` (a contradiction of ``new`` with ``old``; only its kind is read), with the
    evidence behind it."""
    score = BASE.get(verdict.kind or "", OTHER_BASE)
    evidence: list[tuple[float, str, tuple]] = []

    def weigh(weight: float, why: str, *args: object) -> None:
        nonlocal score
        score += weight
        evidence.append((weight, why, args))

    (old_side, old_known), (new_side, new_known) = _side(old), _side(new)
    share = 1.0 if old_known and new_known else BY_OUTLET
    how = "" if share == 1.0 else ", partly by outlet"
    owned_up = _owned_up(new, old) if verdict.kind == "responsibility" else None
    rebuttal = _rebuttal(new, old) if verdict.kind == "quantity" else None
    if owned_up:
        weigh(ADMISSION * share, "{} admits what it {}{}", *owned_up, how)
    elif old_side and new_side and old_side != new_side:
        weigh(OPPOSITE_SIDES * share, "opposite sides ({}, {}{})", old_side, new_side, how)
    elif old_side and old_side == new_side and "evacuation" not in (new.kind, old.kind) and not rebuttal:
        weigh(ONE_SIDE * share, "both from one side ({}{})", new_side, how)
    for claim, which in ((old, "earlier"), (new, "new")):
        if not claim.speaker:
            weigh(UNATTRIBUTED, "the {} claim names no speaker", which)
    if verdict.kind in ("cause", "responsibility") and not owned_up:
        _blame(new, old, weigh)
    if new.hedged or old.hedged:
        weigh(HEDGED, "hedged")
    if new.is_quantity and old.is_quantity:
        _figures(new, old, weigh)
    if rebuttal:
        weigh(REBUTTAL, "stated as a rebuttal: {}", rebuttal.shown)
    if verdict.kind == "target" and new.where and old.where and is_region(new.where) != is_region(old.where):
        weigh(REGION_ONLY, "one names only the {}, the other {}: maybe other strikes",
              *sorted((new.where, old.where), key=lambda where: not is_region(where)))
    return Confidence(round(min(max(score, 0.0), 1.0), 2), tuple(evidence))


def decisive(new: Claim, old: Claim) -> bool:
    """Whether a pair brings one of the two pieces of evidence that can lift a dispute over the alert bar on its own:
    speakers (or their outlets) on opposite sides, or figures two orders of magnitude apart."""
    new_side, old_side = _side(new)[0], _side(old)[0]
    if new_side and old_side and new_side != old_side:
        return True
    if new.value is None or old.value is None:
        return False
    low, high = sorted((new.value, old.value))
    return low > 0 and high / low >= 100


def _side(claim: Claim) -> tuple[str | None, bool]:
    """The side a claim speaks for, and whether its speaker says so (rather than its outlet)."""
    if claim.side:
        return claim.side, True
    return outlet_side(claim.source or ""), False


def _owned_up(new: Claim, old: Claim) -> tuple[str, str] | None:
    """(the side, what it had said) when one claim is a side's admission and the other that side's account of the
    act, in a place both name: blaming another side, or denying it."""
    admits, earlier = (new, old) if new.admitted else (old, new)
    if not admits.admitted or earlier.admitted or earlier.actor is None or _side(earlier)[0] != admits.actor or \
            not set(admits.places) & set(earlier.places):
        return None
    if earlier.polarity and earlier.actor != admits.actor:
        return admits.actor, f"had blamed on {earlier.actor}"
    if not earlier.polarity and earlier.actor == admits.actor:
        return admits.actor, "had denied"
    return None


def _rebuttal(new: Claim, old: Claim) -> Claim | None:
    """The figure of the two that is a count said not to reach a magnitude ("by no means in the hundreds"),
    when the other reaches it."""
    for denial, other in ((new, old), (old, new)):
        if denial.bound == SHORT_OF and other.is_quantity and other.interval[0] > (denial.high or 0.0):
            return denial
    return None


def _blame(new: Claim, old: Claim, weigh) -> None:
    blamed = [c for c in (new, old) if c.polarity and c.actor]
    if any(c.side and c.side == c.actor for c in blamed):
        weigh(SELF_BLAME, "a side read as blaming itself")
        return
    accident = next((c for c in (new, old) if c.mechanism == "accident"), None)
    attack = next((c for c in (new, old) if c.mechanism == "attack" and c.actor), None)
    if accident and attack and (calls := _side(accident)[0]) and calls != attack.actor:
        weigh(BLAME_ACROSS, "{}'s side calls it an accident; the other report says {} struck", calls, attack.actor)
    elif len(blamed) == 2 and new.actor != old.actor:
        if new.side == old.actor and old.side == new.actor:
            weigh(MUTUAL_BLAME, "each side blames the other")
        elif new.side == old.actor or old.side == new.actor:
            weigh(BLAME_ACROSS, "one side blames the other, which is blamed in turn")


def _figures(new: Claim, old: Claim, weigh) -> None:
    low, high = sorted((new.value or 0.0, old.value or 0.0))
    ratio = high / low if low > 0 else math.inf
    if low <= 0:
        weigh(FAR_APART, "a figure against none")  # how far apart says nothing when one says none
    elif ratio >= 100:
        weigh(ORDERS_APART, "{:,.0f} times apart", ratio)
    elif ratio >= 10:
        weigh(VERY_FAR_APART, "at least 10 times apart")
    elif ratio >= 3:
        weigh(FAR_APART, "at least 3 times apart")
    elif ratio < 1.5:
        weigh(CLOSE, "less than 1.5 times apart")
    if "vague" in (new.bound, old.bound):
        weigh(VAGUE, "a vague amount")
    if new.subject and old.subject:
        weigh(FULL_FRAME, "both count {}", new.subject)
    if new.actor and old.actor:
        weigh(FULL_FRAME, "both count {}'s", new.actor)

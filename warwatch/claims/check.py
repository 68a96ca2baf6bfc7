"""Which of an article's claims contradict earlier reports, or each other: one verdict per dispute.

A dispute is reported once. A new claim that repeats one side of a contradiction already found
(another outlet carrying the same inflated figure against the same official one) adds nothing
an analyst has not been told, so it is not reported again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from warwatch.claims.compare import Verdict, compare, partners
from warwatch.claims.extract import Claim


Judge = Callable[[Claim, Claim], Verdict | None]
"""A second opinion on a pair the rules let pass (the optional NLI model): a contradiction or None."""


@dataclass(frozen=True)
class Finding:
    claim: Hashable   # key of the new claim
    other: Hashable   # key of the claim it contradicts (in the same article for a dispute within it)
    verdict: Verdict


def check_article(new: Sequence[tuple[Hashable, Claim]], earlier: Sequence[tuple[Hashable, Claim]],
                  disputes: list[tuple[Claim, Claim]], second_opinion: Judge | None = None) -> list[Finding]:
    """Contradictions of ``new`` (one article's claims) with each other and with ``earlier`` claims
    (most relevant first). ``disputes`` holds the pairs already reported and grows with each finding."""
    findings = []
    agrees = _Agreement()
    comparable: dict[str, list[tuple[Hashable, Claim]]] = {}  # earlier claims of a partner kind, by kind
    for i, (key, claim) in enumerate(new):
        for other_key, other in new[:i]:
            if claim.speaker != other.speaker and (claim.speaker or other.speaker):
                findings += _accept(key, claim, other_key, other, disputes, second_opinion, agrees)
        if claim.kind not in comparable:
            kinds = partners(claim.kind)
            comparable[claim.kind] = [(k, c) for k, c in earlier if c.kind in kinds]
        for other_key, other in comparable[claim.kind]:
            if found := _accept(key, claim, other_key, other, disputes, second_opinion, agrees):
                findings += found
                break
    return findings


def _accept(key: Hashable, claim: Claim, other_key: Hashable, other: Claim,
            disputes: list[tuple[Claim, Claim]], second_opinion: Judge | None, agrees: _Agreement) -> list[Finding]:
    verdict = compare(claim, other)
    if verdict.relation != "contradiction" and second_opinion and claim.kind == other.kind:
        verdict = second_opinion(claim, other) or verdict
    if verdict.relation != "contradiction" or _known(claim, other, disputes, agrees):
        return []
    disputes.append((claim, other))
    return [Finding(key, other_key, verdict)]


def _known(claim: Claim, other: Claim, disputes: list[tuple[Claim, Claim]], agrees: _Agreement) -> bool:
    """Whether ``claim`` against ``other`` restates a dispute already reported (either way round)."""
    return any((with_a and agrees(other, b)) or (with_b and agrees(other, a))
               for a, b, with_a, with_b in agrees.sides(claim, disputes))


class _Agreement:
    """``compare(x, y).agrees``, remembered during one article's check: its claims meet every known
    dispute again for each earlier claim they contradict, which made this the stage's largest cost."""

    def __init__(self) -> None:
        # by object ids: every claim outlives the check
        self._seen: dict[tuple[int, int], bool] = {}
        self._sides: dict[int, tuple[int, list[tuple[Claim, Claim, bool, bool]]]] = {}

    def __call__(self, x: Claim, y: Claim) -> bool:
        key = (id(x), id(y))
        if key not in self._seen:
            self._seen[key] = compare(x, y).agrees
        return self._seen[key]

    def sides(self, claim: Claim, disputes: list[tuple[Claim, Claim]]) -> list[tuple[Claim, Claim, bool, bool]]:
        """The disputes ``claim`` agrees with a side of, with which sides (``disputes`` only grows)."""
        done, found = self._sides.get(id(claim), (0, []))
        for a, b in disputes[done:]:
            with_a, with_b = compare(claim, a).agrees, compare(claim, b).agrees
            if with_a or with_b:
                found.append((a, b, with_a, with_b))
        self._sides[id(claim)] = (len(disputes), found)
        return found

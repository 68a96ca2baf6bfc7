"""Which of an article's claims contradict earlier reports, or each other: one verdict per dispute.

A dispute is reported once. A new claim that repeats one side of a contradiction already found
(another outlet carrying the same inflated figure against the same official one) adds nothing
an analyst has not been told, so it is not reported again. A dispute kept only for review (its
confidence below the alert bar) does not silence a later pair with the evidence to be alerted: one that
brings decisive evidence (:func:`~warwatch.claims.confidence.decisive`) is weighed again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

from warwatch.claims.claim import Claim
from warwatch.claims.compare import Verdict, compare, partners
from warwatch.claims.confidence import Confidence, confidence, decisive
from warwatch.claims.history import ClaimHistory, Frame, Scope, frame, in_scope, scope

Judge = Callable[[Claim, Claim], Verdict | None]
"""A second opinion on a pair the rules let pass (the optional NLI model): a contradiction or None."""


@dataclass(frozen=True)
class Finding:
    claim: Hashable   # key of the new claim
    other: Hashable   # key of the claim it contradicts (in the same article for a dispute within it)
    verdict: Verdict
    confidence: Confidence


def check_article(new: Sequence[tuple[Hashable, Claim]], story: ClaimHistory, disputes: Disputes,
                  second_opinion: Judge | None = None, others: Sequence[tuple[Hashable, Claim]] = (),
                  review: Disputes | None = None, alert_at: float = 0.0) -> list[Finding]:
    """Contradictions of ``new`` (one article's claims) with each other, with the ``story``'s earlier claims (newest
    first) and then with ``others`` (claims of other stories, most relevant first). ``disputes`` holds the pairs
    already alerted, ``review`` those kept for review (confidence below ``alert_at``); each grows with its findings."""
    findings = []
    review = review if review is not None else Disputes()
    for i, (key, claim) in enumerate(new):
        for other_key, other in new[:i]:
            if claim.speaker != other.speaker and (claim.speaker or other.speaker):
                findings += _accept(key, claim, other_key, other, disputes, second_opinion, review, alert_at)
        kinds = partners(claim.kind)
        restated, restated_review = disputes.restated_by(claim), review.restated_by(claim)
        for other_key, other in [*story.comparable(claim), *((k, c) for k, c in others if c.kind in kinds)]:
            if restated and restated(other):
                continue  # reported already, whatever the verdict: most of the pairs of a long-running dispute
            if restated_review and restated_review(other) and not decisive(claim, other):
                continue  # kept for review already, and nothing here could lift it over the bar
            if found := _accept(key, claim, other_key, other, disputes, second_opinion, review, alert_at):
                findings += found
                break
    return findings


def _accept(key: Hashable, claim: Claim, other_key: Hashable, other: Claim, disputes: Disputes,
            second_opinion: Judge | None, review: Disputes, alert_at: float) -> list[Finding]:
    """The finding of ``claim`` against ``other``, if they contradict and the dispute is new (to the alerts, or to
    the review list when below ``alert_at``); the reason is only written then."""
    opinion = None
    if (verdict := compare(claim, other, explain=False)).relation != "contradiction":
        if not (second_opinion and claim.kind == other.kind):
            return []
        opinion = second_opinion(claim, other)
        if opinion is None or opinion.relation != "contradiction":
            return []
    if disputes.known(claim, other):
        return []
    trust = confidence(claim, other, opinion or verdict)  # the kind is all it reads of the verdict
    alerted = trust.score >= alert_at
    if not alerted and review.known(claim, other):
        return []
    (disputes if alerted else review).add(claim, other)
    return [Finding(key, other_key, opinion or compare(claim, other), trust)]


def _relatable(own: tuple[Frame, Scope], theirs: tuple[Frame, Scope]) -> bool:
    """Whether ``compare`` can relate two claims of one kind with these frames and scopes."""
    return own[0] == theirs[0] and in_scope(own[1], theirs[1])


class Disputes:
    """A story's contradictions already reported, and which sides of them each claim agrees with.

    A claim restates a dispute (a, b) against another when one agrees with a and the other with b. Each
    claim's agreement with every side is worked out once (as bit masks over the disputes) and extended as
    disputes are added: the same claims meet the same disputes article after article, which made this
    the stage's largest cost.
    """

    def __init__(self, pairs: Iterable[tuple[Claim, Claim]] = ()) -> None:
        self.pairs: list[tuple[Claim, Claim]] = []
        self._scopes: list[tuple[tuple[Frame, Scope], tuple[Frame, Scope]]] = []  # each side's frame and scope
        for claim, other in pairs:
            self.add(claim, other)
        # by object id, keeping the claim so its id is not reused: (claim, disputes seen, agrees-with-first
        # mask, agrees-with-second mask); compare(claim, side).agrees with the claim as the new report
        self._sides: dict[int, tuple[Claim, int, int, int]] = {}

    def add(self, claim: Claim, other: Claim) -> None:
        self.pairs.append((claim, other))
        self._scopes.append(((frame(claim), scope(claim)), (frame(other), scope(other))))

    def known(self, claim: Claim, other: Claim) -> bool:
        """Whether ``claim`` against ``other`` restates a reported dispute (either way round)."""
        restated = self.restated_by(claim)
        return restated is not None and restated(other)

    def restated_by(self, claim: Claim) -> Callable[[Claim], bool] | None:
        """Whether ``claim`` against a claim restates a reported dispute, while no dispute is added; None when
        ``claim`` agrees with no side of any (then it restates none)."""
        first, second = self._masks(claim)
        if not (first or second):
            return None
        masks = self._masks

        def restated(other: Claim) -> bool:
            other_first, other_second = masks(other)
            return bool(first & other_second or second & other_first)
        return restated

    def _masks(self, claim: Claim) -> tuple[int, int]:
        sides = self._sides.get(id(claim))  # met hundreds of times, mostly with no dispute added since
        if sides is not None and sides[1] == len(self.pairs):
            return sides[2], sides[3]
        _, done, first, second = sides or (claim, 0, 0, 0)
        kinds, own = partners(claim.kind), (frame(claim), scope(claim))  # sides compare cannot relate never agree
        for i in range(done, len(self.pairs)):
            (a, b), (side_a, side_b) = self.pairs[i], self._scopes[i]
            if a.kind in kinds and (a.kind != claim.kind or _relatable(own, side_a)):
                first |= compare(claim, a, explain=False).agrees << i
            if b.kind in kinds and (b.kind != claim.kind or _relatable(own, side_b)):
                second |= compare(claim, b, explain=False).agrees << i
        self._sides[id(claim)] = (claim, len(self.pairs), first, second)
        return first, second

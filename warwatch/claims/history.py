"""A story's claims, kept by what :func:`~warwatch.claims.compare.compare` can relate, newest first.

A long-running story (a month of strikes on many cities) holds thousands of claims, and most of
them cannot bear on a new one: another kind, another place's control, a count for another day or
period. Keeping them apart by kind, frame and scope lets a new claim meet only the claims ``compare``
might not find unrelated, and a time window (the claim stage's ``window_hours``, as for other
stories' claims) bounds how far back, so the cost of checking a claim follows the claims it
could dispute, not the length of the story.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Hashable, Iterable
from datetime import date, timedelta
from functools import lru_cache
from operator import itemgetter

from warwatch.claims.claim import Claim
from warwatch.claims.compare import partners, person_key
from warwatch.claims.lexicon import CUMULATIVE
from warwatch.claims.placenames import place_key

Scope = str | date | None
Frame = tuple[str | None, bool, bool] | None
Entry = tuple[float, int, Hashable, Claim]  # (published timestamp, order added, key, claim)
_published = itemgetter(0)


def scope(claim: Claim) -> Scope:
    """What must match for ``compare`` to relate two claims of this kind: a control claim's place, a person's
    name, a one-day count's day; None when nothing does (or the claim does not say)."""
    if claim.kind == "control":
        return place_key(claim.subject) if claim.subject else None
    if claim.kind == "fate":
        return person_key(claim.subject or "")
    if claim.is_quantity and claim.kind not in CUMULATIVE:
        return claim.refers_to
    return None


def frame(claim: Claim) -> Frame:
    """What ``compare`` needs equal in two figures of one kind: period, plan and part (a part relates to nothing of
    its kind); None for a claim with no figure."""
    return None if claim.value is None else (claim.period, claim.planned, claim.part)


class ClaimHistory:
    """Claims kept in published order (a late article's claims find their place); :meth:`comparable` returns,
    newest first, those a new claim may relate to, published at most ``window`` before it (None: any time)."""

    def __init__(self, claims: Iterable[tuple[Hashable, Claim]] = (), window: timedelta | None = None) -> None:
        self._kinds: dict[str, dict[tuple[Frame, Scope], list[Entry]]] = {}
        self._added = 0
        self.window = window
        for key, claim in claims:
            self.add(key, claim)

    def add(self, key: Hashable, claim: Claim) -> None:
        entries = self._kinds.setdefault(claim.kind, {}).setdefault((frame(claim), scope(claim)), [])
        bisect.insort(entries, (claim.published.timestamp(), self._added, key, claim))  # appends when in order
        self._added += 1

    def comparable(self, claim: Claim) -> list[tuple[Hashable, Claim]]:
        """The claims of a partner kind; of its own kind, those of its frame whose scope matches (an unstated scope
        matches any); newest first."""
        lists = []
        own, own_frame = scope(claim), frame(claim)
        for kind in partners(claim.kind):
            by_scope = self._kinds.get(kind, {})
            if kind != claim.kind:
                lists += by_scope.values()
            elif own is None:
                lists += [entries for (theirs, _), entries in by_scope.items() if theirs == own_frame]
            else:
                lists += [by_scope[(own_frame, theirs)] for theirs in _matching(own) if (own_frame, theirs) in by_scope]
        if self.window is not None:  # each list from the first claim inside the window
            since = (claim.published - self.window).timestamp()
            lists = [entries[bisect.bisect_left(entries, since, key=_published):] for entries in lists]
        merged = reversed(lists[0]) if len(lists) == 1 else \
            heapq.merge(*(reversed(entries) for entries in lists), key=lambda entry: (-entry[0], -entry[1]))
        return [(key, other) for _, _, key, other in merged]


def in_scope(own: Scope, theirs: Scope) -> bool:
    """Whether ``compare`` can relate two claims of one kind with these scopes."""
    return own is None or theirs in _matching(own)


@lru_cache(maxsize=4096)  # asked for every dispute side a claim meets
def _matching(own: str | date) -> tuple[Scope, ...]:
    """The scopes ``compare`` relates to ``own``: the same place, a day either side, or none stated."""
    if isinstance(own, date):
        return own - timedelta(days=1), own, own + timedelta(days=1), None
    return own, None

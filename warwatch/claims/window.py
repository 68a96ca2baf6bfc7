"""The claims of the recent past, searchable by sentence vector: where cross-story candidates come from.

Built once per claim-stage run from the stored claims of the time window and grown as the run
stores new ones, so each article costs one neighbour search per claim instead of a store query
over every claim in the window. Search goes through :class:`~warwatch.stories.search.VectorIndex`,
so an approximate index can serve large windows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import numpy as np

from warwatch.claims.claim import Claim
from warwatch.stories.search import ExactIndex, VectorIndex

#: Nearest claims fetched per new claim before the kind, place and similarity filters.
NEIGHBOURS = 32


class ClaimWindow:
    """Claims with their story, kind, time and vector; rows are appended in claim-id order."""

    def __init__(self, index_factory: Callable[[], VectorIndex] = ExactIndex) -> None:
        self._index = index_factory()
        self._ids: list[int] = []
        self._claims: list[Claim] = []
        self._stories = np.zeros(0, np.int64)
        self._times = np.zeros(0, np.float64)
        self._kinds = np.zeros(0, np.int32)
        self._kind_codes: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, claim_id: int, story_id: int, published: datetime, claim: Claim, vector: np.ndarray | None) -> None:
        """Append a stored claim (``vector`` None: kept for numbering, never returned)."""
        n = len(self._ids)
        if n == len(self._stories):  # grow the column arrays by doubling
            size = max(2 * n, 64)
            self._stories, self._times, self._kinds = (np.resize(a, size) for a in (self._stories, self._times, self._kinds))
        self._stories[n], self._times[n] = story_id, published.timestamp()
        self._kinds[n] = self._kind_codes.setdefault(claim.kind, len(self._kind_codes))
        self._ids.append(claim_id)
        self._claims.append(claim)
        self._index.add(vector, claim_id)

    def save(self) -> None:
        """Keep what the index can reuse in the next run (an approximate index's graph)."""
        self._index.save()

    def forget_before(self, since: datetime) -> None:
        """Drop the claims published before ``since`` once they are most of the window."""
        n = len(self._ids)
        keep = self._times[:n] >= since.timestamp()
        if n < 256 or keep.sum() > n // 2:
            return
        rows = np.flatnonzero(keep)
        self._index.keep(keep)
        self._ids = [self._ids[i] for i in rows]
        self._claims = [self._claims[i] for i in rows]
        self._stories, self._times, self._kinds = (a[rows] for a in (self._stories, self._times, self._kinds))

    def neighbours(self, vectors: Iterable[np.ndarray], *, story_id: int, since: datetime, kinds: set[str],
                   places: set[str], similarity: float) -> list[tuple[int, Claim]]:
        """Claims of other stories since ``since``, of one of ``kinds``, naming one of ``places``, whose
        sentence has a cosine of at least ``similarity`` to one of ``vectors``; most similar first."""
        n = len(self._ids)
        codes = [self._kind_codes[k] for k in kinds if k in self._kind_codes]
        if not n or not codes or not places:
            return []
        wanted = np.zeros(len(self._kind_codes), np.bool_)
        wanted[codes] = True  # by code: a lookup, where np.isin sorts
        allowed = (self._stories[:n] != story_id) & (self._times[:n] >= since.timestamp()) & wanted[self._kinds[:n]]
        best: dict[int, float] = {}
        vectors = list(vectors)
        for rows, cosines in self._index.search_many(np.stack(vectors), NEIGHBOURS, allowed) if vectors else ():
            for row, cosine in zip(rows.tolist(), cosines.tolist()):
                if cosine >= similarity and cosine > best.get(row, -1.0) and places & set(self._claims[row].places):
                    best[row] = cosine
        return [(self._ids[row], self._claims[row]) for row in sorted(best, key=lambda r: (-best[r], r))]

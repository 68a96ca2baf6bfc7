"""Nearest-neighbour search over the member articles of the story grouper.

:class:`VectorIndex` is the small interface :class:`~warwatch.stories.grouping.StoryGrouper`
needs; :class:`ExactIndex` implements it by brute force with numpy, and
:class:`~warwatch.stories.ann.AnnIndex` with an approximate (usearch HNSW) graph for large
windows. Either is chosen through ``StoryGrouper(index_factory=...)``; an approximate one
keeps the row numbering described below and may miss a neighbour now and then, which
changes grouping decisions accordingly.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["ExactIndex", "VectorIndex", "top_k"]


@runtime_checkable
class VectorIndex(Protocol):
    """Neighbour search over rows ``0..n-1`` of L2-normalised float32 vectors.

    Rows are numbered in the order they were added; :meth:`keep` drops rows and
    renumbers the rest in order. A row added without a vector holds its place in the
    numbering but is never returned by :meth:`search`.
    """

    def __len__(self) -> int:
        """Number of rows ``n`` (with or without a vector)."""
        ...

    def add(self, vector: np.ndarray | None, key: Hashable | None = None) -> None:
        """Append row ``n``: ``vector`` (1-d, L2-normalised), or ``None`` for a placeholder.

        ``key`` names what the row holds (an article id); an index kept between runs uses it
        to recognise rows it already holds.
        """
        ...

    def keep(self, mask: np.ndarray) -> None:
        """Keep the rows where ``mask`` (bool, length ``n``) is true, renumbered in order."""
        ...

    def save(self) -> None:
        """Keep what the next run can reuse, if the index keeps anything between runs."""
        ...

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Up to ``k`` rows among those where ``allowed`` (bool, length ``n``) is true.

        Returns ``(rows, cosines)``: int64 row numbers, most similar first (equal
        cosines: lower row first), and their float32 cosines to ``query``.
        """
        ...

    def search_many(
        self, queries: np.ndarray, k: int, allowed: np.ndarray
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """:meth:`search` for each row of ``queries`` (2-d) among the same rows."""
        ...


_EMPTY = (np.zeros(0, np.int64), np.zeros(0, np.float32))


def top_k(rows: np.ndarray, sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` most similar of ``rows`` (ascending), ordered as :meth:`VectorIndex.search` returns them."""
    if len(rows) > k:
        # the k largest; among cosines equal to the k-th largest, the lowest rows
        kth = -np.partition(-sims, k - 1)[k - 1]
        above = np.flatnonzero(sims > kth)
        tied = np.flatnonzero(sims == kth)[: k - len(above)]
        pick = np.concatenate([above, tied])
        rows, sims = rows[pick], sims[pick]
    order = np.lexsort((rows, -sims))
    return rows[order], sims[order]


class ExactIndex:
    """:class:`VectorIndex` by brute force: one matrix-vector product per query.

    Storage grows by doubling and is compacted in place by :meth:`keep`. The width is
    fixed by the first vector added. The product of the last query is kept until the
    next :meth:`add` or :meth:`keep`, so several searches with the same query (the
    grouper's nearest-article and duplicate searches) cost one product.
    """

    def __init__(self, capacity: int = 16) -> None:
        self._n = 0
        self._mat = np.zeros((max(capacity, 1), 0), np.float32)
        self._has_vec = np.zeros(max(capacity, 1), np.bool_)
        self._version = 0  # bumped by add/keep; invalidates the cached product
        self._cached: tuple[int, np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return self._n

    def add(self, vector: np.ndarray | None, key: Hashable | None = None) -> None:
        if self._n == len(self._mat):
            self._mat = np.concatenate([self._mat, np.zeros_like(self._mat)])
            self._has_vec = np.concatenate([self._has_vec, np.zeros_like(self._has_vec)])
        if vector is not None:
            vec = np.asarray(vector, np.float32).reshape(-1)
            if self._mat.shape[1] == 0:
                self._mat = np.zeros((len(self._mat), len(vec)), np.float32)
            elif len(vec) != self._mat.shape[1]:
                raise ValueError(f"vector has {len(vec)} dimensions, expected {self._mat.shape[1]}")
            self._mat[self._n] = vec
            self._has_vec[self._n] = True
        self._n += 1
        self._version += 1

    def save(self) -> None:
        """Nothing to keep: the rows are read again from the store at each run."""

    def keep(self, mask: np.ndarray) -> None:
        idx = np.flatnonzero(self._check(mask))
        k = len(idx)
        self._mat[:k] = self._mat[idx]
        self._mat[k : self._n] = 0.0
        self._has_vec[:k] = self._has_vec[idx]
        self._has_vec[k : self._n] = False
        self._n = k
        self._version += 1

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        mask = self._check(allowed) & self._has_vec[: self._n]
        if k <= 0 or not mask.any():
            return _EMPTY
        if k == 1:  # the common nearest-row query: a masked argmax (first max = lowest row)
            sims = self._product(query)
            row = int(np.argmax(np.where(mask, sims, np.float32(-np.inf))))
            return np.array([row], np.int64), sims[row : row + 1].copy()
        rows = np.flatnonzero(mask)
        return top_k(rows, self._product(query)[rows], k)

    def search_many(
        self, queries: np.ndarray, k: int, allowed: np.ndarray
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """One matrix product for all the queries (a claim window's search for an article's sentences)."""
        return self._exact_many(queries, k, self._check(allowed) & self._has_vec[: self._n])

    # ------------------------------------------------------------------ internals

    def _exact_many(self, queries: np.ndarray, k: int, mask: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        queries = np.asarray(queries, np.float32).reshape(len(queries), -1)
        if k <= 0 or not mask.any():
            return [_EMPTY] * len(queries)
        rows = np.flatnonzero(mask)
        if 4 * len(rows) >= self._n:  # most rows: the product over all, then the rows (no copy of the matrix)
            sims = (queries @ self._mat[: self._n].T)[:, rows]
        else:
            sims = queries @ self._mat[rows].T
        return [top_k(rows, row_sims, k) for row_sims in sims]

    def _check(self, mask: np.ndarray) -> np.ndarray:
        mask = np.asarray(mask, np.bool_)
        if mask.shape != (self._n,):
            raise ValueError(f"mask has shape {mask.shape}, expected ({self._n},)")
        return mask

    def _product(self, query: np.ndarray) -> np.ndarray:
        """Cosines of ``query`` to rows ``0..n-1`` (placeholders give 0)."""
        q = np.asarray(query, np.float32).reshape(-1)
        cached = self._cached
        if cached is not None and cached[0] == self._version and np.array_equal(cached[1], q):
            return cached[2]
        if len(q) != self._mat.shape[1]:
            raise ValueError(f"query has {len(q)} dimensions, expected {self._mat.shape[1]}")
        sims = self._mat[: self._n] @ q
        self._cached = (self._version, q.copy(), sims)
        return sims

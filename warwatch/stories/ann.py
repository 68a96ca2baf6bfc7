"""Approximate nearest-neighbour search: a usearch HNSW graph over int8-quantised vectors.

Why usearch: it installs as a small self-contained pip wheel (no BLAS or OpenMP
runtime to match against torch's), stores int8 vectors with the cosine metric so a
million 384-d vectors and their graph take about half a GiB, adds batches on all
cores, removes entries (and reuses their slots), and saves a whole index to one file
that loads back as it was. faiss-cpu reaches the same recall, but its HNSW cannot
remove entries, its int8 variant (``IndexHNSWSQ``) has to be trained, and the wheel is
several times larger; hnswlib keeps float32 vectors only (1.5 GiB of vectors alone at
a million) and ships no wheels for current Pythons, so it builds from source.

:class:`AnnIndex` implements :class:`~warwatch.stories.search.VectorIndex` for the story
grouper; :class:`~warwatch.vector_index.StoredVectors` keeps a persisted graph of all
stored vectors of a table. Both use :func:`new_graph` and :func:`quantise`.
"""

from __future__ import annotations

import math

import numpy as np
from usearch.index import Index

from warwatch.stories.search import _EMPTY, ExactIndex, top_k

__all__ = ["EXACT_BELOW", "AnnIndex", "new_graph", "quantise"]

CONNECTIVITY = 24
"""Graph edges per node (usearch's default is 16). At a million benchmark vectors, 24 raised
recall@10 from 0.949 to 0.959 (at ``EXPANSION_SEARCH``) and still fits in 0.8 GiB."""

EXPANSION_ADD = 96
"""Candidates examined when a vector is added (usearch's default is 128, which builds
markedly slower). On the benchmark data at 200k vectors, 64 gave recall@10 0.97 and
96 gave 0.99: the graph's quality, not the int8 vectors, limits recall."""

EXPANSION_SEARCH = 128
"""Candidates examined per query (at least the number asked for); at a million vectors
96 gave recall@10 0.953 and 192 no more than 128. Figures: benchmarks/ann_scale.py."""

EXACT_BELOW = 10_000
"""Below this many candidate rows :class:`AnnIndex` searches exactly: a matrix product
over so few rows costs no more than adding the vector to the graph and searching it
(see benchmarks/ann_scale.py, ``grouper_*`` figures)."""

_OVERFETCH = 2.0  # graph results per wanted one, beyond the share of rows a mask excludes


def quantise(vectors: np.ndarray) -> np.ndarray:
    """int8 copies of float vectors, each scaled so its largest component is ±127.

    Cosines are scale-free, so this per-vector scaling loses nothing; usearch's own
    float -> int8 cast scales unit vectors by a fixed 127, which leaves components of
    a 384-d embedding (typically ±0.05) only a few steps and costs several points of
    recall.
    """
    vectors = np.asarray(vectors, np.float32)
    peak = np.abs(vectors).max(axis=-1, keepdims=True)
    return np.round(vectors * (127.0 / np.maximum(peak, 1e-12))).astype(np.int8)


def new_graph(ndim: int) -> Index:
    """An empty cosine HNSW index of int8 vectors with warwatch's parameters."""
    return Index(ndim=ndim, metric="cos", dtype="i8", connectivity=CONNECTIVITY,
                 expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)


class AnnIndex(ExactIndex):
    """:class:`~warwatch.stories.search.VectorIndex` answered from an HNSW graph for large searches.

    The float32 rows are kept (as in :class:`ExactIndex`): the graph only proposes
    candidates, whose cosines are then computed exactly, so the order, the ties and the
    cosines follow the exact rules and only a missed neighbour can differ. A search
    with fewer than ``exact_below`` allowed rows is exact. Otherwise the graph is asked
    for ``k`` results over-fetched by the share of rows ``allowed`` excludes; when fewer
    than ``k`` allowed rows come back, the search is exact after all.

    Each row with a vector gets a graph label that grows with the row number, so
    :meth:`keep` (which keeps the order) only removes the dropped labels. Rows are added
    to the graph in one multi-threaded batch at the next search that uses it, so
    rebuilding a grouper from stored articles costs no per-row graph inserts.
    """

    def __init__(self, exact_below: int = EXACT_BELOW, capacity: int = 16) -> None:
        super().__init__(capacity)
        self._exact_below = exact_below
        self._labels = np.zeros(max(capacity, 1), np.int64)  # row -> graph label, increasing
        self._next_label = 0
        self._graph: Index | None = None
        self._graphed = 0  # labels below this are in the graph (if they have a vector)

    def add(self, vector: np.ndarray | None) -> None:
        super().add(vector)
        if self._n > len(self._labels):
            self._labels = np.concatenate([self._labels, np.zeros_like(self._labels)])
        self._labels[self._n - 1] = self._next_label
        self._next_label += 1

    def keep(self, mask: np.ndarray) -> None:
        mask = self._check(mask)
        labels = self._labels[: self._n]
        if self._graph is not None:
            gone = labels[~mask & self._has_vec[: self._n] & (labels < self._graphed)]
            if len(gone):
                self._graph.remove(gone.astype(np.uint64))
        kept = labels[mask]
        self._labels[: len(kept)] = kept
        super().keep(mask)

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        mask = self._check(allowed) & self._has_vec[: self._n]
        wanted = int(mask.sum())
        if k <= 0 or wanted == 0:
            return _EMPTY
        if wanted < max(self._exact_below, k + 1):
            return self._exact(query, k, mask, wanted)
        graph = self._update_graph()
        share = wanted / len(graph)
        count = min(len(graph), math.ceil(k * _OVERFETCH / share) + 8)
        q = np.asarray(query, np.float32).reshape(-1)
        labels = graph.search(quantise(q), count, exact=False).keys.astype(np.int64)
        rows = np.searchsorted(self._labels[: self._n], labels)
        rows = np.sort(rows[mask[rows]])
        if len(rows) < k:
            return self._exact(query, k, mask, wanted)
        return top_k(rows, self._mat[rows] @ q, k)

    # ------------------------------------------------------------------ internals

    def _exact(self, query: np.ndarray, k: int, mask: np.ndarray, wanted: int) -> tuple[np.ndarray, np.ndarray]:
        if 4 * wanted >= self._n:  # most rows: one product over all (cached for the next search)
            return super().search(query, k, mask)
        rows = np.flatnonzero(mask)
        return top_k(rows, self._mat[rows] @ np.asarray(query, np.float32).reshape(-1), k)

    def _update_graph(self) -> Index:
        """The graph, with every row added since the last search that used it."""
        if self._graph is None:
            self._graph = new_graph(self._mat.shape[1])
        labels = self._labels[: self._n]
        new = np.flatnonzero((labels >= self._graphed) & self._has_vec[: self._n])
        if len(new):
            self._graph.add(labels[new].astype(np.uint64), quantise(self._mat[new]), threads=0)
        self._graphed = self._next_label
        return self._graph

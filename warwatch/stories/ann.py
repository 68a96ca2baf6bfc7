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
grouper and the claim window, and keeps its graph of the window in the data directory
between monitor runs, so a run adds only its new rows to it.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Hashable
from pathlib import Path

import numpy as np
from filelock import FileLock
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

    Rows are added to the graph in one multi-threaded batch at the next search that uses
    it, so rebuilding a grouper from stored articles costs no per-row graph inserts.

    With ``saved`` (a file path), the graph persists between runs: :meth:`save` writes it
    with the key and a fingerprint of the vector of each row in it, and a new index reads it
    back, so a row added again with the same key and vector reuses its place in the graph and
    costs nothing. Every row then needs an ``int`` key (the article or claim id). Saved rows
    not added again before the first graph search (they left the window, or were rolled back)
    are removed then, and so is the old place of a row whose vector changed. A missing or
    unreadable file means building the graph from the rows, as without ``saved``.
    """

    def __init__(self, exact_below: int | None = None, capacity: int = 16, saved: Path | None = None) -> None:
        super().__init__(capacity)
        self._exact_below = EXACT_BELOW if exact_below is None else exact_below
        self._labels: list[int] = []  # row -> graph label
        self._keys: list[int] = []  # row -> key given to add (with ``saved`` only)
        self._row_of: dict[int, int] = {}  # graph label -> row
        self._next_label = 0
        self._graph: Index | None = None
        self._ungraphed: set[int] = set()  # labels of rows with a vector not yet in the graph
        self._saved_path = saved
        self._saved: dict[int, tuple[int, int]] = {}  # key -> (label, fingerprint) read from the file
        self._stale: list[int] = []  # saved labels whose row came back with another vector
        self.reused = 0
        """Rows added that were already in the saved graph (same key and vector)."""
        if saved is not None:
            self._graph, self._saved, self._next_label = _read(Path(saved))

    def add(self, vector: np.ndarray | None, key: Hashable | None = None) -> None:
        if self._saved_path is not None and not isinstance(key, int):
            raise TypeError(f"a saved index needs an int key for each row, not {key!r}")
        super().add(vector)
        label = self._next_label
        if vector is not None:
            saved = self._saved.pop(key, None) if self._saved else None
            if saved is not None and saved[1] == _fingerprint(self._mat[self._n - 1]):
                label = saved[0]  # already in the graph
                self.reused += 1
            else:
                self._ungraphed.add(label)
                if saved is not None:
                    self._stale.append(saved[0])
        self._next_label = max(self._next_label, label + 1)
        self._labels.append(label)
        if self._saved_path is not None:
            self._keys.append(key)
        self._row_of[label] = self._n - 1

    def keep(self, mask: np.ndarray) -> None:
        mask = self._check(mask)
        rows = np.flatnonzero(mask).tolist()
        dropped = [self._labels[i] for i in np.flatnonzero(~mask & self._has_vec[: self._n]).tolist()]
        graphed = [label for label in dropped if label not in self._ungraphed]
        if self._graph is not None and graphed:
            self._graph.remove(np.array(graphed, np.uint64))
        self._ungraphed.difference_update(dropped)
        self._labels = [self._labels[i] for i in rows]
        if self._saved_path is not None:
            self._keys = [self._keys[i] for i in rows]
        self._row_of = {label: row for row, label in enumerate(self._labels)}
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
        row_of = self._row_of
        rows = np.fromiter((row_of[label] for label in graph.search(quantise(q), count, exact=False).keys.tolist()),
                           np.int64)
        rows = np.sort(rows[mask[rows]])
        if len(rows) < k:
            return self._exact(query, k, mask, wanted)
        return top_k(rows, self._mat[rows] @ q, k)

    def search_many(
        self, queries: np.ndarray, k: int, allowed: np.ndarray
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        mask = self._check(allowed) & self._has_vec[: self._n]
        if int(mask.sum()) < max(self._exact_below, k + 1):
            return self._exact_many(queries, k, mask)
        return [self.search(query, k, allowed) for query in queries]

    def save(self) -> None:
        """Write the graph and the keys of its rows to ``saved`` (when given and the graph was built).

        Written to temporary files and renamed over the old ones; the rows of an uncommitted
        transaction may be in it, as they are checked against the rows added in the next run.
        """
        if self._saved_path is None or self._graph is None:
            return
        graph = self._update_graph()
        rows = np.flatnonzero(self._has_vec[: self._n]).tolist()
        keys = np.array([self._keys[i] for i in rows], np.int64)
        labels = np.array([self._labels[i] for i in rows], np.int64)
        fingerprints = np.array([_fingerprint(self._mat[i]) for i in rows], np.uint64)
        _write(Path(self._saved_path), graph, keys, labels, fingerprints, self._next_label)

    # ------------------------------------------------------------------ internals

    def _exact(self, query: np.ndarray, k: int, mask: np.ndarray, wanted: int) -> tuple[np.ndarray, np.ndarray]:
        if 4 * wanted >= self._n:  # most rows: one product over all (cached for the next search)
            return super().search(query, k, mask)
        rows = np.flatnonzero(mask)
        return top_k(rows, self._mat[rows] @ np.asarray(query, np.float32).reshape(-1), k)

    def _update_graph(self) -> Index:
        """The graph, without saved rows nobody claimed and with every row added since it was last used."""
        if self._graph is not None and self._graph.ndim != self._mat.shape[1]:
            self._graph, self._saved, self._stale = None, {}, []  # saved for another width: nothing reused
            self._ungraphed = {self._labels[i] for i in np.flatnonzero(self._has_vec[: self._n]).tolist()}
        if self._graph is None:
            self._graph = new_graph(self._mat.shape[1])
        gone = self._stale + [label for label, _ in self._saved.values()]
        if gone:
            self._graph.remove(np.array(gone, np.uint64))
            self._saved, self._stale = {}, []
        if self._ungraphed:
            labels = np.array(sorted(self._ungraphed), np.int64)
            rows = np.array([self._row_of[label] for label in labels.tolist()], np.int64)
            self._graph.add(labels.astype(np.uint64), quantise(self._mat[rows]), threads=0)
            self._ungraphed = set()
        return self._graph


def _fingerprint(vector: np.ndarray) -> int:
    digest = hashlib.blake2b(np.ascontiguousarray(vector, np.float32).tobytes(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _read(path: Path) -> tuple[Index | None, dict[int, tuple[int, int]], int]:
    """The saved graph, its rows by key, and the next free label; nothing when the files cannot be used."""
    try:
        with FileLock(path.with_suffix(".lock")), np.load(path.with_suffix(".npz")) as rows:
            keys, labels, fingerprints = rows["keys"], rows["labels"], rows["fingerprints"]
            next_label = int(rows["next_label"])
            graph = Index.restore(str(path))
    except (OSError, ValueError, KeyError, RuntimeError):
        return None, {}, 0
    if graph is None or not len(graph) == len(keys) == len(labels) == len(fingerprints) \
            or not np.all(graph.contains(labels.astype(np.uint64))):
        return None, {}, 0
    return graph, dict(zip(keys.tolist(), zip(labels.tolist(), fingerprints.tolist()))), next_label


def _write(path: Path, graph: Index, keys: np.ndarray, labels: np.ndarray, fingerprints: np.ndarray,
           next_label: int) -> None:
    """The graph file and its rows' ``.npz`` beside it, written and renamed into place under a lock that
    readers take too (two runs saving at once must not leave one's rows with the other's graph). The
    temporary files have one name each, so what a writer killed mid-save left is overwritten next time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp")
    rows_tmp = path.with_name(f"{path.stem}.tmp.npz")
    with FileLock(path.with_suffix(".lock")):
        graph.save(str(tmp))
        np.savez(rows_tmp, keys=keys, labels=labels, fingerprints=fingerprints, next_label=next_label)
        os.replace(rows_tmp, path.with_suffix(".npz"))
        os.replace(tmp, path)

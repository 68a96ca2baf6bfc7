"""A persisted nearest-neighbour index over every stored vector of one table (articles or claims).

The index is an HNSW graph (:mod:`warwatch.stories.ann`) keyed by row id, kept in the data
directory as ``vectors-<table>-<digest>.usearch`` with a JSON sidecar (``.json``) saying
what it holds; ``<digest>`` comes from the database URL, so two stores never share a file.
It is a cache of the store: :meth:`StoredVectors.sync` loads the file, checks it against
the store and adds the rows added since (ids above the highest it holds, in id order), and
rebuilds it from the store when the file is missing, unreadable, made for another model or
dimension, or no longer matches the store (the row it last took is gone or changed, as
after a rolled-back run or a new database at the same URL).

Usage (one object per process and table; ``sync`` is cheap when nothing is new)::

    index = StoredVectors.open(settings, "claims")
    index.sync(session)                       # sees the session's own flushed rows too
    ids, cosines = index.above(vector, 0.75)  # every claim at least this close
    ...
    session.commit()
    index.save()                              # only after the rows it holds are committed

Cosines are those of the int8 vectors in the graph, within about 0.01 of the exact ones.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from usearch.index import Index

from warwatch.stories.ann import new_graph, quantise
from warwatch.store.models import Article, Claim, Embedding

if TYPE_CHECKING:
    from warwatch.config.settings import Settings

__all__ = ["TABLES", "StoredVectors"]

TABLES = {"articles": Article, "claims": Claim}
"""The tables whose rows carry an ``embedding_key`` and can be indexed, by name."""

_BATCH = 20_000  # rows read from the store and added to the graph at a time
_FORMAT = 1


class StoredVectors:
    """The vectors of one table's rows, by row id, for cosine neighbour search. Not thread-safe."""

    def __init__(self, path: Path, table: str, model: str) -> None:
        if table not in TABLES:
            raise ValueError(f"no vectors for table {table!r}; one of {', '.join(TABLES)}")
        self.path = Path(path)
        self.table = table
        self.model = model
        self._row = TABLES[table]
        self._graph: Index | None = None
        self._last: tuple[int, str] | None = None  # highest id held, and its embedding key
        self._opened = False
        self._dirty = False
        self.rebuilt = False
        """Whether the last :meth:`sync` that read the file had to rebuild the index from the store."""

    @classmethod
    def open(cls, settings: Settings, table: str) -> StoredVectors:
        """The index of ``table`` for the store and model of ``settings`` (read at the first :meth:`sync`)."""
        url = make_url(settings.db_url).render_as_string(hide_password=True)
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]
        path = settings.resolved_data_dir / f"vectors-{table}-{digest}.usearch"
        return cls(path, table, settings.stories.model_name)

    def __len__(self) -> int:
        return 0 if self._graph is None else len(self._graph)

    @property
    def meta_path(self) -> Path:
        return self.path.with_suffix(".json")

    def sync(self, session: Session) -> int:
        """Add the rows ``session`` sees beyond the highest id held (at first, read or rebuild the file).

        Returns the number of rows added.
        """
        if not self._opened:
            self._opened = True
            self._graph, self._last = self._load(session)
            self.rebuilt = self._graph is None
            if self.rebuilt:
                self._dirty = True
        added = 0
        row = self._row
        query = (select(row.id, row.embedding_key, Embedding.vector)
                 .join(Embedding, Embedding.key == row.embedding_key)
                 .where(row.id > (self._last[0] if self._last else 0))
                 .order_by(row.id).execution_options(yield_per=_BATCH))
        for batch in session.execute(query).partitions():
            added += self._add(batch)
        return added

    def search(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ids of the (up to) ``k`` rows nearest ``vector``, most similar first, and their cosines."""
        if self._graph is None or len(self._graph) == 0 or k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        query = np.asarray(vector, np.float32).reshape(-1)
        if len(query) != self._graph.ndim:
            raise ValueError(f"vector has {len(query)} dimensions, expected {self._graph.ndim}")
        found = self._graph.search(quantise(query), min(k, len(self._graph)))
        return found.keys.astype(np.int64), (1.0 - found.distances).astype(np.float32)

    def above(self, vector: np.ndarray, min_cosine: float) -> tuple[np.ndarray, np.ndarray]:
        """The ids (and cosines) of all rows with a cosine to ``vector`` of at least ``min_cosine``.

        Asks the graph for 64 neighbours, then twice as many until the last falls below
        ``min_cosine``: complete up to the graph's recall, whatever the number.
        """
        k = 64
        while True:
            ids, cosines = self.search(vector, k)
            if len(ids) < k or cosines[-1] < min_cosine:
                keep = cosines >= min_cosine
                return ids[keep], cosines[keep]
            k *= 2

    def save(self) -> None:
        """Write the index if it changed: to a temporary file, then renamed over the old one.

        Call it after the session whose rows it holds has committed: a file holding rows
        that were rolled back is detected and rebuilt, but only at a cost.
        """
        if not self._dirty or self._graph is None or self._last is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        self._graph.save(str(tmp))
        os.replace(tmp, self.path)
        meta = {"format": _FORMAT, "table": self.table, "model": self.model, "ndim": self._graph.ndim,
                "count": len(self._graph), "last_id": self._last[0], "last_key": self._last[1],
                "bytes": self.path.stat().st_size}
        tmp = self.meta_path.with_name(f"{self.meta_path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(meta) + "\n", encoding="utf-8")
        os.replace(tmp, self.meta_path)
        self._dirty = False

    # ------------------------------------------------------------------ internals

    def _load(self, session: Session) -> tuple[Index | None, tuple[int, str] | None]:
        """The saved graph and its last row, or ``(None, None)`` when it cannot be used as it is."""
        try:
            meta = json.loads(self.meta_path.read_text(encoding="utf-8"))
            usable = (meta["format"] == _FORMAT and meta["table"] == self.table and meta["model"] == self.model
                      and meta["bytes"] == self.path.stat().st_size)
            graph = Index.restore(str(self.path)) if usable else None
        except (OSError, ValueError, RuntimeError, KeyError, TypeError):
            return None, None
        if graph is None or graph.ndim != meta["ndim"] or len(graph) != meta["count"]:
            return None, None
        stored_key = session.scalar(select(self._row.embedding_key).where(self._row.id == meta["last_id"]))
        if stored_key != meta["last_key"]:
            return None, None
        return graph, (meta["last_id"], meta["last_key"])

    def _add(self, rows) -> int:
        """Add ``(id, embedding_key, vector bytes)`` rows, in id order; vectors of another dimension are skipped."""
        if not rows:
            return 0
        width = 4 * self._graph.ndim if self._graph is not None else len(rows[0][2])
        usable = [r for r in rows if len(r[2]) == width]
        if usable:
            if self._graph is None:
                self._graph = new_graph(width // 4)
            vectors = np.frombuffer(b"".join(r[2] for r in usable), np.float32).reshape(len(usable), -1)
            self._graph.add(np.array([r[0] for r in usable], np.uint64), quantise(vectors), threads=0)
            self._last = (usable[-1][0], usable[-1][1])
            self._dirty = True
        return len(usable)

"""Article vectors, cached in the store by a hash of model and text so no text is encoded twice."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from warwatch.embedding import encode, load_model
from warwatch.store.models import Embedding


def embedding_key(model: str, text: str) -> str:
    """The cache key of ``text`` embedded by ``model``."""
    return hashlib.sha256(f"{model}\n{text}".encode("utf-8")).hexdigest()


def cached_vectors(session: Session, keys: set[str]) -> dict[str, np.ndarray]:
    """Vectors already in the store, by key."""
    found: dict[str, np.ndarray] = {}
    keys_list = list(keys)
    for start in range(0, len(keys_list), 500):
        rows = session.execute(select(Embedding.key, Embedding.vector).where(Embedding.key.in_(keys_list[start:start + 500])))
        found.update((key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows)
    return found


def vectors_for(session: Session, model: str, texts: Mapping[str, str]) -> dict[str, np.ndarray]:
    """Vectors for ``texts`` (key -> text): cached ones read, the rest encoded in one batch and stored."""
    vectors = cached_vectors(session, set(texts))
    missing = [key for key in texts if key not in vectors]
    if missing:
        encoded = encode(load_model(model), [texts[key] for key in missing])
        vectors.update(zip(missing, encoded))
        session.execute(insert(Embedding), [{"key": k, "vector": v.tobytes()} for k, v in zip(missing, encoded)])
    return vectors

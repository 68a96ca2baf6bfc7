"""Approximate neighbour search: AnnIndex keeps the VectorIndex contract, and the persisted store index."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import datetime, timezone

import numpy as np
import pytest
from sqlalchemy import update

from warwatch.config.settings import Settings, StorySettings
from warwatch.embedding import ModelUnavailableError, encode, load_model
from warwatch.stories.ann import AnnIndex, quantise
from warwatch.stories.grouping import GroupingParams, Item, StoryGrouper
from warwatch.stories.search import ExactIndex, VectorIndex
from warwatch.store.db import session
from warwatch.store.models import Article, Embedding, Feed
from warwatch.store.models import Claim as ClaimRow
from warwatch.vector_index import StoredVectors

T0 = datetime(2024, 8, 6, tzinfo=timezone.utc)


def unit(rng: np.random.Generator, n: int, dim: int = 16) -> np.ndarray:
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def both(vectors: list[np.ndarray | None]) -> tuple[AnnIndex, ExactIndex]:
    """An AnnIndex that always uses its graph, and an ExactIndex, holding the same rows."""
    ann, exact = AnnIndex(exact_below=0), ExactIndex()
    for v in vectors:
        ann.add(v)
        exact.add(v)
    return ann, exact


def assert_same(ann: AnnIndex, exact: ExactIndex, query: np.ndarray, k: int, allowed: np.ndarray) -> None:
    rows, cosines = ann.search(query, k, allowed)
    want_rows, want_cosines = exact.search(query, k, allowed)
    assert rows.dtype == np.int64 and cosines.dtype == np.float32
    assert rows.tolist() == want_rows.tolist()
    np.testing.assert_allclose(cosines, want_cosines, atol=1e-6)


# ------------------------------------------------------------------ the VectorIndex contract


def test_ann_index_is_a_vector_index():
    assert isinstance(AnnIndex(), VectorIndex)


def test_agrees_with_exact_search_on_small_data():
    rng = np.random.default_rng(1)
    vectors = list(unit(rng, 80))
    for i in (0, 7, 33, 79):
        vectors[i] = None  # placeholders hold their row
    ann, exact = both(vectors)
    for query in unit(rng, 20):
        for k in (1, 3, 10, 100):
            assert_same(ann, exact, query, k, np.ones(80, bool))
            assert_same(ann, exact, query, k, rng.random(80) < 0.3)
    assert_same(ann, exact, vectors[5], 1, np.ones(80, bool))
    assert ann.search(vectors[5], 1, np.ones(80, bool))[0].tolist() == [5]


def test_placeholders_are_never_returned():
    rng = np.random.default_rng(2)
    ann = AnnIndex(exact_below=0)
    for v in unit(rng, 30):
        ann.add(None)
        ann.add(v)
    rows, _ = ann.search(unit(rng, 1)[0], 100, np.ones(60, bool))
    assert sorted(rows.tolist()) == list(range(1, 60, 2))
    empty = AnnIndex(exact_below=0)
    empty.add(None)
    assert len(empty) == 1 and empty.search(unit(rng, 1)[0], 5, np.ones(1, bool))[0].size == 0
    assert ann.search(unit(rng, 1)[0], 0, np.ones(60, bool))[0].size == 0


def test_keep_renumbers_rows_before_and_after_the_graph_is_built():
    rng = np.random.default_rng(3)
    data = unit(rng, 120)
    ann, exact = both([data[i] if i % 9 else None for i in range(60)])
    mask = rng.random(60) < 0.6
    ann.keep(mask)  # before any search: the graph does not exist yet
    exact.keep(mask)
    assert len(ann) == len(exact) == int(mask.sum())
    for query in data[60:70]:
        assert_same(ann, exact, query, 5, np.ones(len(exact), bool))
    for v in data[60:100]:  # rows added after the graph was built, then a second keep
        ann.add(v)
        exact.add(v)
    mask = rng.random(len(exact)) < 0.5
    ann.keep(mask)
    exact.keep(mask)
    for query in data[100:120]:
        assert_same(ann, exact, query, 8, np.ones(len(exact), bool))
        assert_same(ann, exact, query, 3, rng.random(len(exact)) < 0.5)


def test_a_mask_the_graph_cannot_fill_falls_back_to_exact_search():
    rng = np.random.default_rng(4)
    data = unit(rng, 600)
    ann, exact = both(list(data))
    query = data[0]
    allowed = np.zeros(600, bool)
    allowed[np.argsort(data @ query)[:12]] = True  # only the rows farthest from the query
    assert_same(ann, exact, query, 5, allowed)
    assert_same(ann, exact, query, 20, allowed)


def test_exact_below_the_row_threshold():
    rng = np.random.default_rng(5)
    data = unit(rng, 50)
    ann = AnnIndex(exact_below=1000)
    for v in data:
        ann.add(v)
    ann.search(data[0], 3, np.ones(50, bool))
    assert ann._graph is None  # no graph was built for so few rows


def test_bad_shapes_are_errors():
    ann = AnnIndex(exact_below=0)
    ann.add(np.ones(4, np.float32) / 2)
    with pytest.raises(ValueError):
        ann.add(np.ones(3, np.float32))
    with pytest.raises(ValueError):
        ann.search(np.ones(4, np.float32) / 2, 1, np.ones(2, bool))
    with pytest.raises(ValueError):
        ann.search(np.ones(3, np.float32), 1, np.ones(1, bool))
    with pytest.raises(ValueError):
        ann.keep(np.ones(3, bool))


def test_quantised_cosines_stay_close():
    rng = np.random.default_rng(6)
    a, b = unit(rng, 200, 384), unit(rng, 200, 384)
    qa, qb = quantise(a).astype(np.float32), quantise(b).astype(np.float32)
    approx = (qa * qb).sum(1) / np.linalg.norm(qa, axis=1) / np.linalg.norm(qb, axis=1)
    assert np.abs(approx - (a * b).sum(1)).max() < 0.01
    assert quantise(a).dtype == np.int8 and np.abs(quantise(a)).max(axis=1).min() == 127


def test_settings_choose_the_grouper_index():
    assert StorySettings().index == "ann"
    assert isinstance(StorySettings().index_factory()(), AnnIndex)
    assert type(StorySettings(index="exact").index_factory()()) is ExactIndex
    with pytest.raises(ValueError):
        StorySettings(index="faiss")


# ------------------------------------------------------------------ the grouper


@pytest.fixture
def headlines(shared_dir) -> list[Item]:
    """The first 300 UCI dev headlines in published order, embedded by the real model."""
    with open(shared_dir / "eval-data" / "dev" / "news-stories" / "uci_headlines.csv", encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["TIMESTAMP"]))[:300]
    try:
        model = load_model(None)
    except ModelUnavailableError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(str(exc))
    vectors = encode(model, [r["TITLE"] for r in rows])
    return [Item(r["ID"], v, r["TITLE"], datetime.fromtimestamp(int(r["TIMESTAMP"]) / 1000, timezone.utc),
                 r["PUBLISHER"]) for r, v in zip(rows, vectors)]


def test_grouper_decides_the_same_with_the_graph(headlines):
    params = GroupingParams(window_hours=1.0)  # they span 4 hours: the window is pruned, so keep() runs too
    exact = StoryGrouper(params)
    ann = StoryGrouper(params, index_factory=lambda: AnnIndex(exact_below=0))
    decisions = [(exact.add(item), ann.add(item)) for item in headlines]
    for a, b in decisions:  # the same decisions; scores equal up to float rounding
        assert replace(a, score=None) == replace(b, score=None)
        assert a.score == pytest.approx(b.score, abs=1e-6)
    assert sum(d.duplicate_of is not None for d, _ in decisions) > 0
    assert len({d.story for d, _ in decisions}) < len(headlines) / 2


# ------------------------------------------------------------------ the persisted index


def fill(url: str, start: int, n: int, rng: np.random.Generator, dim: int = 16) -> dict[int, np.ndarray]:
    """Add ``n`` articles (ids from ``start``) with one claim each; the claims' vectors by claim id."""
    vectors = {}
    with session(url) as s:
        feed = s.get(Feed, 1) or Feed(id=1, name="Courier", url="https://courier.example/rss")
        s.add(feed)
        s.flush()
        for i, v in zip(range(start, start + n), unit(rng, n, dim)):
            key = f"{i:064x}"
            s.add(Embedding(key=key, vector=v.tobytes()))
            s.add(Article(id=i, feed_id=1, guid=str(i), url=f"https://courier.example/{i}", title=f"t{i}",
                          published=T0, content_hash=key, embedding_key=key))
            s.flush()
            s.add(ClaimRow(id=i, article_id=i, kind="killed", text=f"c{i}", published=T0, embedding_key=key,
                           facts={}))
            vectors[i] = v
        s.add(Article(id=start + n, feed_id=1, guid=f"{start + n}", url=f"https://courier.example/{start + n}",
                      title="no vector", published=T0, content_hash=f"{start + n}"))
        s.commit()
    return vectors


def open_index(url: str, tmp_path, model: str = "m") -> StoredVectors:
    settings = Settings(data_dir=tmp_path / "data", database_url=url, stories=StorySettings(model=model))
    return StoredVectors.open(settings, "claims")


def synced(url: str, tmp_path, model: str = "m") -> StoredVectors:
    index = open_index(url, tmp_path, model)
    with session(url) as s:
        index.sync(s)
    return index


def test_stored_vectors_rebuild_update_and_search(db_url, tmp_path):
    rng = np.random.default_rng(7)
    vectors = fill(db_url, 1, 40, rng)
    index = synced(db_url, tmp_path)
    assert index.rebuilt and len(index) == 40
    assert index.path.parent == tmp_path / "data" and index.path.name.startswith("vectors-claims-")
    ids, cosines = index.search(vectors[17], 3)
    assert ids[0] == 17 and cosines[0] == pytest.approx(1.0, abs=1e-3) and ids.dtype == np.int64
    index.save()
    assert index.path.is_file() and index.meta_path.is_file()
    assert not list(index.path.parent.glob("*.tmp"))

    # reopened: read from the file, then brought up to date incrementally
    vectors.update(fill(db_url, 100, 10, rng))
    index = open_index(db_url, tmp_path)
    with session(db_url) as s:
        assert index.sync(s) == 10
        assert index.sync(s) == 0
    assert not index.rebuilt and len(index) == 50
    assert index.search(vectors[105], 1)[0].tolist() == [105]
    index.save()

    # every claim at least this close, as exact search finds them
    query = vectors[3]
    exact = {i for i, v in vectors.items() if float(v @ query) >= 0.3}
    ids, cosines = index.above(query, 0.3)
    assert set(ids.tolist()) >= {i for i in exact if float(vectors[i] @ query) >= 0.32}
    assert (cosines >= 0.3).all() and len(ids) < 50


def test_stored_vectors_rebuilt_when_missing_corrupt_or_stale(db_url, tmp_path):
    rng = np.random.default_rng(8)
    vectors = fill(db_url, 1, 30, rng)
    first = synced(db_url, tmp_path)
    first.save()
    assert not synced(db_url, tmp_path).rebuilt

    first.path.unlink()  # missing
    again = synced(db_url, tmp_path)
    assert again.rebuilt and len(again) == 30
    again.save()

    first.path.write_bytes(b"not an index" * 100)  # unreadable
    again = synced(db_url, tmp_path)
    assert again.rebuilt and again.search(vectors[4], 1)[0].tolist() == [4]
    again.save()

    assert synced(db_url, tmp_path, model="other").rebuilt  # another model

    with session(db_url) as s:  # the last row it took changed (a rolled-back run, a new database)
        s.execute(update(ClaimRow).where(ClaimRow.id == 30).values(embedding_key=f"{1:064x}"))
        s.commit()
    again = synced(db_url, tmp_path)
    assert again.rebuilt and len(again) == 30


def test_stored_vectors_of_an_empty_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    index = synced(url, tmp_path)
    assert len(index) == 0 and index.search(np.ones(4, np.float32), 3)[0].size == 0
    index.save()
    assert not index.path.exists()
    with pytest.raises(ValueError):
        StoredVectors(tmp_path / "x.usearch", "feeds", "m")
